import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { App } from '@slack/bolt';

/**
 * The /deploy listener of the benchmark's comparison apps (the obvious one and the floor): hand the command to the
 * worker function with an async invoke, then acknowledge, the work opsbot's listener does for the same command.
 */
export function handOverDeploys(app: App, lambda: LambdaClient): void {
  app.command('/deploy', async ({ ack, command }) => {
    await lambda.send(
      new InvokeCommand({
        FunctionName: process.env.OPSBOT_WORKER_FUNCTION,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(command)),
      }),
    );
    await ack(`Working on ${command.command} ${command.text}…`);
  });
}
