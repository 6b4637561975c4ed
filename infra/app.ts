import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../bot/config';
import { readSettings } from '../bot/settings';
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
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
