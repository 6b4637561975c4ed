import { DescribeInstanceStatusCommand, DescribeTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeUpdateActionsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import {
  DescribeAffectedAccountsForOrganizationCommand,
  DescribeAffectedEntitiesCommand,
  DescribeAffectedEntitiesForOrganizationCommand,
  DescribeEventDetailsCommand,
  DescribeEventDetailsForOrganizationCommand,
  DescribeEventsCommand,
  DescribeEventsForOrganizationCommand,
  HealthClient,
} from '@aws-sdk/client-health';
import { ListDomainNamesCommand, ListScheduledActionsCommand, OpenSearchClient } from '@aws-sdk/client-opensearch';
import { DescribePendingMaintenanceActionsCommand, ListTagsForResourceCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsMaintenance, type MaintenancePlaces } from '../../integrations/aws/health-maintenance.adapter';
import { OpsbotError } from '../../integrations/errors';
import { describeShared, sharedJson } from '../support/fixtures';
import { asSdkOutput } from '../support/sdk-output';

const NOW = Date.parse('2026-11-24T09:00:00Z');
const DAY = 86_400_000;
const WINDOW = { from: NOW, until: NOW + 14 * DAY };
const TOOLS = { name: 'tools', id: '111111111111' };
const PROD = { name: 'prod', id: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/opsbot' };

function mocks() {
  const health = mockClient(HealthClient);
  const ec2 = mockClient(EC2Client);
  const rds = mockClient(RDSClient);
  const elasticache = mockClient(ElastiCacheClient);
  const opensearch = mockClient(OpenSearchClient);
  // Quiet by default: nothing scheduled anywhere.
  health.on(DescribeEventsCommand).resolves({ events: [] });
  ec2.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: [] });
  rds.on(DescribePendingMaintenanceActionsCommand).resolves({ PendingMaintenanceActions: [] });
  elasticache.on(DescribeUpdateActionsCommand).resolves({ UpdateActions: [] });
  opensearch.on(ListDomainNamesCommand).resolves({ DomainNames: [] });
  return { health, ec2, rds, elasticache, opensearch };
}

function adapter(places: Partial<MaintenancePlaces> = {}, broken: (account: { id: string }) => void = () => undefined) {
  const client =
    <C>(Client: new (config: object) => C) =>
    (account: { id: string }) => {
      broken(account);
      return new Client({ region: 'us-east-1' });
    };
  return new AwsMaintenance(
    {
      accounts: [
        { account: TOOLS, regions: ['eu-west-1', 'us-east-1'] },
        { account: PROD, regions: ['eu-west-1', 'us-east-1'] },
      ],
      serviceTag: 'opsbot:service',
      ...places,
    },
    {
      health: client(HealthClient),
      ec2: client(EC2Client),
      rds: client(RDSClient),
      elasticache: client(ElastiCacheClient),
      opensearch: client(OpenSearchClient),
    },
    { sleep: async () => undefined },
  );
}

afterEach(() => {
  mockClient(HealthClient).restore();
  mockClient(EC2Client).restore();
  mockClient(RDSClient).restore();
  mockClient(ElastiCacheClient).restore();
  mockClient(OpenSearchClient).restore();
});

