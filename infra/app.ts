import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../bot/config';
import { readSettings } from '../bot/settings';
import { opsbotStacks } from './opsbot-app';

/**
 * The CDK app. `npm run synth` works offline with no credentials: the stack is environment-agnostic unless
 * CDK_DEFAULT_ACCOUNT/REGION are set (as `cdk deploy` does).
 */
const settings = readSettings();
const loaded = loadConfig(settings);
if (loaded.isExample) process.stderr.write('opsbot infra: no opsbot.config.yaml; synthesizing the example world.\n');

const app = new App();
// opsbot's region: where `cdk deploy` of its stack runs, or OPSBOT_HOME_REGION when the stacks of other accounts are
// deployed with credentials of another region.
opsbotStacks(app, loaded.config, {
  ...(process.env.CDK_DEFAULT_ACCOUNT !== undefined && { homeAccount: process.env.CDK_DEFAULT_ACCOUNT }),
  ...((process.env.OPSBOT_HOME_REGION ?? process.env.CDK_DEFAULT_REGION) !== undefined && {
    homeRegion: (process.env.OPSBOT_HOME_REGION ?? process.env.CDK_DEFAULT_REGION) as string,
  }),
  // `cdk deploy -c engineAlarmRollback=true`: CodeDeploy rolls back on the same alarms even while opsbot is down.
  engineAlarmRollback: String(app.node.tryGetContext('engineAlarmRollback')) === 'true',
  warn: (message) => process.stderr.write(`opsbot infra: ${message}\n`),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
