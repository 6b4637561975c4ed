import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { LISTING_INDEX, type Listing, type ListRange, type Store } from '../store.port';

/**
 * The Store on DynamoDB: one table, partition key `pk` (string), the value as JSON in `v`, and `expiresAt`
 * (epoch seconds) as the table's TTL attribute. DynamoDB deletes expired items only eventually (and moto never),
 * so reads and conditional writes treat an item past `expiresAt` as absent themselves. A listed item also carries
 * `lc` and `lo`, which the table's `listing` index (a GSI: sparse, only listed items are in it) is keyed on.
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

  async put(key: string, value: unknown, ttlSeconds: number, listing?: Listing): Promise<void> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const item = {
      ...this.item(key, value, nowSeconds + ttlSeconds),
      ...(listing !== undefined && { lc: { S: listing.collection }, lo: { S: listing.order } }),
    };
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
  }

  async list<T>(collection: string, range: ListRange = {}): Promise<T[]> {
    // An empty range (DynamoDB refuses BETWEEN with its bounds the wrong way round).
    if (range.from !== undefined && range.to !== undefined && range.from > range.to) return [];
    const nowSeconds = Math.floor(this.now() / 1000);
    const bounds =
      range.from !== undefined && range.to !== undefined
        ? ' AND lo BETWEEN :from AND :to'
        : range.from !== undefined
          ? ' AND lo >= :from'
          : range.to !== undefined
            ? ' AND lo <= :to'
            : '';
    const found: T[] = [];
    let start: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LISTING_INDEX,
          KeyConditionExpression: `lc = :c${bounds}`,
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: {
            ':c': { S: collection },
            ':now': { N: String(nowSeconds) },
            ...(range.from !== undefined && { ':from': { S: range.from } }),
            ...(range.to !== undefined && { ':to': { S: range.to } }),
          },
          ScanIndexForward: range.newestFirst !== true,
          ...(start !== undefined && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) found.push(JSON.parse(item.v?.S ?? 'null') as T);
      start = page.LastEvaluatedKey;
    } while (start !== undefined && (range.limit === undefined || found.length < range.limit));
    return range.limit === undefined ? found : found.slice(0, range.limit);
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
