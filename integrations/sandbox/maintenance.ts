import type {
  Maintenance,
  MaintenanceFailure,
  MaintenanceNotice,
  MaintenanceReading,
  NoticeAccount,
} from '../maintenance.port';
import type { SandboxClock } from './clock';
import { DAY, HOUR, MINUTE, type SandboxWorld } from './world';

/** A notice of the sandbox's script: from which day it is known, and how it changes later. */
interface Scripted {
  /** The sandbox day (0 = the day it was seeded) from which AWS lists it. */
  readonly from: number;
  /** Until which day it is listed (done, or withdrawn). */
  readonly to?: number;
  /** From a later day, a moved time or a new status. */
  readonly changes?: ReadonlyArray<{ readonly day: number; readonly startsAt?: number; readonly status?: string }>;
  readonly notice: MaintenanceNotice;
}

/**
 * AWS scheduled maintenance, simulated across the accounts and regions the digest reads (two of each in the
 * example): an EC2 reboot of a service's container instance that AWS moves a day earlier, RDS and ElastiCache
 * updates with their apply dates, an OpenSearch software update that appears on the second day, an ECS task
 * retirement from AWS Health that appears on the third, and a planned lifecycle event weeks out — so the daily
 * digest has something new, moved or imminent as the sandbox's days pass. Shapes are those of the AWS sources.
 */
export class SandboxMaintenance implements Maintenance {
  private script: Scripted[] = [];
  private seededDay = 0;
  private failing = new Map<string, MaintenanceFailure>();

  constructor(
    private readonly world: SandboxWorld,
    private readonly clock: SandboxClock,
    // Maintenance draws nothing from the seed; taken so every twin is built the same way.
    _seed: number,
  ) {
    this.reset();
  }

  snapshot(): unknown {
    return { script: this.script, seededDay: this.seededDay, failing: [...this.failing] };
  }

  restore(saved: unknown): void {
    const s = saved as { script: Scripted[]; seededDay: number; failing: Array<[string, MaintenanceFailure]> };
    this.script = s.script;
    this.seededDay = s.seededDay;
    this.failing = new Map(s.failing);
  }

  /** Back to the seeded script, starting from the clock's current day. */
  reset(): void {
    this.seededDay = Math.floor(this.clock.now() / DAY);
    this.script = this.seed();
    this.failing = new Map();
  }

  /** Makes an account's AWS Health unreadable, as an account without a Business support plan is. */
  withoutSupportPlan(accountId: string): void {
    const account = this.accounts().find((a) => a.id === accountId);
    if (account === undefined) return;
    this.failing.set(accountId, {
      account,
      source: 'health',
      reason: 'no-support-plan',
      message:
        'AWS Health’s API needs a Business, Enterprise On-Ramp or Enterprise support plan; EC2, RDS, ElastiCache and OpenSearch are still read.',
    });
  }

  async upcoming(
    { from, until }: { readonly from: number; readonly until: number },
    scope: { readonly account?: string; readonly region?: string } = {},
  ): Promise<MaintenanceReading> {
    const day = Math.floor(this.clock.now() / DAY) - this.seededDay;
    const notices = this.script
      .filter((s) => day >= s.from && (s.to === undefined || day < s.to))
      .filter((s) => !(s.notice.source === 'health' && this.failing.has(s.notice.account.id)))
      .map((s) => {
        let notice = s.notice;
        for (const change of s.changes ?? []) {
          if (day >= change.day) {
            notice = {
              ...notice,
              ...(change.startsAt !== undefined && { startsAt: change.startsAt }),
              ...(change.status !== undefined && { status: change.status }),
            };
          }
        }
        return notice;
      })
      .filter((n) => n.startsAt <= until && (n.endsAt ?? n.deadline ?? n.startsAt) >= from)
      .filter((n) => scope.account === undefined || n.account.id === scope.account)
      .filter((n) => scope.region === undefined || n.region === scope.region || n.region === 'global')
      .sort((a, b) => a.startsAt - b.startsAt || a.id.localeCompare(b.id));
    return {
      notices,
      failures: [...this.failing.values()].filter((f) => scope.account === undefined || f.account.id === scope.account),
    };
  }

  /** The accounts the world's digest reads, by id and name. */
  private accounts(): readonly NoticeAccount[] {
    return this.world.maintenance?.accounts ?? [];
  }

