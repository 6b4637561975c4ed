import type { Alarms } from '../alarms.port';
import type { Deployments } from '../deployments.port';
import type { Images } from '../images.port';
import type { Pipelines } from '../pipelines.port';
import { type SandboxAlarmControls, SandboxAlarms } from './alarms';
import { SandboxCalendars } from './calendars';
import type { SandboxClock } from './clock';
import { type SandboxDeploymentControls, SandboxDeployments } from './deployments';
import { SandboxImages } from './images';
import { SandboxMaintenance } from './maintenance';
import { type SandboxPipelineControls, SandboxPipelines } from './pipelines';
import type { SandboxWorld } from './world';

export { LIFECYCLE } from './deployments';

/**
 * A simulated AWS account for the example world: the sandbox twin of each port (pipelines, deployments, alarms,
 * maintenance) over one world and one clock, so a deployment, the alarm that rolls it back and the pipeline that
 * built it all tell the same story. Deterministic for a seed; deployments progress with the sandbox clock.
 *
 * @example
 * const clock = new SandboxClock(Date.UTC(2026, 10, 23, 9));
 * const sandbox = new SandboxAccount(world, clock, 42);
 * await sandbox.deployments.start({ service: 'web', environment: 'prod', version: 'v2.0.0', requestedBy: 'U1' });
 * sandbox.alarms.trip('web-prod-5xx');
 * clock.advance(60_000);
 */
export class SandboxAccount {
  readonly pipelines: Pipelines & SandboxPipelineControls;
  readonly deployments: Deployments & SandboxDeploymentControls;
  readonly images: Images;
  readonly alarms: Alarms & SandboxAlarmControls;
  readonly maintenance: SandboxMaintenance;
  private readonly twins: ReadonlyArray<{ reset(): void }>;

  readonly calendars: SandboxCalendars;

  constructor(
    world: SandboxWorld,
    readonly clock: SandboxClock,
    seed = 7,
    /** The change calendar each environment follows, by environment. */
    calendars: ReadonlyMap<string, string> = new Map(),
  ) {
    const pipelines = new SandboxPipelines(world, clock, seed);
    const deployments = new SandboxDeployments(world, clock, seed);
    const images = new SandboxImages(world, clock, seed);
    const alarms = new SandboxAlarms(world, clock, seed);
    const maintenance = new SandboxMaintenance(world, clock, seed);
    this.pipelines = pipelines;
    this.deployments = deployments;
    this.images = images;
    this.alarms = alarms;
    this.maintenance = maintenance;
    this.calendars = new SandboxCalendars(calendars, clock);
    this.twins = [pipelines, deployments, images, alarms, maintenance, this.calendars];
  }

  /** Back to the seeded starting state (the clock is left where it is). */
  reset(): void {
    for (const twin of this.twins) twin.reset();
  }
}
