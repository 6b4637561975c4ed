/**
 * The daily digest across many accounts and regions, every AWS call answered after a fixed latency by stand-in
 * clients: its wall time through the real adapter and digest, against the same calls made one by one (calls ×
 * latency), and this process's peak RSS. Run by `npm run bench` in a process of its own; prints one JSON line.
 */
import { parseConfig } from '../../bot/config';
import { type AwsAccount, AwsClients, type ClientSettings } from '../../integrations/aws/clients';
import { AwsMaintenance } from '../../integrations/aws/health-maintenance.adapter';
import { runDigest } from '../../intents/maintenance/digest';
import { sandboxPorts } from '../support/ports';

/**
 * The daily digest across 200 accounts × 4 regions, every AWS call answered after 150 ms (stand-in clients): its wall
 * time through the real adapter and digest, against the same calls made one by one (calls × latency), and the
 * process's peak RSS while it runs.
 */
export async function maintenanceDigestFanOut(accounts = 200, regionCount = 4, latencyMs = 150) {
  let calls = 0;
  const now = Date.now();
  const respond = (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    switch (command.constructor.name) {
      case 'DescribeEventsCommand':
        return {
          events: [
            {
              arn: 'arn:aws:health:eu-west-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/1',
              service: 'EC2',
              eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
              region: 'eu-west-1',
              startTime: new Date(now + 3 * 86_400_000),
              statusCode: 'upcoming',
            },
          ],
        };
      case 'DescribeEventDetailsCommand':
        return { successfulSet: [] };
      case 'DescribeAffectedEntitiesCommand':
        return { entities: [] };
      case 'DescribeInstanceStatusCommand':
        return {
          InstanceStatuses: [
            {
              InstanceId: 'i-0123456789abcdef0',
              Events: [
                {
                  InstanceEventId: 'e-1',
                  Code: 'system-reboot',
                  Description: 'reboot',
                  NotBefore: new Date(now + 86_400_000),
                },
              ],
            },
          ],
        };
      case 'DescribeTagsCommand':
        return { Tags: [] };
      case 'DescribePendingMaintenanceActionsCommand':
        return {
          PendingMaintenanceActions: [
            {
              ResourceIdentifier: 'arn:aws:rds:eu-west-1:111111111111:db:orders',
              PendingMaintenanceActionDetails: [
                { Action: 'system-update', CurrentApplyDate: new Date(now + 5 * 86_400_000) },
              ],
            },
          ],
        };
      case 'ListTagsForResourceCommand':
        return { TagList: [] };
      case 'DescribeUpdateActionsCommand':
        return { UpdateActions: [] };
      case 'ListDomainNamesCommand':
        return { DomainNames: [{ DomainName: 'logs' }] };
      case 'ListScheduledActionsCommand':
        return { ScheduledActions: [] };
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  };
  // Each account's clients come from the real client factory, which assumes the account's role for them: STS answers
  // after the same latency, and every client asks its credentials before each call, as the SDK's do.
  let stsCalls = 0;
  const factory = new AwsClients({
    roleCredentials: () => async () => {
      stsCalls++;
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return { accessKeyId: 'ASIA', secretAccessKey: 'secret', expiration: new Date(Date.now() + 3_600_000) };
    },
  });
  class StandIn {
    constructor(private readonly settings: ClientSettings) {}
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const { credentials } = this.settings;
      if (typeof credentials === 'function') await credentials();
      calls++;
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return respond(command);
    }
  }
  class Health extends StandIn {}
  class Ec2 extends StandIn {}
  class Rds extends StandIn {}
  class ElastiCache extends StandIn {}
  class OpenSearch extends StandIn {}
  const via =
    (Client: new (settings: ClientSettings) => StandIn) =>
    (account: AwsAccount, region: string): never =>
      factory.get(Client, account, region) as never;
  const regions = ['eu-west-1', 'us-east-1', 'eu-central-1', 'ap-southeast-2'].slice(0, regionCount);
  const places = Array.from({ length: accounts }, (_, i) => ({
    account: {
      name: `account-${i}`,
      id: String(100000000000 + i),
      roleArn: `arn:aws:iam::${100000000000 + i}:role/opsbot`,
    },
    regions,
  }));
  const adapter = new AwsMaintenance(
    { accounts: places, serviceTag: 'opsbot:service' },
    {
      health: via(Health),
      ec2: via(Ec2),
      rds: via(Rds),
      elasticache: via(ElastiCache),
      opensearch: via(OpenSearch),
    },
  );
  // The ports the worker has, on a small configuration (the accounts above are the adapter's).
  const { ports } = sandboxPorts(
    parseConfig(
      'environments: { prod: {} }\nservices: { web: { environments: { prod: { account: "111111111111", region: eu-west-1 } } } }\n',
    ),
  );
  const digestPorts = { ...ports, maintenance: adapter, clock: { now: () => now } };
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const start = process.hrtime.bigint();
  const result = await runDigest(digestPorts);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    accounts,
    regions: regionCount,
    simulatedLatencyMs: latencyMs,
    awsCalls: calls,
    // Assumptions of the accounts' roles the digest made (one per account is the target).
    stsCalls,
    notices: result.entries.length,
    digestMs: Math.round(ms),
    sequentialMs: calls * latencyMs,
    speedup: Math.round((calls * latencyMs) / ms),
    // The kernel's high-water mark for this process, and what the sampler saw.
    peakRssMb: Math.round(Math.max(peak, process.resourceUsage().maxRSS * 1024) / 1024 / 1024),
    baselineRssMb: Math.round(baseline / 1024 / 1024),
  };
}

maintenanceDigestFanOut()
  .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
  .catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  });
