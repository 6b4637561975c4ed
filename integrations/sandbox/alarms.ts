import type { AlarmState, Alarms } from '../alarms.port';
import { OpsbotError } from '../errors';
import type { SandboxClock } from './clock';
import { DAY, type SandboxWorld } from './world';

const QUIET = 'Threshold Crossed: no datapoints were greater than the threshold.';
const BREACHED = 'Threshold Crossed: 5 datapoints were greater than the threshold (5.0).';

/** What tests and the local page do to the sandbox's alarms, beyond what the port reads. */
export interface SandboxAlarmControls {
  /** Puts a known alarm into ALARM, as a breached threshold would. */
  trip(name: string, reason?: string): void;
  /** Puts a known alarm back to OK. */
  clear(name: string): void;
  /** Every alarm the sandbox knows, in world order. */
  names(): string[];
}

/**
 * CloudWatch alarms, simulated: every alarm the world configures, OK since a day before the sandbox was seeded,
 * until a test or the local page trips it, so a rollback on alarm can be tried without a real breach.
 */
export class SandboxAlarms implements Alarms, SandboxAlarmControls {
  private alarmStates = new Map<string, AlarmState>();

  constructor(
    private readonly world: SandboxWorld,
    private readonly clock: SandboxClock,
    // Alarms draw nothing from the seed; taken so every twin is built the same way.
    _seed: number,
  ) {
    this.reset();
  }

  /** Every alarm back to OK (the clock is left where it is). */
  reset(): void {
    const updatedAt = this.clock.now() - DAY;
    this.alarmStates = new Map();
    for (const service of this.world.services) {
      for (const env of service.environments) {
        for (const name of env.alarms) this.alarmStates.set(name, { name, state: 'OK', reason: QUIET, updatedAt });
      }
    }
  }

  async states(names: readonly string[]): Promise<AlarmState[]> {
    return names.flatMap((n) => this.alarmStates.get(n) ?? []);
  }

  trip(name: string, reason = BREACHED): void {
    this.set(name, 'ALARM', reason);
  }

  clear(name: string): void {
    this.set(name, 'OK', QUIET);
  }

  names(): string[] {
    return [...this.alarmStates.keys()];
  }

  private set(name: string, state: AlarmState['state'], reason: string): void {
    if (!this.alarmStates.has(name)) {
      throw new OpsbotError(
        'UNKNOWN_ALARM',
        `The sandbox has no alarm called "${name}".`,
        `Known alarms: ${this.names().join(', ')}.`,
      );
    }
    this.alarmStates.set(name, { name, state, reason, updatedAt: this.clock.now() });
  }
}
