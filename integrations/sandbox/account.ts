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

/** A twin of the account: back to its seed, and its state as JSON and back (saved between runs of `npm start`). */
interface Twin {
  reset(): void;
  snapshot(): unknown;
  restore(saved: unknown): void;
}

/** The account's state, as {@link SandboxAccount.snapshot} gives it. */
export type SandboxSnapshot = Readonly<Record<TwinName, unknown>>;

type TwinName = 'pipelines' | 'deployments' | 'images' | 'alarms' | 'maintenance' | 'calendars';

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
  readonly images: Images & Pick<SandboxImages, 'push' | 'builds'>;
  readonly alarms: Alarms & SandboxAlarmControls;
  readonly maintenance: SandboxMaintenance;
  readonly calendars: SandboxCalendars;
  private readonly twins: ReadonlyMap<TwinName, Twin>;
  private readonly listeners = new Set<() => void>();

  /** What it was made from: a saved state is restored into an account made from the same. */
  readonly made: { readonly world: SandboxWorld; readonly seed: number };

  constructor(
    world: SandboxWorld,
    readonly clock: SandboxClock,
    seed = 7,
    /** The change calendar each environment follows, by environment. */
    calendars: ReadonlyMap<string, string> = new Map(),
  ) {
    this.made = { world, seed };
    const images = new SandboxImages(world, clock, seed);
    const twins = {
      // A pipeline's history lists the builds of its services' images: one story, told by both.
      pipelines: new SandboxPipelines(world, clock, seed, (service) => images.builds(service)),
      deployments: new SandboxDeployments(world, clock, seed),
      images,
      alarms: new SandboxAlarms(world, clock, seed),
      maintenance: new SandboxMaintenance(world, clock, seed),
      calendars: new SandboxCalendars(calendars, clock),
    };
    this.twins = new Map(Object.entries(twins) as Array<[TwinName, Twin]>);
    // Every call to a twin may change it (a deployment started, an alarm tripped, a finished one applied): those
    // who keep the account (the local server saves it) hear of each call, and compare.
    const changed = () => {
      for (const listener of this.listeners) listener();
    };
    this.pipelines = observed(twins.pipelines, changed);
    this.deployments = observed(twins.deployments, changed);
    this.images = observed(twins.images, changed);
    this.alarms = observed(twins.alarms, changed);
    this.maintenance = observed(twins.maintenance, changed);
    this.calendars = observed(twins.calendars, changed);
    clock.onAdvance(changed);
  }

  /** Back to the seeded starting state (the clock is left where it is). */
  reset(): void {
    for (const twin of this.twins.values()) twin.reset();
    for (const listener of this.listeners) listener();
  }

  /** Every twin's state, as JSON. */
  snapshot(): SandboxSnapshot {
    return Object.fromEntries([...this.twins].map(([name, twin]) => [name, twin.snapshot()])) as SandboxSnapshot;
  }

  /** Back to a saved state; a state that does not fit this account leaves it seeded, and says so (false). */
  restore(saved: SandboxSnapshot): boolean {
    try {
      for (const [name, twin] of this.twins) twin.restore(saved[name]);
      return true;
    } catch {
      for (const twin of this.twins.values()) twin.reset();
      return false;
    }
  }

  /** Deployment ids from `next` on (an earlier account's, saved for another configuration): ids never repeat. */
  continueDeploymentIds(next: number): void {
    (this.twins.get('deployments') as SandboxDeployments).continueIds(next);
  }

  /** Calls `listener` after anything may have changed the account (a call to a twin, the clock moved, a reset). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The twin, each of its methods followed by `changed` (once a promise settles, for an async one). */
function observed<T extends object>(twin: T, changed: () => void): T {
  return new Proxy(twin, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          changed();
          throw error;
        }
        if (result instanceof Promise) return result.finally(changed);
        changed();
        return result;
      };
    },
  });
}
