import {
  type CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { type AlarmMeasure, type AlarmState, type Alarms, bandOf } from '../alarms.port';
import { OpsbotError } from '../errors';
import { retryRead } from './aws-calls';
import type { AwsAccount } from './clients';

/** A service's rollback alarms in one account and region (an alarm named by ARN may live elsewhere than the service). */
export interface AlarmSet {
  readonly service: string;
  readonly environment: string;
  readonly account: AwsAccount;
  readonly region: string;
  readonly names: readonly string[];
}

/** What is kept of text CloudWatch returns (an alarm's reason can be long). */
const MAX_TEXT = 1_000;

/**
 * CloudWatch alarms over `DescribeAlarms` (metric and composite alarms, 100 names per call), each set through its
 * own account's and region's client: the state, CloudWatch's reason, what the alarm measures, the threshold and the
 * datapoints behind the last change.
 */
export class CloudWatchAlarms implements Alarms {
  constructor(
    private readonly sets: readonly AlarmSet[],
    private readonly client: (account: AwsAccount, region: string) => CloudWatchClient,
  ) {}

  async states(service: string, environment: string): Promise<AlarmState[]> {
    const sets = this.sets.filter((s) => s.service === service && s.environment === environment);
    const out: AlarmState[] = [];
    const failed: string[] = [];
    for (const set of sets) {
      try {
        out.push(...(await describe(this.client(set.account, set.region), set.names)));
      } catch (error) {
        // One account or region that cannot be read leaves the others' alarms read.
        failed.push(`${set.account.name}, ${set.region}: ${(error as { name?: string }).name ?? 'Error'}`);
      }
    }
    if (failed.length > 0) {
      throw Object.assign(
        new OpsbotError(
          'ALARMS_UNREADABLE',
          `I couldn't read the rollback alarms of ${service} in ${environment} (${failed.join('; ')}).`,
          failed.some((f) => f.includes('AccessDenied'))
            ? 'opsbot needs cloudwatch:DescribeAlarms on those alarms (the stacks grant it for configured rollbackAlarms).'
            : 'opsbot reads them again at its next poll.',
        ),
        // What could be read is still used.
        { readable: out },
      );
    }
    return out;
  }
}

/**
 * The named alarms as they stand, names unknown to CloudWatch left out: metric alarms first (readable with
 * DescribeAlarms granted on their ARNs), then composite alarms among the names not found — which AWS answers only
 * with DescribeAlarms granted on `*`: where it is not, they are left to their events.
 */
export async function describe(client: CloudWatchClient, names: readonly string[]): Promise<AlarmState[]> {
  const out = await pages(client, names, 'MetricAlarm');
  const missing = names.filter((n) => !out.some((a) => a.name === n));
  if (missing.length === 0) return out;
  try {
    out.push(...(await pages(client, missing, 'CompositeAlarm')));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'AccessDenied' && name !== 'AccessDeniedException') throw error;
  }
  return out;
}