describeShared('AWS maintenance sources (aws-sdk-client-mock, AWS’s published response shapes)', () => {
  it('reads AWS Health scheduled changes with their description and affected entities, and keeps actionability', async () => {
    // Prepare: AWS's DescribeEvents example (issues and notifications long closed) plus a scheduled change
    const { health } = mocks();
    const published = sharedJson<{ events: object[] }>('health-DescribeEvents-response__aws-cli-example__mixed.json');
    const retirement = {
      arn: 'arn:aws:health:eu-west-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_1',
      service: 'EC2',
      eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
      eventTypeCategory: 'scheduledChange',
      region: 'eu-west-1',
      startTime: (NOW + 3 * DAY) / 1000,
      lastUpdatedTime: NOW / 1000,
      statusCode: 'upcoming',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
      actionability: 'ACTION_REQUIRED',
    };
    health
      .on(DescribeEventsCommand)
      .resolves(asSdkOutput({ events: [...published.events, retirement] }))
      .on(DescribeEventDetailsCommand)
      .resolves(
        asSdkOutput({
          successfulSet: [
            { event: retirement, eventDescription: { latestDescription: 'EC2 has detected degradation of the host.' } },
          ],
          failedSet: [],
        }),
      )
      .on(DescribeAffectedEntitiesCommand)
      .resolves(
        asSdkOutput({
          entities: [
            {
              entityArn: 'arn:aws:health:eu-west-1:111111111111:entity/EXAMPLE1',
              eventArn: retirement.arn,
              entityValue: 'i-0123456789abcdef0',
              awsAccountId: '111111111111',
              lastUpdatedTime: NOW / 1000,
              tags: { Name: 'api-staging-1', 'opsbot:service': 'api' },
            },
          ],
        }),
      );

    // Act
    const reading = await adapter().upcoming(WINDOW);

    // Assess
    expect(health.commandCalls(DescribeEventsCommand)[0]?.args[0].input.filter).toEqual({
      eventTypeCategories: ['scheduledChange'],
      eventStatusCodes: ['upcoming', 'open'],
      regions: ['eu-west-1', 'us-east-1', 'global'],
    });
    const fromHealth = reading.notices.filter((n) => n.source === 'health');
    expect(fromHealth.map((n) => n.account.name)).toEqual(['tools', 'prod']);
    expect(fromHealth[0]).toMatchObject({
      service: 'EC2',
      kind: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
      region: 'eu-west-1',
      startsAt: NOW + 3 * DAY,
      status: 'upcoming',
      actionability: 'ACTION_REQUIRED',
      says: 'EC2 has detected degradation of the host.',
      resources: [{ id: 'i-0123456789abcdef0', name: 'api-staging-1', tags: { 'opsbot:service': 'api' } }],
    });
    expect(reading.failures).toEqual([]);
  });

  it('says once per account that AWS Health needs a support plan, and still reads the other sources', async () => {
    // Prepare
    const { health, rds } = mocks();
    health
      .on(DescribeEventsCommand)
      .rejects(
        Object.assign(new Error('The AWS Support plan does not allow this'), { name: 'SubscriptionRequiredException' }),
      );
    const item = sharedJson('rds-PendingMaintenanceAction-item__aws-docs__mandatory-os-update.json') as {
      PendingMaintenanceActionDetails: Array<Record<string, string>>;
    };
    const due = new Date(NOW + 5 * DAY).toISOString();
    rds.on(DescribePendingMaintenanceActionsCommand).resolves(
      asSdkOutput({
        PendingMaintenanceActions: [
          ...sharedJson<{ PendingMaintenanceActions: object[] }>(
            'rds-DescribePendingMaintenanceActions-response__aws-cli-example.json',
          ).PendingMaintenanceActions,
          {
            ...item,
            PendingMaintenanceActionDetails: item.PendingMaintenanceActionDetails.map((d) => ({
              ...d,
              AutoAppliedAfterDate: due,
              CurrentApplyDate: due,
            })),
          },
        ],
      }),
    );
    rds.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: 'opsbot:service', Value: 'payments' }] });

    // Act
    const reading = await adapter().upcoming(WINDOW);

    // Assess: the published Aurora action has no date (nothing scheduled yet); the OS update has one
    expect(reading.failures.map((f) => [f.account.name, f.source, f.reason])).toEqual([
      ['prod', 'health', 'no-support-plan'],
      ['tools', 'health', 'no-support-plan'],
    ]);
    const rdsNotices = reading.notices.filter((n) => n.source === 'rds');
    expect(rdsNotices).toHaveLength(4); // 2 accounts × 2 regions, as every region answers the same here
    expect(rdsNotices[0]).toMatchObject({
      kind: 'system-update',
      startsAt: NOW + 5 * DAY,
      says: 'New Operating System update is available',
      resources: [
        { id: 'arn:aws:rds:us-east-1:123456789012:db:mydb1', name: 'mydb1', tags: { 'opsbot:service': 'payments' } },
      ],
    });
    expect(rdsNotices[0]?.options[0]).toContain('Apply it now');
  });

  it('reads EC2 scheduled events of running instances with their names, skipping completed ones', async () => {
    // Prepare: AWS's documented system-reboot event, moved into the window
    const { ec2 } = mocks();
    const event = {
      InstanceEventId: 'instance-event-0d59937288b749b32',
      Code: 'system-reboot',
      Description: 'The instance is scheduled for a reboot',
      NotAfter: new Date(NOW + 2 * DAY + 2 * 3_600_000).toISOString(),
      NotBefore: new Date(NOW + 2 * DAY).toISOString(),
      NotBeforeDeadline: new Date(NOW + 9 * DAY).toISOString(),
    };
    ec2
      .on(DescribeInstanceStatusCommand)
      .resolves(
        asSdkOutput({
          InstanceStatuses: [
            { InstanceId: 'i-0a1b2c3d4e5f60718', Events: [event] },
            {
              InstanceId: 'i-0ffffffffffffffff',
              Events: [
                {
                  ...event,
                  InstanceEventId: 'instance-event-done',
                  Description: '[Completed] The instance is running on new hardware',
                },
              ],
            },
          ],
        }),
      )
      .on(DescribeTagsCommand)
      .resolves({
        Tags: [
          { ResourceId: 'i-0a1b2c3d4e5f60718', Key: 'Name', Value: 'web-prod-ecs-1' },
          { ResourceId: 'i-0a1b2c3d4e5f60718', Key: 'opsbot:service', Value: 'web' },
        ],
      });

    // Act
    const reading = await adapter({ accounts: [{ account: PROD, regions: ['eu-west-1'] }] }).upcoming(WINDOW);

    // Assess
    expect(ec2.commandCalls(DescribeInstanceStatusCommand)[0]?.args[0].input.Filters).toEqual([
      {
        Name: 'event.code',
        Values: ['instance-reboot', 'system-reboot', 'system-maintenance', 'instance-retirement', 'instance-stop'],
      },
    ]);
    const [notice] = reading.notices;
    expect(reading.notices).toHaveLength(1);
    expect(notice).toMatchObject({
      source: 'ec2',
      kind: 'system-reboot',
      account: { id: '222222222222', name: 'prod' },
      startsAt: NOW + 2 * DAY,
      deadline: NOW + 9 * DAY,
      resources: [{ id: 'i-0a1b2c3d4e5f60718', name: 'web-prod-ecs-1', tags: { 'opsbot:service': 'web' } }],
    });
    expect(notice?.options).toEqual([
      'Reboot it yourself before then (the event is then done)',
      'Or move it within its window (ModifyInstanceEventStartTime)',
    ]);
  });

  it('reads ElastiCache service updates and OpenSearch scheduled actions', async () => {
    // Prepare
    const { elasticache, opensearch } = mocks();
    elasticache.on(DescribeUpdateActionsCommand).resolves({
      UpdateActions: [
        {
          ReplicationGroupId: 'sessions',
          ServiceUpdateName: 'elasticache-20261101-002',
          ServiceUpdateSeverity: 'important',
          ServiceUpdateType: 'security-update',
          ServiceUpdateRecommendedApplyByDate: new Date(NOW + 10 * DAY),
          UpdateActionStatus: 'not-applied',
        },
      ],
    });
    opensearch
      .on(ListDomainNamesCommand)
      .resolves({ DomainNames: [{ DomainName: 'logs' }] })
      .on(ListScheduledActionsCommand)
      .resolves({
        ScheduledActions: [
          {
            Id: 'R20261115',
            Type: 'SERVICE_SOFTWARE_UPDATE',
            Severity: 'MEDIUM',
            ScheduledTime: (NOW + 6 * DAY) / 1000,
            Description: 'Service software update R20261115',
            ScheduledBy: 'SYSTEM',
            Status: 'PENDING_UPDATE',
            Mandatory: false,
            Cancellable: true,
          },
        ],
      });

    // Act
    const reading = await adapter({ accounts: [{ account: TOOLS, regions: ['eu-west-1'] }] }).upcoming(WINDOW);

    // Assess
    expect(reading.notices.map((n) => [n.source, n.kind, n.startsAt, n.resources[0]?.name])).toEqual([
      ['opensearch', 'SERVICE_SOFTWARE_UPDATE', NOW + 6 * DAY, 'logs'],
      ['elasticache', 'elasticache-20261101-002', NOW + 10 * DAY, 'sessions'],
    ]);
    expect(reading.notices[1]?.says).toBe(
      'Service update elasticache-20261101-002 (security-update, severity important), to apply by the recommended date',
    );
    expect(reading.notices[0]?.options).toEqual(['Reschedule it, or cancel it (UpdateScheduledAction)']);
  });

  it('names an account whose role cannot be assumed, retries throttled calls, and reads everything else', async () => {
    // Prepare
    const { ec2, elasticache } = mocks();
    ec2
      .on(DescribeInstanceStatusCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }))
      .resolves({ InstanceStatuses: [] });
    elasticache
      .on(DescribeUpdateActionsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const broken = (account: { id: string }) => {
      if (account.id === PROD.id) {
        throw new OpsbotError(
          'ROLE_NOT_ASSUMABLE',
          `opsbot can't assume the role ${PROD.roleArn} in account prod.`,
          'Deploy OpsbotAccessStack.',
        );
      }
    };

    // Act
    const reading = await adapter(
      {
        accounts: [
          { account: TOOLS, regions: ['eu-west-1'] },
          { account: PROD, regions: ['eu-west-1'] },
        ],
      },
      broken,
    ).upcoming(WINDOW);

    // Assess
    expect(reading.failures.map((f) => [f.account.name, f.region ?? '-', f.source, f.reason])).toEqual([
      ['prod', '-', 'health', 'role'],
      ['prod', 'eu-west-1', 'ec2', 'role'],
      ['prod', 'eu-west-1', 'rds', 'role'],
      ['prod', 'eu-west-1', 'elasticache', 'role'],
      ['prod', 'eu-west-1', 'opensearch', 'role'],
      ['tools', 'eu-west-1', 'elasticache', 'access-denied'],
    ]);
    expect(ec2.commandCalls(DescribeInstanceStatusCommand).length).toBe(2);
  });

  it('reads AWS Health in every one of 12 regions, though one Health filter takes at most 10', async () => {
    // Prepare: Health refuses a filter naming more than 10 regions, as its API does (EventFilter.regions: 1–10 items)
    const { health } = mocks();
    const regions = [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'eu-central-1',
      'eu-north-1',
      'ap-southeast-1',
      'ap-southeast-2',
      'ap-northeast-1',
    ];
    const refuseOverTen = (input: { filter?: { regions?: string[] } }) => {
      if ((input.filter?.regions?.length ?? 0) > 10) {
        throw Object.assign(
          new Error(
            "1 validation error detected: Value at 'filter.regions' failed to satisfy constraint: Member must have length less than or equal to 10",
          ),
          { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } },
        );
      }
      const last = input.filter?.regions?.at(-1) as string;
      return {
        events: [
          {
            arn: `arn:aws:health:${last}::event/EC2/AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED/${last}`,
            service: 'EC2',
            eventTypeCode: 'AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED',
            eventTypeCategory: 'scheduledChange',
            region: last,
            startTime: new Date(NOW + 2 * DAY),
            statusCode: 'upcoming',
          },
        ],
      };
    };
    health.on(DescribeEventsCommand).callsFake(refuseOverTen);
    health.on(DescribeEventsForOrganizationCommand).callsFake(refuseOverTen);
    health.on(DescribeEventDetailsCommand).resolves({ successfulSet: [] });
    health.on(DescribeAffectedEntitiesCommand).resolves({ entities: [] });
    health.on(DescribeAffectedAccountsForOrganizationCommand).resolves({ affectedAccounts: ['111111111111'] });
    health.on(DescribeEventDetailsForOrganizationCommand).resolves({ successfulSet: [] });
    health.on(DescribeAffectedEntitiesForOrganizationCommand).resolves({ entities: [] });

    // Act
    const perAccount = await adapter({ accounts: [{ account: TOOLS, regions }] }).upcoming(WINDOW);
    const organizational = await adapter({ accounts: [{ account: TOOLS, regions }], organization: TOOLS }).upcoming(
      WINDOW,
    );

    // Assess: every region and global asked about, no filter over 10, the events of both halves read
    for (const [reading, command] of [
      [perAccount, DescribeEventsCommand],
      [organizational, DescribeEventsForOrganizationCommand],
    ] as const) {
      expect(reading.failures).toEqual([]);
      const asked = health.commandCalls(command).map((c) => c.args[0].input.filter?.regions ?? []);
      expect(asked.every((r) => r.length <= 10)).toBe(true);
      expect(asked.flat().sort()).toEqual([...regions, 'global'].sort());
      expect(reading.notices.filter((n) => n.source === 'health')).toHaveLength(2);
    }
  });

  it('reads AWS Health through its active endpoint, us-east-2 while Health has failed over', async () => {
    // Prepare
    mocks();
    const asked: string[] = [];
    const adapter = new AwsMaintenance(
      { accounts: [{ account: TOOLS, regions: ['eu-west-1'] }], serviceTag: 'opsbot:service' },
      {
        health: (_account, region) => {
          asked.push(region);
          return new HealthClient({ region });
        },
        healthRegion: async () => 'us-east-2',
        ec2: () => new EC2Client({ region: 'eu-west-1' }),
        rds: () => new RDSClient({ region: 'eu-west-1' }),
        elasticache: () => new ElastiCacheClient({ region: 'eu-west-1' }),
        opensearch: () => new OpenSearchClient({ region: 'eu-west-1' }),
      },
      { sleep: async () => undefined },
    );

    // Act
    const reading = await adapter.upcoming(WINDOW);

    // Assess
    expect(reading.failures).toEqual([]);
    expect(asked).toEqual(['us-east-2']);
  });

  it('reads AWS Health once through the organizational view, for the configured accounts only', async () => {
    // Prepare
    const { health } = mocks();
    const arn = 'arn:aws:health:eu-west-1::event/RDS/AWS_RDS_PLANNED_LIFECYCLE_EVENT/1';
    health
      .on(DescribeEventsForOrganizationCommand)
      .resolves({
        events: [
          {
            arn,
            service: 'RDS',
            eventTypeCode: 'AWS_RDS_PLANNED_LIFECYCLE_EVENT',
            eventTypeCategory: 'scheduledChange',
            region: 'eu-west-1',
            startTime: new Date(NOW + 4 * DAY),
            statusCode: 'upcoming',
          },
        ],
      })
      .on(DescribeAffectedAccountsForOrganizationCommand)
      .resolves({ affectedAccounts: ['111111111111', '999999999999'] })
      .on(DescribeEventDetailsForOrganizationCommand)
      .resolves({
        successfulSet: [
          {
            awsAccountId: '111111111111',
            eventDescription: { latestDescription: 'MySQL 8.0 reaches end of standard support' },
          },
        ],
      })
      .on(DescribeAffectedEntitiesForOrganizationCommand)
      .resolves({
        entities: [{ awsAccountId: '111111111111', entityValue: 'arn:aws:rds:eu-west-1:111111111111:db:orders' }],
      });

    // Act
    const reading = await adapter({ organization: TOOLS }).upcoming(WINDOW);

    // Assess
    expect(health.commandCalls(DescribeEventsCommand)).toEqual([]);
    const fromHealth = reading.notices.filter((n) => n.source === 'health');
    expect(fromHealth).toHaveLength(1);
    expect(fromHealth[0]).toMatchObject({
      account: { id: '111111111111', name: 'tools' },
      lifecycle: true,
      says: 'MySQL 8.0 reaches end of standard support',
      resources: [{ id: 'arn:aws:rds:eu-west-1:111111111111:db:orders', name: 'orders' }],
    });
  });
});
