import type { AlarmState, MetricSeries } from '../../integrations/alarms.port';
import type { IntentPorts } from '../define-intent';
import type { Chart, Line } from '../reply';
import { within } from '../within';
import { figure } from './alarm-story';
import { clockTime } from './run/words';

/** How far back an alarm's chart looks: the hours before it fired, and the deploy that led up to it. */
export const CHART_HOURS = 3;
/** Slack draws at most 20 points a series: longer series are folded, each point the peak of its periods. */
export const MAX_CHART_POINTS = 20;
/** How long the notice waits for the chart's data before it goes without it. */
export const CHART_WAIT_MS = 2_000;
/** Slack shows at most 50 characters above a chart. */
const MAX_TITLE = 50;

/** What a notice about an alarm shows of what it watched: the figures always, the chart when it could be read. */
export interface AlarmPicture {
  readonly chart?: Chart;
  /** "Now 12 · peak 12 in the last hour · threshold 5": the chart's story in words, or the alarm's own figures. */
  readonly figures?: Line;
}

/**
 * The chart of what a rollback alarm watched up to now (its metric or metric-math expression, from the alarms port),
 * with its threshold as a second line and, when a deploy led up to it, the deploy's start in the title. A series that
 * cannot be read in {@link CHART_WAIT_MS}, or is empty, gives no chart: the figures then come from the alarm itself
 * (the datapoints CloudWatch quoted), so the notice is never held back or lost for want of a chart.
 */
export async function alarmPicture(
  target: { readonly service: string; readonly environment: string },
  alarm: AlarmState,
  ports: Pick<IntentPorts, 'alarms' | 'clock' | 'log'>,
  options: { readonly deployStartedAt?: number } = {},
): Promise<AlarmPicture> {
  const to = ports.clock.now();
  const span = CHART_HOURS * 3_600_000;
  let series: MetricSeries | undefined;
  if (alarm.measure?.kind === 'metric' || alarm.measure?.kind === 'expression') {
    try {
      series = await within(
        ports.alarms.series(target.service, target.environment, alarm, { from: to - span, to }),
        CHART_WAIT_MS,
        'chart data',
      );
    } catch (error) {
      ports.log.warn('alarm.chart_unread', {
        alarm: alarm.name,
        code: String((error as { code?: unknown; name?: unknown }).code ?? (error as { name?: unknown }).name),
      });
    }
  }
  const read = series?.points ?? [];
  if (series === undefined || read.length === 0) {
    const figures = figuresOf(alarm);
    return figures !== undefined ? { figures } : {};
  }
  const below = alarm.breaches === 'below';
  const points = folded(read, series.periodSeconds * 1000, below ? 'below' : 'above');
  const values = points.map((p) => p.value);
  const current = (read.at(-1) as { value: number }).value;
  const peak = below ? Math.min(...values) : Math.max(...values);
  const over = describeSpan((to - (read[0] as { at: number }).at) / 1000);
  const name = seriesName(alarm);
  const started = options.deployStartedAt;
  const title = started !== undefined ? `${name} · deploy at ${clockTime(started)}` : `${name}, last ${over}`;
  return {
    chart: {
      title: cutTitle(title),
      categories: points.map((p) => clockTime(p.at).slice(0, 5)),
      series: [
        { name: cutName(name), values },
        ...(alarm.threshold !== undefined
          ? [{ name: 'Threshold', values: values.map(() => alarm.threshold as number) }]
          : []),
      ],
      xLabel: 'UTC',
      ...(alarm.measure?.kind === 'metric' && alarm.measure.stat !== undefined && { yLabel: alarm.measure.stat }),
    },
    figures: [
      `Now ${figure(current)} · ${below ? 'lowest' : 'peak'} ${figure(peak)} in the last ${over}`,
      ...(alarm.threshold !== undefined ? [` · threshold ${figure(alarm.threshold)}`] : []),
      ...(started !== undefined ? [` · the deploy started at ${clockTime(started)}`] : []),
    ],
  };
}

/** The figures CloudWatch quoted with the change, when no series could be read. */
function figuresOf(alarm: AlarmState): Line | undefined {
  if (alarm.datapoints.length === 0) return undefined;
  const current = alarm.datapoints.at(-1) as number;
  const below = alarm.breaches === 'below';
  const peak = below ? Math.min(...alarm.datapoints) : Math.max(...alarm.datapoints);
  return [
    `Now ${figure(current)} · ${below ? 'lowest' : 'peak'} ${figure(peak)} of the datapoints CloudWatch quoted`,
    ...(alarm.threshold !== undefined ? [` · threshold ${figure(alarm.threshold)}`] : []),
  ];
}

/**
 * A series of at most {@link MAX_CHART_POINTS} points: consecutive periods folded into equal spans of whole periods,
 * each drawn at its span's start with the highest value in it (an alarm compares each period with its threshold, so
 * the peak is what a chart must not hide).
 */
export function folded(
  points: ReadonlyArray<{ readonly at: number; readonly value: number }>,
  periodMs: number,
  /** An alarm that breaches below its threshold keeps each span's lowest value instead. */
  breaches: 'above' | 'below' = 'above',
): Array<{ at: number; value: number }> {
  if (points.length === 0) return [];
  const first = (points[0] as { at: number }).at;
  const periods = Math.floor(((points.at(-1) as { at: number }).at - first) / periodMs) + 1;
  const per = Math.max(1, Math.ceil(periods / MAX_CHART_POINTS));
  const spans = new Map<number, { at: number; value: number }>();
  for (const p of points) {
    const span = Math.floor((p.at - first) / periodMs / per);
    const held = spans.get(span);
    if (held === undefined) spans.set(span, { at: first + span * per * periodMs, value: p.value });
    else held.value = breaches === 'below' ? Math.min(held.value, p.value) : Math.max(held.value, p.value);
  }
  return [...spans.values()].sort((a, b) => a.at - b.at);
}

/** The name of what the alarm watched: the metric, the expression's label, or the expression. */
function seriesName(alarm: AlarmState): string {
  const m = alarm.measure;
  if (m?.kind === 'metric') return m.metric;
  if (m?.kind === 'expression') return m.label ?? m.expression;
  return alarm.name;
}

/** "1 h", "45 min", "3 h". */
function describeSpan(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return minutes % 60 === 0
    ? minutes === 60
      ? 'hour'
      : `${minutes / 60} h`
    : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function cutTitle(text: string): string {
  return text.length <= MAX_TITLE ? text : `${text.slice(0, MAX_TITLE - 1)}…`;
}

/** Slack names a series in at most 20 characters. */
function cutName(text: string): string {
  return text.length <= 20 ? text : `${text.slice(0, 19)}…`;
}