async function pages(
  client: CloudWatchClient,
  names: readonly string[],
  type: 'MetricAlarm' | 'CompositeAlarm',
): Promise<AlarmState[]> {
  const out: AlarmState[] = [];
  for (let i = 0; i < names.length; i += 100) {
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      // A read: retried when throttled or when CloudWatch fails on its side (the watcher's safety net rides it out).
      const page = await retryRead(() =>
        client.send(
          new DescribeAlarmsCommand({
            AlarmNames: names.slice(i, i + 100),
            AlarmTypes: [type],
            ...(token !== undefined && { NextToken: token }),
          }),
        ),
      );
      for (const alarm of page.MetricAlarms ?? []) push(out, alarm, metricMeasure(alarm), alarm.Threshold);
      for (const alarm of page.CompositeAlarms ?? []) {
        const rule = alarm.AlarmRule;
        push(
          out,
          alarm,
          rule === undefined ? undefined : { kind: 'composite', rule: rule.slice(0, MAX_TEXT), triggeredBy: [] },
          undefined,
        );
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  }
  return out;
}

function push(
  out: AlarmState[],
  alarm: MetricAlarm | CompositeAlarm,
  measure: AlarmMeasure | undefined,
  threshold: number | undefined,
): void {
  if (alarm.AlarmName === undefined || alarm.StateValue === undefined) return;
  const changedAt = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
  const data = reasonData(alarm.StateReasonData);
  const datapoints = (Array.isArray(data.recentDatapoints) ? data.recentDatapoints : [])
    .filter((n): n is number => typeof n === 'number' && Number.isFinite(n))
    .slice(-20);
  // A composite alarm's reason data names the alarms that set it off.
  const triggeredBy = (Array.isArray(data.triggeringAlarms) ? data.triggeringAlarms : [])
    .map((t) => (typeof t === 'object' && t !== null ? (t as { arn?: unknown }).arn : undefined))
    .filter((a): a is string => typeof a === 'string')
    .map((arn) => arn.slice(arn.lastIndexOf(':alarm:') + ':alarm:'.length));
  out.push({
    name: alarm.AlarmName,
    ...(alarm.AlarmArn !== undefined && { arn: alarm.AlarmArn }),
    state: alarm.StateValue,
    reason: (alarm.StateReason ?? '').slice(0, MAX_TEXT),
    // When its state last changed (StateUpdatedTimestamp also moves on updates that change no state).
    ...(changedAt !== undefined && { updatedAt: changedAt.getTime() }),
    ...(measure !== undefined && {
      measure: measure.kind === 'composite' ? { ...measure, triggeredBy } : measure,
    }),
    ...(threshold !== undefined && { threshold }),
    datapoints,
    ...(bandOf(data) !== undefined && { band: bandOf(data) }),
  });
}

/** The series a metric alarm watches: its metric, or the metric-math expression that returns data. */
function metricMeasure(alarm: MetricAlarm): AlarmMeasure | undefined {
  if (alarm.MetricName !== undefined && alarm.Namespace !== undefined) {
    const stat = alarm.Statistic ?? alarm.ExtendedStatistic;
    return {
      kind: 'metric',
      namespace: alarm.Namespace,
      metric: alarm.MetricName,
      dimensions: dimensionsOf(alarm.Dimensions),
      ...(stat !== undefined && { stat }),
      ...(alarm.Period !== undefined && { periodSeconds: alarm.Period }),
    };
  }
  const metrics = alarm.Metrics ?? [];
  const watched = metrics.find((m) => m.ReturnData === true) ?? (metrics.length === 1 ? metrics[0] : undefined);
  if (watched?.Expression !== undefined) {
    return {
      kind: 'expression',
      expression: watched.Expression.slice(0, MAX_TEXT),
      ...(watched.Label !== undefined && { label: watched.Label.slice(0, MAX_TEXT) }),
    };
  }
  const metric = watched?.MetricStat?.Metric;
  if (metric?.MetricName === undefined || metric.Namespace === undefined) return undefined;
  return {
    kind: 'metric',
    namespace: metric.Namespace,
    metric: metric.MetricName,
    dimensions: dimensionsOf(metric.Dimensions),
    ...(watched?.MetricStat?.Stat !== undefined && { stat: watched.MetricStat.Stat }),
    ...(watched?.MetricStat?.Period !== undefined && { periodSeconds: watched.MetricStat.Period }),
  };
}

function dimensionsOf(list: ReadonlyArray<{ Name?: string; Value?: string }> | undefined): Record<string, string> {
  return Object.fromEntries(
    (list ?? []).flatMap((d) => (d.Name !== undefined && d.Value !== undefined ? [[d.Name, d.Value]] : [])),
  );
}

/** `StateReasonData` is a JSON string: read without trusting it. */
function reasonData(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.length > 100_000) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
