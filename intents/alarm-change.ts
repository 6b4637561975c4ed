import {
  type AlarmMeasure,
  type AlarmStateValue,
  bandOf,
  MAX_ALARM_QUERIES,
  type MetricQuery,
} from '../integrations/alarms.port';
import { type Loose, num, obj, str as text } from './loose';

export type { AlarmMeasure };

/** A "CloudWatch Alarm State Change" event, read into what a rollback story tells. */
export interface AlarmChange {
  readonly alarm: string;
  readonly arn?: string;
  readonly account: string;
  readonly region: string;
  readonly state: AlarmStateValue;
  readonly previous?: AlarmStateValue;
  /** CloudWatch's own sentence for the change. */
  readonly reason: string;
  readonly at?: number;
  readonly measure?: AlarmMeasure;
  /** The threshold crossed (an anomaly band gives none). */
  readonly threshold?: number;
  /** The side of it that breaches, as CloudWatch's reason says (“greater than”, “less than the threshold”). */
  readonly breaches?: 'above' | 'below';
  /** The datapoints that crossed it, newest last. */
  readonly datapoints: readonly number[];
  /** An anomaly detection alarm's expected band. */
  readonly band?: { readonly lower: number; readonly upper: number };
  /** A composite alarm whose actions are suppressed (its suppressor alarm, or its wait period). */
  readonly suppressed?: string;
}

const STATES: readonly string[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
/** What is kept of text from the event: an alarm's reason can be long, and none of it is trusted. */
const MAX_TEXT = 1_000;

const str = (v: unknown): string | undefined => text(v, MAX_TEXT);
const state = (v: unknown): AlarmStateValue | undefined =>
  typeof v === 'string' && STATES.includes(v) ? (v as AlarmStateValue) : undefined;

/** CloudWatch's timestamps (`2019-10-02T17:20:48.554+0000`) as milliseconds. */
function time(v: unknown): number | undefined {
  const text = str(v);
  if (text === undefined) return undefined;
  const at = Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(at) ? undefined : at;
}

/** `reasonData` is a JSON string: read it without trusting it. */
function reasonData(v: unknown): Loose {
  const text = str(v);
  if (text === undefined) return {};
  try {
    return obj(JSON.parse(text));
  } catch {
    return {};
  }
}

function measureOf(configuration: Loose, data: Loose): AlarmMeasure | undefined {
  const rule = str(configuration.alarmRule);
  if (rule !== undefined) {
    const triggering = Array.isArray(data.triggeringAlarms) ? data.triggeringAlarms : [];
    const triggeredBy = triggering
      .map((t) => str(obj(t).arn))
      .filter((a): a is string => a !== undefined)
      .map((arn) => arn.slice(arn.lastIndexOf(':alarm:') + ':alarm:'.length));
    return { kind: 'composite', rule, triggeredBy };
  }
  const metrics = (Array.isArray(configuration.metrics) ? configuration.metrics : []).map(obj);
  // The series the alarm watches: the one returning data (an expression), or the only metric.
  const watched = metrics.find((m) => m.returnData === true) ?? (metrics.length === 1 ? metrics[0] : undefined);
  if (watched === undefined) return undefined;
  const expression = str(watched.expression);
  if (expression !== undefined) {
    const label = str(watched.label);
    const queries = metrics.slice(0, MAX_ALARM_QUERIES).map(queryOf);
    return {
      kind: 'expression',
      expression,
      ...(label !== undefined && { label }),
      ...(queries.every((q) => q !== undefined) && { queries }),
    };
  }
  const stat = obj(watched.metricStat);
  const metric = obj(stat.metric);
  const namespace = str(metric.namespace);
  const name = str(metric.name);
  if (namespace === undefined || name === undefined) return undefined;
  const statistic = str(stat.stat);
  const period = num(stat.period);
  return {
    kind: 'metric',
    namespace,
    metric: name,
    dimensions: dimensionsOf(metric.dimensions),
    ...(statistic !== undefined && { stat: statistic }),
    ...(period !== undefined && { periodSeconds: period }),
  };
}

function dimensionsOf(v: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(obj(v))
      .filter(([, v]) => typeof v === 'string')
      .slice(0, 30)
      .map(([k, v]) => [k.slice(0, 255), (v as string).slice(0, 255)]),
  );
}

/** One query of a metric-math alarm's configuration; undefined when it is neither a readable expression nor metric. */
function queryOf(raw: Loose): MetricQuery | undefined {
  const id = str(raw.id);
  if (id === undefined) return undefined;
  const label = str(raw.label);
  const common = { id, returnData: raw.returnData === true, ...(label !== undefined && { label }) };
  const expression = str(raw.expression);
  if (expression !== undefined) return { ...common, expression };
  const stat = obj(raw.metricStat);
  const metric = obj(stat.metric);
  const namespace = str(metric.namespace);
  const name = str(metric.name);
  const statistic = str(stat.stat);
  const period = num(stat.period);
  if (namespace === undefined || name === undefined || statistic === undefined || period === undefined) {
    return undefined;
  }
  return {
    ...common,
    metric: { namespace, name, dimensions: dimensionsOf(metric.dimensions), stat: statistic, periodSeconds: period },
  };
}

/**
 * Reads a "CloudWatch Alarm State Change" event's detail (single metric, metric math, anomaly detection, composite):
 * the alarm, its new and previous state, CloudWatch's reason, what it measured, the threshold and the datapoints
 * that crossed it. Undefined when the detail is not an alarm change (no name, or no known state).
 */
export function readAlarmChange(event: {
  readonly account?: unknown;
  readonly region?: unknown;
  readonly resources?: unknown;
  readonly detail?: unknown;
}): AlarmChange | undefined {
  const detail = obj(event.detail);
  const alarm = str(detail.alarmName);
  const current = obj(detail.state);
  const value = state(current.value);
  // CloudWatch names are at most 255 characters: anything longer is not an alarm's event.
  if (alarm === undefined || alarm.length > 255 || value === undefined) return undefined;
  const data = reasonData(current.reasonData);
  const previous = state(obj(detail.previousState).value);
  const at = time(current.timestamp);
  const measure = measureOf(obj(detail.configuration), data);
  const threshold = num(data.threshold);
  const datapoints = (Array.isArray(data.recentDatapoints) ? data.recentDatapoints : [])
    .map(num)
    .filter((n): n is number => n !== undefined)
    .slice(-20);
  const resources = Array.isArray(event.resources) ? event.resources : [];
  const arn = str(resources.find((r) => typeof r === 'string' && r.includes(':alarm:')));
  const suppressed = str(current.actionsSuppressedReason);
  const band = bandOf(data);
  const said = (str(current.reason) ?? '').toLowerCase();
  const breaches = /less than (?:or equal to )?the (?:lower )?threshold/.test(said)
    ? ('below' as const)
    : /greater than (?:or equal to )?the (?:upper )?threshold/.test(said)
      ? ('above' as const)
      : undefined;
  return {
    alarm,
    ...(arn !== undefined && { arn }),
    account: str(event.account) ?? '',
    region: str(event.region) ?? '',
    state: value,
    ...(previous !== undefined && { previous }),
    reason: str(current.reason) ?? '',
    ...(at !== undefined && { at }),
    ...(measure !== undefined && { measure }),
    ...(threshold !== undefined && { threshold }),
    ...(breaches !== undefined && { breaches }),
    datapoints,
    ...(band !== undefined && { band }),
    ...(suppressed !== undefined && { suppressed }),
  };
}
