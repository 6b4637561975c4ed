import {
  type AlarmMeasure,
  type AlarmPlace,
  type AlarmState,
  type AlarmStateValue,
  type Alarms,
  type MetricSeries,
  seriesUnknown,
} from '../alarms.port';
import { OpsbotError } from '../errors';
import type { SandboxClock } from './clock';
import { DAY, MINUTE, type SandboxWorld } from './world';

/** A "CloudWatch Alarm State Change" event, as EventBridge delivers CloudWatch's to a rule's target. */
export interface AlarmStateChangeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'CloudWatch Alarm State Change';
  readonly source: 'aws.cloudwatch';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: Record<string, unknown>;
}

/** What tests and the local page do to the sandbox's alarms, beyond what the port reads. */
export interface SandboxAlarmControls {
  /**
   * Puts a configured alarm into ALARM, as a breached threshold would; the event CloudWatch would send for the
   * change (none when it already was in ALARM, as CloudWatch sends none).
   */
  trip(name: string): AlarmStateChangeEvent[];
  /** Puts a configured alarm back to OK; the event for the change, if it changed. */
  clear(name: string): AlarmStateChangeEvent[];
  /** Every configured alarm, as it stands, in world order. */
  all(): AlarmState[];
}

interface Simulated {
  readonly place: AlarmPlace;
  readonly measure: AlarmMeasure & { kind: 'metric' };
  readonly threshold: number;
  /** What a breach reads: the datapoints that cross the threshold. */
  readonly breach: readonly number[];
  state: AlarmStateValue;
  reason: string;
  updatedAt: number;
  datapoints: readonly number[];
  /**
   * Its times in ALARM, oldest first: from the first datapoint that crossed the threshold to the clear (open while it
   * lasts). What it watched is read from these, so a chart shows the datapoints its reason quotes.
   */
  episodes: Array<{ readonly start: number; end?: number }>;
}

/**
 * CloudWatch alarms, simulated: exactly the rollback alarms the configuration names (none invented), each a metric
 * alarm on the service's load balancer (5xx count, or p99 response time for a latency alarm), OK since a day before
 * the sandbox was seeded, until a test or the local page trips it. A change returns the EventBridge event CloudWatch
 * would send, so the same reaction handles it as on AWS.
 */
export class SandboxAlarms implements Alarms, SandboxAlarmControls {
  private alarms = new Map<string, Simulated>();
  private events = 0;

  constructor(
    private readonly world: SandboxWorld,
    private readonly clock: SandboxClock,
    // Alarms draw nothing from the seed; taken so every twin is built the same way.
    _seed: number,
  ) {
    this.reset();
  }

  snapshot(): unknown {
    return { alarms: [...this.alarms], events: this.events };
  }

  restore(saved: unknown): void {
    const s = saved as { alarms: Array<[string, Simulated]>; events: number };
    // A sandbox saved before alarms kept their episodes has none: its history reads quiet.
    this.alarms = new Map(s.alarms.map(([key, alarm]) => [key, { ...alarm, episodes: alarm.episodes ?? [] }]));
    this.events = s.events;
  }

  /** Every alarm back to OK (the clock is left where it is). */
  reset(): void {
    const updatedAt = this.clock.now() - DAY;
    this.alarms = new Map();
    for (const service of this.world.services) {
      for (const env of service.environments) {
        for (const place of env.alarms) {
          if (this.alarms.has(keyOf(place))) continue;
          const latency = /latency|p9\d|duration/i.test(place.name);
          const measure: Simulated['measure'] = {
            kind: 'metric',
            namespace: 'AWS/ApplicationELB',
            metric: latency ? 'TargetResponseTime' : 'HTTPCode_Target_5XX_Count',
            dimensions: { LoadBalancer: `app/${service.name}-${env.name}/50dc6c495c0c9188` },
            stat: latency ? 'p99' : 'Sum',
            periodSeconds: 60,
          };
          const threshold = latency ? 1.5 : 5;
          this.alarms.set(keyOf(place), {
            place,
            measure,
            threshold,
            breach: latency ? [2.31, 1.87] : [12, 9],
            state: 'OK',
            reason: quiet(threshold),
            updatedAt,
            datapoints: latency ? [0.41, 0.38] : [0, 1],
            episodes: [],
          });
        }
      }
    }
  }

