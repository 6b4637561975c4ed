import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../../integrations/aws/dynamodb-store.adapter';
import { LISTING_INDEX } from '../../integrations/store.port';
import { describeMoto, type Moto, startMoto } from '../support/moto';

describeMoto('DynamoDB store against moto (real SDK v3 over HTTP)', () => {
  let moto: Moto;
  let client: DynamoDBClient;
  const table = 'opsbot-test';

  beforeAll(async () => {
    moto = await startMoto();
    client = new DynamoDBClient(moto.clientConfig);
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'lc', AttributeType: 'S' },
          { AttributeName: 'lo', AttributeType: 'S' },
        ],
        // As the stack defines it: the sparse listing index the audit trail is read through.
        GlobalSecondaryIndexes: [
          {
            IndexName: LISTING_INDEX,
            KeySchema: [
              { AttributeName: 'lc', KeyType: 'HASH' },
              { AttributeName: 'lo', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it('claims a key once: a second putIfAbsent of a live item is refused by the condition', async () => {
    // Prepare
    const store = new DynamoDbStore(client, table);

    // Act
    const first = await store.putIfAbsent('delivery:Ev1', { at: 1 }, 3600);
    const second = await store.putIfAbsent('delivery:Ev1', { at: 2 }, 3600);

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await store.get('delivery:Ev1')).toEqual({ at: 1 });
  });

  it('treats an expired item as absent, though moto never deletes it', async () => {
    // Prepare
    let now = Date.UTC(2026, 0, 1);
    const store = new DynamoDbStore(client, table, () => now);
    await store.put('conversation:T:C:1', { awaiting: 'environment' }, 60);

    // Act
    const during = await store.get('conversation:T:C:1');
    now += 61_000;
    const after = await store.get('conversation:T:C:1');
    const reclaimed = await store.putIfAbsent('conversation:T:C:1', { awaiting: 'version' }, 60);

    // Assess
    expect(during).toEqual({ awaiting: 'environment' });
    expect(after).toBeUndefined();
    expect(reclaimed).toBe(true);
    expect(await store.get('conversation:T:C:1')).toEqual({ awaiting: 'version' });
  });

  it('lists a collection in order within a range, newest first on request, over pages, without expired items', async () => {
    // Prepare: 120 audit-sized records (several query pages), one expired, and unlisted items beside them
    let now = Date.UTC(2026, 10, 23, 9);
    const store = new DynamoDbStore(client, table, () => now);
    const big = 'x'.repeat(9_000);
    for (let i = 0; i < 120; i++) {
      const order = `2026-11-23T09:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z:${i}`;
      await store.put(`audit:${order}`, { i, big }, i === 5 ? 30 : 3600, { collection: 'audit', order });
    }
    await store.put('conversation:x', { not: 'listed' }, 3600);
    await store.put('deploy:r-1', { other: 'collection' }, 3600, { collection: 'deploys', order: '2026-11-23' });
    now += 60_000;

    // Act
    const all = await store.list<{ i: number }>('audit');
    const range = await store.list<{ i: number }>('audit', {
      from: '2026-11-23T09:00:10',
      to: '2026-11-23T09:00:20~',
      newestFirst: true,
    });
    const newest = await store.list<{ i: number }>('audit', { newestFirst: true, limit: 3 });

    // Assess
    expect(all.map((r) => r.i)).toEqual(Array.from({ length: 120 }, (_, i) => i).filter((i) => i !== 5));
    expect(range.map((r) => r.i)).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10]);
    expect(newest.map((r) => r.i)).toEqual([119, 118, 117]);
    expect(await store.list('deploys')).toEqual([{ other: 'collection' }]);
  });

  it('deletes, and lets exactly one of many concurrent claims win', async () => {
    // Prepare
    const store = new DynamoDbStore(client, table);
    await store.put('k', 1, 60);
    await store.delete('k');

    // Act
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => store.putIfAbsent('decision:n1', i, 60)));

    // Assess
    expect(await store.get('k')).toBeUndefined();
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('has TTL on expiresAt, as the CDK table declares it', async () => {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
  });
});
