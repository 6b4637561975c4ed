/**
 * The obvious Bolt app on Lambda, the benchmark's point of comparison for the slack function's cold first ack: Bolt's
 * AwsLambdaReceiver, the SDK clients created at import, and a /deploy listener that claims the delivery in DynamoDB,
 * hands the job to a worker function with an async invoke, then acknowledges. Secrets from the environment.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { App, AwsLambdaReceiver } from '@slack/bolt';

const receiver = new AwsLambdaReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET as string });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  ...(process.env.SLACK_API_URL !== undefined && { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } }),
});
const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const lambda = new LambdaClient({});

app.command('/deploy', async ({ ack, command }) => {
  await table.send(
    new PutCommand({
      TableName: process.env.OPSBOT_TABLE,
      Item: { pk: `delivery:${command.trigger_id}`, expiresAt: Math.floor(Date.now() / 1000) + 3600 },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  await lambda.send(
    new InvokeCommand({
      FunctionName: process.env.OPSBOT_WORKER_FUNCTION,
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(command)),
    }),
  );
  await ack(`Working on ${command.command} ${command.text}…`);
});

export const handler = async (event: unknown, context: unknown) =>
  (await receiver.start())(event as never, context as never);
