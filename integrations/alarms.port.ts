import { OpsbotError } from './errors';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** What an alarm measures: one metric, a metric-math expression, or (composite) the rule over other alarms. */
export type AlarmMeasure =
  | {
      readonly kind: 'metric';
      readonly namespace: string;
      readonly metric: string;
      readonly dimensions: Readonly<Record<string, string>>;
      readonly stat?: string;
      readonly periodSeconds?: number;
    }
  | {
      readonly kind: 'expression';
      readonly expression: string;
      readonly label?: string;
      /** Every query of the alarm (the expression and the metrics it reads), to ask CloudWatch for the series again. */
      readonly queries?: readonly MetricQuery[];
    }
  | { readonly kind: 'composite'; readonly rule: string; readonly triggeredBy: readonly string[] };

/** One query of a metric-math alarm, as CloudWatch's `MetricDataQuery`: an expression, or a metric it reads. */
export interface MetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly metric?: {
    readonly namespace: string;
    readonly name: string;
    readonly dimensions: Readonly<Record<string, string>>;
    readonly stat: string;
    readonly periodSeconds: number;
  };
  readonly label?: string;
  /** The query whose values the alarm compares with its threshold. */
  readonly returnData: boolean;
}

/** At most this many queries of an alarm are asked for again (CloudWatch allows a metric-math alarm 10 metrics). */
export const MAX_ALARM_QUERIES = 20;

/** What an alarm watched over a window: one value per period, oldest first (periods without data left out). */
export interface MetricSeries {
  readonly periodSeconds: number;
  readonly points: ReadonlyArray<{ readonly at: number; readonly value: number }>;
}

/** An alarm as CloudWatch shows it now: its state, CloudWatch's reason, and what crossed which threshold. */
export interface AlarmState {
  readonly name: string;
  readonly arn?: string;
  readonly state: AlarmStateValue;
  /** CloudWatch's own sentence for the last change. */
  readonly reason: string;
  /** When it last changed state. */
  readonly updatedAt?: number;
  readonly measure?: AlarmMeasure;
  /** The threshold (an anomaly band or a composite alarm has none). */
  readonly threshold?: number;
  /** Which side of the threshold is a breach: above it (errors, latency), or below it (healthy hosts, requests). */
  readonly breaches?: 'above' | 'below';
  /** The datapoints behind the last change, newest last. */
  readonly datapoints: readonly number[];
  /** An anomaly detection alarm's expected band at the last change. */
  readonly band?: { readonly lower: number; readonly upper: number };
  /** A composite alarm whose actions CloudWatch suppressed (its suppressor alarm, or its wait period). */
  readonly suppressed?: string;
}

/** The side of its threshold an alarm breaches on, from its comparison operator (`LessThan…`: below). */
export function breachSide(operator: string | undefined): 'above' | 'below' | undefined {
  if (operator === undefined) return undefined;
  if (/^LessThan/.test(operator)) return 'below';
  return /^GreaterThan/.test(operator) ? 'above' : undefined;
}

/** The expected band an anomaly detection alarm's reason data gives (`recentLowerThresholds`, `recentUpperThresholds`). */
export function bandOf(data: Readonly<Record<string, unknown>>): { lower: number; upper: number } | undefined {
  const last = (v: unknown) => {
    const n = Array.isArray(v) ? v.at(-1) : undefined;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  };
  const lower = last(data.recentLowerThresholds);
  const upper = last(data.recentUpperThresholds);
  return lower === undefined || upper === undefined ? undefined : { lower, upper };
}

/** The CloudWatch alarms that roll a service back in an environment (`rollbackAlarms`), shaped to what rollback needs. */
export interface Alarms {
  /** The rollback alarms configured for a service in an environment, as they stand now; unknown alarms left out. */
  states(service: string, environment: string): Promise<AlarmState[]>;
  /**
   * What a rollback alarm of the service in the environment watched between `from` and `to` (epoch ms): its metric,
   * or its metric-math expression, one value per period. Fails (an `OpsbotError` saying why) when it cannot be
   * read: an alarm not configured there, a composite alarm, CloudWatch refusing.
   */
  series(
    service: string,
    environment: string,
    alarm: AlarmState,
    window: { readonly from: number; readonly to: number },
  ): Promise<MetricSeries>;
}

/** Where a configured rollback alarm lives: its name, account and region. */
export interface AlarmPlace {
  readonly name: string;
  readonly account: string;
  readonly region: string;
}

/** The refusal to chart an alarm that is not a rollback alarm of the service there, or watches nothing chartable. */
export function seriesUnknown(
  alarm: string,
  service: string,
  environment: string,
  notConfigured: boolean,
): OpsbotError {
  return new OpsbotError(
    'ALARM_SERIES_UNKNOWN',
    `I can't chart ${alarm}: ${notConfigured ? `it is not a rollback alarm of ${service} in ${environment}` : 'it watches no metric or expression opsbot can ask CloudWatch for'}.`,
    'Its figures are in the message instead.',
  );
}
