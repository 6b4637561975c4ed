import type { Maintenance, MaintenanceEvent } from '../maintenance.port';
import type { SandboxClock } from './clock';
import { DAY, HOUR, MINUTE, type SandboxWorld } from './world';

/**
 * AWS scheduled maintenance, simulated: one notice from each source (an EC2 reboot and an RDS update in the
 * production account, an ECS task retirement in another account and region), days after the sandbox was seeded,
 * so the notices read as they would across several accounts.
 */
export class SandboxMaintenance implements Maintenance {
  private events: MaintenanceEvent[] = [];

  constructor(
    private readonly world: SandboxWorld,
    private readonly clock: SandboxClock,
    // Maintenance draws nothing from the seed; taken so every twin is built the same way.
    _seed: number,
  ) {
    this.reset();
  }

  /** Back to the seeded notices, scheduled from the clock's current day. */
  reset(): void {
    this.events = this.seedEvents(this.clock.now());
  }

  async upcoming({ from, until }: { readonly from: number; readonly until: number }): Promise<MaintenanceEvent[]> {
    return this.events
      .filter((e) => (e.endsAt ?? e.startsAt) >= from && e.startsAt <= until)
      .sort((a, b) => a.startsAt - b.startsAt);
  }

  private seedEvents(now: number): MaintenanceEvent[] {
    const targets = this.world.services.flatMap((s) => s.environments.map((e) => ({ service: s.name, ...e })));
    const prod = targets.find((t) => t.name === 'prod') ?? targets[0];
    const other = targets.find((t) => t.account !== prod?.account) ?? prod;
    if (prod === undefined || other === undefined) return [];
    const at = (days: number, hour: number) => Math.floor(now / DAY) * DAY + days * DAY + hour * HOUR;
    return [
      {
        id: `arn:aws:health:${prod.region}::event/EC2/AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED/sandbox-1`,
        source: 'ec2',
        account: prod.account,
        region: prod.region,
        service: 'EC2',
        kind: 'system-reboot',
        resources: ['i-0a1b2c3d4e5f60718'],
        description: 'scheduled reboot of the ECS container instance i-0a1b2c3d4e5f60718',
        startsAt: at(3, 2),
        endsAt: at(3, 4),
        actionRequired: true,
      },
      {
        id: `arn:aws:rds:${prod.region}:${prod.account}:pending-maintenance:payments-db:system-update`,
        source: 'rds',
        account: prod.account,
        region: prod.region,
        service: 'RDS',
        kind: 'system-update',
        resources: ['payments-db'],
        description: 'New Operating System update is available (applied in the next maintenance window)',
        startsAt: at(5, 3),
        endsAt: at(5, 3) + 30 * MINUTE,
        actionRequired: false,
      },
      {
        id: `arn:aws:health:us-east-1::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/sandbox-3`,
        source: 'health',
        account: other.account,
        region: 'us-east-1',
        service: 'ECS',
        kind: 'AWS_ECS_TASK_PATCHING_RETIREMENT',
        resources: [`arn:aws:ecs:us-east-1:${other.account}:task/${other.cluster}/4a1f0c2d9e8b7a6c5d4e3f2a1b0c9d8e`],
        description: 'ECS will stop and replace tasks running on an outdated platform version for security patching',
        startsAt: at(8, 9),
        actionRequired: true,
      },
    ];
  }
}
