import { CreateTagsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { HealthClient } from '@aws-sdk/client-health';
import { OpenSearchClient } from '@aws-sdk/client-opensearch';
import { RDSClient } from '@aws-sdk/client-rds';
import { asCaller } from '../../integrations/aws/call-ledger';
import { type AwsAccount, AwsClients, assumeRoleCredentials } from '../../integrations/aws/clients';
import { AwsMaintenance } from '../../integrations/aws/health-maintenance.adapter';
import { describeMoto, fixMotoTimestamps, type Moto, startMoto, TEST_SETUP } from '../support/moto';

/**
 * The maintenance adapter against moto over loopback, through the client factory's STS AssumeRole: EC2
 * DescribeInstanceStatus (with the event-code filter) and DescribeTags in the assumed account. moto implements no
 * scheduled events, no AWS Health and no RDS or ElastiCache maintenance calls: those are read on mocks
 * (test/unit/maintenance-aws.test.ts), and what moto cannot answer is a failure line here, never a crash.
 */
describeMoto('maintenance sources against moto (STS AssumeRole, EC2)', () => {
  let moto: Moto;
  let clients: AwsClients;
  const prod: AwsAccount = { name: 'prod', id: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/opsbot' };

  beforeAll(async () => {
    moto = await startMoto();
    clients = new AwsClients({
      defaults: { endpoint: moto.endpoint, maxAttempts: 1, credentials: moto.clientConfig.credentials },
      roleCredentials: assumeRoleCredentials({
        region: 'eu-west-1',
        endpoint: moto.endpoint,
        masterCredentials: moto.clientConfig.credentials,
      }),
    });
  }, 30_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('reads the assumed account’s instances’ scheduled events (none on moto), and names what moto cannot answer', async () => {
    // Prepare: a running, named instance in the account opsbot assumes a role in
    const ec2 = clients.get(EC2Client, prod, 'eu-west-1');
    fixMotoTimestamps(ec2 as unknown as Parameters<typeof fixMotoTimestamps>[0]);
    await asCaller(TEST_SETUP, async () => {
      const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 }));
      const id = run.Instances?.[0]?.InstanceId as string;
      await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: 'web-prod-ecs-1' }] }));
    });
    const adapter = new AwsMaintenance(
      { accounts: [{ account: prod, regions: ['eu-west-1'] }], serviceTag: 'opsbot:service' },
      {
        health: (account) => clients.get(HealthClient, account, 'us-east-1'),
        ec2: (account, region) => clients.get(EC2Client, account, region),
        rds: (account, region) => clients.get(RDSClient, account, region),
        elasticache: (account, region) => clients.get(ElastiCacheClient, account, region),
        opensearch: (account, region) => clients.get(OpenSearchClient, account, region),
      },
      { sleep: async () => undefined },
    );

    // Act
    const reading = await adapter.upcoming({ from: Date.now(), until: Date.now() + 14 * 86_400_000 });

    // Assess: EC2 answered (no scheduled events on moto); every failure is named, none is EC2's
    expect(reading.notices.filter((n) => n.source === 'ec2')).toEqual([]);
    expect(reading.failures.every((f) => f.account.name === 'prod' && f.source !== 'ec2')).toBe(true);
    expect(reading.failures.every((f) => f.message.length > 0)).toBe(true);
  });
});