  async states(service: string, environment: string): Promise<AlarmState[]> {
    const env = this.world.services.find((s) => s.name === service)?.environments.find((e) => e.name === environment);
    return (env?.alarms ?? []).flatMap((place) => {
      const alarm = this.alarms.get(keyOf(place));
      return alarm === undefined ? [] : [view(alarm)];
    });
  }

  /**
   * What the alarm watched, one value a minute up to the sandbox's now: quiet values under the threshold, and in each
   * time in ALARM the datapoints its reason quoted (the newest at the minute before the trip), then the same breach
   * over again while it lasts. The same window always reads the same values.
   */
  async series(
    service: string,
    environment: string,
    alarm: AlarmState,
    window: { readonly from: number; readonly to: number },
  ): Promise<MetricSeries> {
    const env = this.world.services.find((s) => s.name === service)?.environments.find((e) => e.name === environment);
    const simulated = (env?.alarms ?? [])
      .map((place) => this.alarms.get(keyOf(place)))
      .find((a) => a !== undefined && (a.place.name === alarm.name || arnOf(a.place) === alarm.arn));
    if (simulated === undefined) throw seriesUnknown(alarm.name, service, environment, true);
    // As on AWS: what the alarm as read watches is what is charted; a composite alarm watches no series.
    if (alarm.measure?.kind !== 'metric' && alarm.measure?.kind !== 'expression') {
      throw seriesUnknown(alarm.name, service, environment, false);
    }
    const period = (simulated.measure.periodSeconds ?? 60) * 1000;
    const last = Math.min(window.to, this.clock.now());
    const points: Array<{ at: number; value: number }> = [];
    for (let at = Math.ceil(window.from / period) * period; at <= last; at += period) {
      points.push({ at, value: valueAt(simulated, at, period) });
    }
    return { periodSeconds: period / 1000, points };
  }

  trip(name: string): AlarmStateChangeEvent[] {
    const alarm = this.known(name);
    // CloudWatch's reason lists the datapoints newest first; its reason data, and the port, oldest first.
    return this.change(
      alarm,
      'ALARM',
      breached(alarm.breach, alarm.threshold, this.clock.now()),
      [...alarm.breach].reverse(),
    );
  }

  clear(name: string): AlarmStateChangeEvent[] {
    const alarm = this.known(name);
    return this.change(alarm, 'OK', quiet(alarm.threshold), [1, 0]);
  }

  all(): AlarmState[] {
    return [...this.alarms.values()].map(view);
  }

  private names(): string[] {
    return [...this.alarms.values()].map((a) => a.place.name);
  }

  /** An alarm by its ARN, or by its name (the first configured with it). */
  private known(name: string): Simulated {
    const alarm = [...this.alarms.values()].find((a) => arnOf(a.place) === name || a.place.name === name);
    if (alarm === undefined) {
      throw new OpsbotError(
        'UNKNOWN_ALARM',
        `The sandbox has no alarm called "${name}".`,
        this.alarms.size === 0
          ? 'Configure rollbackAlarms for a service in an environment; the sandbox simulates those.'
          : `Known alarms: ${this.names().join(', ')}.`,
      );
    }
    return alarm;
  }

