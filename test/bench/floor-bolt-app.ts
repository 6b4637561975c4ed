/**
 * The least a Bolt app with opsbot's security can do for the benchmark's first slash command, the floor under the
 * slack function's cold first ack: the two Slack secrets read from Secrets Manager, Bolt's App on its
 * AwsLambdaReceiver, and one /deploy listener that hands the command to the worker (an async Lambda invoke) and
 * acknowledges. Nothing else: no checks before Bolt, no logs, no Store, no matcher. It is bundled with the slack
 * function's own options, so the difference between the two is opsbot's code and nothing of how it is packaged.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App, AwsLambdaReceiver } from '@slack/bolt';
import { handOverDeploys } from './hand-over-listener';

const secrets = new SecretsManagerClient({});
const lambda = new LambdaClient({});
const read = async (arn: string | undefined) =>
  (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString as string;

const ready = (async () => {
  const [signingSecret, token] = await Promise.all([
    read(process.env.SLACK_SIGNING_SECRET_ARN),
    read(process.env.SLACK_BOT_TOKEN_SECRET_ARN),
  ]);
  const receiver = new AwsLambdaReceiver({ signingSecret });
  const app = new App({
    token,
    receiver,
    // As opsbot's app: the bot ids given, so construction makes no auth.test call.
    botId: 'B0OPSBOT01',
    botUserId: 'U0OPSBOT01',
    ...(process.env.SLACK_API_URL !== undefined && { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } }),
  });
  handOverDeploys(app, lambda);
  return receiver.toHandler();
})();
ready.catch(() => undefined);

export const handler = async (event: unknown, context: unknown) => (await ready)(event as never, context as never);
