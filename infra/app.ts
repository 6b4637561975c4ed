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
// opsbot's region: OPSBOT_HOME_REGION, or the region cdk deploys opsbot's stack to. The events stacks forward to it,
// and another account's credentials may be in another region: they are synthesized only with OPSBOT_HOME_REGION set,
// never with a region guessed from the credentials that deploy them (without it they are left out, and said so).
const homeRegion = process.env.OPSBOT_HOME_REGION;
opsbotStacks(app, loaded.config, {
  ...(process.env.CDK_DEFAULT_ACCOUNT !== undefined && { homeAccount: process.env.CDK_DEFAULT_ACCOUNT }),
  ...(homeRegion !== undefined && { homeRegion }),
  ...(homeRegion === undefined &&
    process.env.CDK_DEFAULT_REGION !== undefined && { ownRegion: process.env.CDK_DEFAULT_REGION }),
  // `cdk deploy -c engineAlarmRollback=true`: CodeDeploy rolls back on the same alarms even while opsbot is down.
  engineAlarmRollback: String(app.node.tryGetContext('engineAlarmRollback')) === 'true',
  warn: (message) => process.stderr.write(`opsbot infra: ${message}\n`),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
