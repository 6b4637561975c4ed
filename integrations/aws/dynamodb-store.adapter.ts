import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Store } from '../store.port';

/**
 * The Store on DynamoDB: one table, partition key `pk` (string), the value as JSON in `v`, and `expiresAt`
 * (epoch seconds) as the table's TTL attribute. DynamoDB deletes expired items only eventually (and moto never),
 * so reads and conditional writes treat an item past `expiresAt` as absent themselves.
 */
export class DynamoDbStore implements Store {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async putIfAbsent(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    const nowSeconds = Math.floor(this.now() / 1000);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: this.item(key, value, nowSeconds + ttlSeconds),
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as { name?: string }).name === 'ConditionalCheckFailedException'
      ) {
        return false;
      }
      throw error;
    }
  }

  async put(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const nowSeconds = Math.floor(this.now() / 1000);
    await this.client.send(
      new PutItemCommand({ TableName: this.tableName, Item: this.item(key, value, nowSeconds + ttlSeconds) }),
    );
  }

  async get<T>(key: string): Promise<T | undefined> {
    const result = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: key } }, ConsistentRead: true }),
    );
    const item = result.Item;
    if (item === undefined) return undefined;
    if (Number(item.expiresAt?.N ?? 0) <= Math.floor(this.now() / 1000)) return undefined;
    return JSON.parse(item.v?.S ?? 'null') as T;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: { pk: { S: key } } }));
  }

  private item(key: string, value: unknown, expiresAt: number) {
    return { pk: { S: key }, v: { S: JSON.stringify(value ?? null) }, expiresAt: { N: String(expiresAt) } };
  }
}
