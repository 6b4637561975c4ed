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
  | { readonly kind: 'expression'; readonly expression: string; readonly label?: string }
  | { readonly kind: 'composite'; readonly rule: string; readonly triggeredBy: readonly string[] };

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
  /** The datapoints behind the last change, newest last. */
  readonly datapoints: readonly number[];
  /** An anomaly detection alarm's expected band at the last change. */
  readonly band?: { readonly lower: number; readonly upper: number };
  /** A composite alarm whose actions CloudWatch suppressed (its suppressor alarm, or its wait period). */
  readonly suppressed?: string;
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
}

/** Where a configured rollback alarm lives: its name, account and region. */
export interface AlarmPlace {
  readonly name: string;
  readonly account: string;
  readonly region: string;
}