  private change(
    alarm: Simulated,
    state: AlarmStateValue,
    reason: string,
    datapoints: readonly number[],
  ): AlarmStateChangeEvent[] {
    if (alarm.state === state) return [];
    const previous = { value: alarm.state, reason: alarm.reason, timestamp: cloudWatchTime(alarm.updatedAt) };
    const now = this.clock.now();
    const minute = Math.floor(now / MINUTE) * MINUTE;
    if (state === 'ALARM') alarm.episodes.push({ start: minute - alarm.breach.length * MINUTE });
    const open = alarm.episodes.at(-1);
    if (state !== 'ALARM' && open !== undefined && open.end === undefined) open.end = minute;
    alarm.state = state;
    alarm.reason = reason;
    alarm.updatedAt = now;
    alarm.datapoints = datapoints;
    this.events += 1;
    const { place, measure } = alarm;
    return [
      {
        version: '0',
        id: `c4c1c1c9-6542-e61b-6ef0-${(now % 1e8).toString(16).padStart(8, '0')}${this.events.toString(16).padStart(4, '0')}`,
        'detail-type': 'CloudWatch Alarm State Change',
        source: 'aws.cloudwatch',
        account: place.account,
        time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: place.region,
        resources: [arnOf(place)],
        detail: {
          alarmName: place.name,
          state: {
            value: state,
            reason,
            reasonData: JSON.stringify({
              version: '1.0',
              queryDate: cloudWatchTime(now),
              startDate: cloudWatchTime(now - 2 * MINUTE),
              statistic: measure.stat,
              period: measure.periodSeconds,
              recentDatapoints: datapoints,
              threshold: alarm.threshold,
            }),
            timestamp: cloudWatchTime(now),
          },
          previousState: previous,
          configuration: {
            description: `opsbot sandbox: ${measure.metric} of ${place.name}`,
            metrics: [
              {
                id: 'm1',
                metricStat: {
                  metric: { namespace: measure.namespace, name: measure.metric, dimensions: measure.dimensions },
                  period: measure.periodSeconds,
                  stat: measure.stat,
                },
                returnData: true,
              },
            ],
          },
        },
      },
    ];
  }
}

/**
 * The alarm's value in the period that starts at `at`: in ALARM, its breach datapoints, the newest (the first the
 * reason lists) at the minute before the trip and repeating after it; otherwise a quiet value well under the
 * threshold, the same for the same period.
 */
function valueAt(alarm: Simulated, at: number, period: number): number {
  const episode = alarm.episodes.find((e) => at >= e.start && (e.end === undefined || at < e.end));
  const breach = alarm.breach;
  if (episode !== undefined && breach.length > 0) {
    const fromTrip = Math.floor((at - (episode.start + breach.length * MINUTE)) / period);
    const index = fromTrip < 0 ? -fromTrip - 1 : fromTrip % breach.length;
    return breach[index] as number;
  }
  // A hash of the alarm and the period: quiet, and the same on every read.
  let h = 2166136261;
  for (const c of `${alarm.place.name}:${at}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  const r = ((h >>> 0) % 1000) / 1000;
  const latency = alarm.measure.metric === 'TargetResponseTime';
  return latency ? Math.round((0.32 + r * 0.14) * 100) / 100 : Math.floor(r * 3);
}

function view(alarm: Simulated): AlarmState {
  return {
    name: alarm.place.name,
    arn: arnOf(alarm.place),
    state: alarm.state,
    reason: alarm.reason,
    updatedAt: alarm.updatedAt,
    measure: alarm.measure,
    threshold: alarm.threshold,
    // Errors and latency: a breach is above the threshold.
    breaches: 'above',
    datapoints: alarm.datapoints,
  };
}

/** Alarms are told apart as CloudWatch does: by account, region and name. */
function keyOf(place: AlarmPlace): string {
  return `${place.account}:${place.region}:${place.name}`;
}

function arnOf(place: AlarmPlace): string {
  return `arn:aws:cloudwatch:${place.region}:${place.account}:alarm:${place.name}`;
}

/** CloudWatch's own timestamp format: `2026-11-24T09:41:00.000+0000`. */
function cloudWatchTime(at: number): string {
  return new Date(at).toISOString().replace('Z', '+0000');
}

/** "24/11/26 09:41:00", as CloudWatch writes datapoint times in its reasons. */
function reasonTime(at: number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(2, 4)} ${iso.slice(11, 19)}`;
}

function breached(points: readonly number[], threshold: number, now: number): string {
  const minute = Math.floor(now / MINUTE) * MINUTE;
  const listed = points.map((p, i) => `${p.toFixed(1)} (${reasonTime(minute - (i + 1) * MINUTE)})`).join(', ');
  return `Threshold Crossed: ${points.length} out of the last ${points.length} datapoints [${listed}] were greater than the threshold (${threshold.toFixed(1)}) (minimum ${points.length} datapoints for OK -> ALARM transition).`;
}

function quiet(threshold: number): string {
  return `Threshold Crossed: no datapoints were greater than the threshold (${threshold.toFixed(1)}).`;
}
