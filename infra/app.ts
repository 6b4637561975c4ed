import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../bot/config';
import { readSettings } from '../bot/settings';
import { accessStackName, OpsbotAccessStack } from './stacks/access-stack';
import { OpsbotStack } from './stacks/opsbot-stack';

/**
 * The CDK app. `npm run synth` works offline with no credentials: the stack is environment-agnostic unless
 * CDK_DEFAULT_ACCOUNT/REGION are set (as `cdk deploy` does).
 */
const settings = readSettings();
const loaded = loadConfig(settings);
if (loaded.isExample) process.stderr.write('opsbot infra: no opsbot.config.yaml; synthesizing the example world.\n');

const app = new App();
new OpsbotStack(app, 'Opsbot', {
  config: loaded.config,
  ...(process.env.CDK_DEFAULT_ACCOUNT !== undefined && {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  }),
});
// The role opsbot assumes in each other account, one stack per account (`cdk deploy OpsbotAccess-<name>` there).
// The home account is the one listed without a role: never the deploying credentials' account, which for an access
// stack is the target account itself.
const home = Object.values(loaded.config.accounts).find((a) => a.roleArn === undefined)?.id;
for (const [name, account] of Object.entries(loaded.config.accounts)) {
  if (account.roleArn === undefined) continue;
  if (home === undefined) {
    process.stderr.write(
      `opsbot infra: no home account known (list it under accounts, without a role); ${accessStackName(name)} left out.\n`,
    );
    continue;
  }
  // Named so opsbot's own stack knows the name of its forwarding alarm.
  new OpsbotAccessStack(app, accessStackName(name), {
    config: loaded.config,
    accountName: name,
    homeAccountId: home,
    // Where opsbot's own stack runs, if not in the same region as this one.
    ...(process.env.OPSBOT_HOME_REGION !== undefined && { homeRegion: process.env.OPSBOT_HOME_REGION }),
    // `cdk deploy -c engineAlarmRollback=true`: CodeDeploy rolls back on the same alarms even while opsbot is down.
    engineAlarmRollback: String(app.node.tryGetContext('engineAlarmRollback')) === 'true',
    env: { account: account.id },
  });
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
