import {
  type CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  type AlarmMeasure,
  type AlarmState,
  type Alarms,
  bandOf,
  breachSide,
  MAX_ALARM_QUERIES,
  type MetricQuery,
  type MetricSeries,
  seriesUnknown,
} from '../alarms.port';
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

  /**
   * The alarm's series from `GetMetricData`, in the account and region of the configured alarm: its metric with the
   * alarm's statistic and period, or its metric-math queries with the expression's values returned; at most
   * {@link MAX_CHART_PAGES} pages.
   */
  async series(
    service: string,
    environment: string,
    alarm: AlarmState,
    window: { readonly from: number; readonly to: number },
  ): Promise<MetricSeries> {
    const set = this.sets.find(
      (s) =>
        s.service === service &&
        s.environment === environment &&
        (s.names.includes(alarm.name) || (alarm.arn !== undefined && s.names.includes(alarm.arn))),
    );
    const asked = set === undefined ? undefined : queriesOf(alarm.measure);
    if (set === undefined || asked === undefined) {
      throw seriesUnknown(alarm.name, service, environment, set === undefined);
    }
    const client = this.client(set.account, set.region);
    const points: Array<{ at: number; value: number }> = [];
    let nextToken: string | undefined;
    let pages = 0;
    try {
      do {
        const token = nextToken;
        const page = await retryRead(() =>
          client.send(
            new GetMetricDataCommand({
              MetricDataQueries: asked.queries,
              StartTime: new Date(window.from),
              EndTime: new Date(window.to),
              ScanBy: 'TimestampAscending',
              ...(token !== undefined && { NextToken: token }),
            }),
          ),
        );
        points.push(...pointsOf(page.MetricDataResults?.find((r) => r.Id === asked.returned)));
        nextToken = page.NextToken;
        pages += 1;
      } while (nextToken !== undefined && pages < MAX_CHART_PAGES);
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      throw new OpsbotError(
        'ALARM_SERIES_UNREADABLE',
        `I couldn't read what ${alarm.name} watched (${set.account.name}, ${set.region}: ${name}).`,
        name.startsWith('AccessDenied')
          ? 'opsbot needs cloudwatch:GetMetricData in that account (the stacks grant it where rollback alarms are configured).'
          : 'Its figures are in the message instead.',
      );
    }
    points.sort((a, b) => a.at - b.at);
    return { periodSeconds: asked.periodSeconds, points };
  }
}

/** Pages of `GetMetricData` read for one chart: a few hours of one series fits in one. */
const MAX_CHART_PAGES = 5;

/** The queries that ask CloudWatch for what an alarm watches, the id of the one returned, and its period. */
function queriesOf(
  measure: AlarmMeasure | undefined,
): { queries: MetricDataQuery[]; returned: string; periodSeconds: number } | undefined {
  if (measure?.kind === 'metric') {
    const periodSeconds = measure.periodSeconds ?? 60;
    return {
      returned: 'm1',
      periodSeconds,
      queries: [
        {
          Id: 'm1',
          MetricStat: {
            Metric: {
              Namespace: measure.namespace,
              MetricName: measure.metric,
              Dimensions: Object.entries(measure.dimensions).map(([Name, Value]) => ({ Name, Value })),
            },
            Period: periodSeconds,
            Stat: measure.stat ?? 'Average',
          },
          ReturnData: true,
        },
      ],
    };
  }
  if (measure?.kind !== 'expression' || measure.queries === undefined) return undefined;
  const returned = measure.queries.find((q) => q.returnData && q.expression !== undefined);
  const periodSeconds = measure.queries.find((q) => q.metric !== undefined)?.metric?.periodSeconds;
  if (returned === undefined || periodSeconds === undefined) return undefined;
  return {
    returned: returned.id,
    periodSeconds,
    queries: measure.queries.map(
      (q): MetricDataQuery => ({
        Id: q.id,
        ReturnData: q.id === returned.id,
        ...(q.label !== undefined && { Label: q.label }),
        ...(q.expression !== undefined
          ? { Expression: q.expression, Period: periodSeconds }
          : q.metric !== undefined && {
              MetricStat: {
                Metric: {
                  Namespace: q.metric.namespace,
                  MetricName: q.metric.name,
                  Dimensions: Object.entries(q.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
                },
                Period: q.metric.periodSeconds,
                Stat: q.metric.stat,
              },
            }),
      }),
    ),
  };
}

function pointsOf(result: MetricDataResult | undefined): Array<{ at: number; value: number }> {
  const times = result?.Timestamps ?? [];
  const values = result?.Values ?? [];
  return times.flatMap((t, i) => {
    const value = values[i];
    const at = t instanceof Date ? t.getTime() : Number.NaN;
    return typeof value === 'number' && Number.isFinite(value) && Number.isFinite(at) ? [{ at, value }] : [];
  });
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
      for (const alarm of page.MetricAlarms ?? [])
        push(out, alarm, metricMeasure(alarm), alarm.Threshold, breachSide(alarm.ComparisonOperator));
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
  breaches?: 'above' | 'below',
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
    ...(breaches !== undefined && { breaches }),
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
    const queries = metrics.slice(0, MAX_ALARM_QUERIES).map(describedQuery);
    return {
      kind: 'expression',
      expression: watched.Expression.slice(0, MAX_TEXT),
      ...(watched.Label !== undefined && { label: watched.Label.slice(0, MAX_TEXT) }),
      ...(queries.every((q) => q !== undefined) && { queries }),
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

/** One of a metric-math alarm's `Metrics`, as DescribeAlarms gives it. */
function describedQuery(m: MetricDataQuery): MetricQuery | undefined {
  if (m.Id === undefined) return undefined;
  const common = { id: m.Id, returnData: m.ReturnData === true, ...(m.Label !== undefined && { label: m.Label }) };
  if (m.Expression !== undefined) return { ...common, expression: m.Expression.slice(0, MAX_TEXT) };
  const metric = m.MetricStat?.Metric;
  if (metric?.Namespace === undefined || metric.MetricName === undefined) return undefined;
  if (m.MetricStat?.Stat === undefined || m.MetricStat.Period === undefined) return undefined;
  return {
    ...common,
    metric: {
      namespace: metric.Namespace,
      name: metric.MetricName,
      dimensions: dimensionsOf(metric.Dimensions),
      stat: m.MetricStat.Stat,
      periodSeconds: m.MetricStat.Period,
    },
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