  private seed(): Scripted[] {
    const accounts = this.accounts();
    const regions = this.world.maintenance?.regions ?? [];
    const [first, second = first] = accounts;
    const [home, away = home] = regions;
    if (first === undefined || home === undefined || second === undefined || away === undefined) return [];
    // Production-looking resources live in the second account (the example's prod), shared ones in the first.
    const prod = second;
    const tools = first;
    const at = (days: number, hour: number, minute = 0) =>
      (this.seededDay + days) * DAY + hour * HOUR + minute * MINUTE;
    const service = (name: string) => this.world.services.find((s) => s.name === name)?.name;
    const web = service('web') ?? this.world.services[0]?.name ?? 'web';
    const payments = service('payments') ?? web;
    return [
      {
        from: 0,
        changes: [{ day: 1, startsAt: at(2, 4) }],
        notice: {
          id: `ec2:${prod.id}:${home}:instance-event-0a1b2c3d4e5f60718`,
          source: 'ec2',
          account: prod,
          region: home,
          service: 'EC2',
          kind: 'system-reboot',
          resources: [
            {
              id: 'i-0a1b2c3d4e5f60718',
              name: `${web}-prod-ecs-1`,
              tags: { Name: `${web}-prod-ecs-1`, 'opsbot:service': web },
            },
          ],
          startsAt: at(3, 2),
          endsAt: at(3, 4),
          deadline: at(9, 2),
          says: 'The instance is scheduled for a reboot',
          options: [
            'Reboot it yourself before then (the event is then done)',
            'Or move it within its window (ModifyInstanceEventStartTime)',
          ],
          console: `https://${home}.console.aws.amazon.com/ec2/home?region=${home}#Events:`,
        },
      },
      {
        from: 0,
        notice: {
          id: `rds:arn:aws:rds:${home}:${prod.id}:db:${payments}-db:system-update`,
          source: 'rds',
          account: prod,
          region: home,
          service: 'RDS',
          kind: 'system-update',
          resources: [{ id: `arn:aws:rds:${home}:${prod.id}:db:${payments}-db`, name: `${payments}-db` }],
          startsAt: at(5, 3),
          deadline: at(20, 3),
          status: 'next-maintenance',
          says: 'New Operating System update is available',
          options: [
            'Apply it now, at a time you choose (ApplyPendingMaintenanceAction, immediate)',
            'Defer it: undo the opt-in (undo-opt-in)',
            'AWS applies it by its forced date regardless',
          ],
          console: `https://${home}.console.aws.amazon.com/rds/home?region=${home}#database:id=${payments}-db`,
        },
      },
      {
        from: 0,
        notice: {
          id: `elasticache:${tools.id}:${home}:sessions:elasticache-20261101-002`,
          source: 'elasticache',
          account: tools,
          region: home,
          service: 'ElastiCache',
          kind: 'elasticache-20261101-002',
          resources: [{ id: 'sessions', name: 'sessions' }],
          startsAt: at(10, 0),
          status: 'not-applied',
          says: 'Service update elasticache-20261101-002 (security-update, severity important), to apply by the recommended date',
          options: [
            'Apply it now, at a time you choose (BatchApplyUpdateAction)',
            'Or stop it for now (BatchStopUpdateAction)',
          ],
          console: `https://${home}.console.aws.amazon.com/elasticache/home?region=${home}#/service-updates`,
        },
      },
      {
        from: 1,
        notice: {
          id: `opensearch:${prod.id}:${away}:logs:2f1c8a52-9b3e-4d7a-8f0e-5c6b7a8d9e0f`,
          source: 'opensearch',
          account: prod,
          region: away,
          service: 'OpenSearch',
          kind: 'SERVICE_SOFTWARE_UPDATE',
          resources: [{ id: 'logs', name: 'logs' }],
          startsAt: at(6, 1),
          status: 'PENDING_UPDATE',
          says: 'Service software update R20261115 (severity MEDIUM)',
          options: ['Reschedule it, or cancel it (UpdateScheduledAction)'],
          console: `https://${away}.console.aws.amazon.com/aos/home?region=${away}#opensearch/domains/logs`,
        },
      },
      {
        from: 2,
        notice: {
          id: `arn:aws:health:${away}::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/sandbox-ecs-1#${tools.id}`,
          source: 'health',
          account: tools,
          region: away,
          service: 'ECS',
          kind: 'AWS_ECS_TASK_PATCHING_RETIREMENT',
          resources: [
            {
              id: `arn:aws:ecs:${away}:${tools.id}:task/${web}/4a1f0c2d9e8b7a6c`,
              name: '4a1f0c2d9e8b7a6c',
              tags: { 'opsbot:service': web },
            },
          ],
          startsAt: at(8, 9),
          status: 'upcoming',
          says: 'ECS will stop and replace tasks running on an outdated platform version for security patching',
          options: ['Act before it starts, as the description says'],
          actionability: 'ACTION_REQUIRED',
          console: `https://health.aws.amazon.com/health/home#/account/event-log?eventID=sandbox-ecs-1`,
        },
      },
      {
        from: 0,
        notice: {
          id: `arn:aws:health:global::event/RDS/AWS_RDS_PLANNED_LIFECYCLE_EVENT/sandbox-lifecycle-1#${tools.id}`,
          source: 'health',
          account: tools,
          region: 'global',
          service: 'RDS',
          kind: 'AWS_RDS_PLANNED_LIFECYCLE_EVENT',
          resources: [],
          startsAt: at(45, 0),
          status: 'upcoming',
          says: 'RDS for MySQL 8.0 reaches the end of standard support',
          options: ['Upgrade or migrate before the date AWS gives (an end of support)'],
          actionability: 'ACTION_REQUIRED',
          lifecycle: true,
          console: 'https://health.aws.amazon.com/health/home#/account/event-log?eventID=sandbox-lifecycle-1',
        },
      },
    ];
  }
}
