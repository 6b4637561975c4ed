/**
 * The obvious Bolt app on Lambda, the benchmark's point of comparison for the slack function's cold first ack: Bolt's
 * AwsLambdaReceiver, the SDK clients created at import (DynamoDB for its state, Lambda for its worker), and a /deploy
 * listener doing the work opsbot's does for the same command: hand the job to a worker function with an async invoke,
 * then acknowledge. Secrets from the environment.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { App, AwsLambdaReceiver } from '@slack/bolt';
import { handOverDeploys } from './hand-over-listener';

const receiver = new AwsLambdaReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET as string });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  ...(process.env.SLACK_API_URL !== undefined && { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } }),
});
const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const lambda = new LambdaClient({});

handOverDeploys(app, lambda);

/** The state its other listeners keep (conversations, cards), in the same table opsbot uses. */
export async function remember(key: string): Promise<void> {
  await table.send(
    new PutCommand({
      TableName: process.env.OPSBOT_TABLE,
      Item: { pk: key, expiresAt: Math.floor(Date.now() / 1000) + 3600 },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export const handler = async (event: unknown, context: unknown) =>
  (await receiver.start())(event as never, context as never);
