import type { AlarmState } from '../../integrations/alarms.port';
import { code, type Line, type Run, status } from '../reply';

/** What is quoted of CloudWatch's reason: enough to read, never a wall of text. */
const MAX_REASON = 400;

/** "09:41 UTC". */
function at(time: number): string {
  return `${new Date(time).toISOString().slice(11, 16)} UTC`;
}

/** "12", "2.31", "0.000123": datapoints and thresholds as people read them. */
export function figure(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));
}

/**
 * What an alarm says, line by line: which alarm went to ALARM and when, what it measures (a metric with its
 * statistic and period, a metric-math expression, or a composite rule and the alarms that set it off), the
 * threshold and the datapoints that crossed it, and CloudWatch's own reason, quoted.
 */
export function alarmFacts(alarm: AlarmState): Line[] {
  const lines: Line[] = [
    [
      status('failed'),
      ' Alarm ',
      code(alarm.name),
      ' went to ALARM',
      ...(alarm.updatedAt !== undefined ? [` at ${at(alarm.updatedAt)}`] : []),
    ],
  ];
  const m = alarm.measure;
  if (m?.kind === 'metric') {
    const dims = Object.entries(m.dimensions)
      .slice(0, 3)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    lines.push([
      'Metric ',
      code(m.metric),
      ` (${m.namespace}`,
      ...(m.stat !== undefined ? [`, ${m.stat}`] : []),
      ...(m.periodSeconds !== undefined ? [` over ${period(m.periodSeconds)}`] : []),
      ')',
      ...(dims !== '' ? [` of ${dims}`] : []),
    ]);
  } else if (m?.kind === 'expression') {
    lines.push(['Metric math ', code(m.expression), ...(m.label !== undefined ? [` (${m.label})`] : [])]);
  } else if (m?.kind === 'composite') {
    lines.push([
      'Composite rule ',
      code(m.rule),
      ...(m.triggeredBy.length > 0
        ? [
            ' · set off by ',
            ...m.triggeredBy.slice(0, 5).flatMap((name, i): Run[] => [i === 0 ? '' : ', ', code(name)]),
          ]
        : []),
    ]);
  }
  const band = alarm.band;
  if (alarm.threshold !== undefined || alarm.datapoints.length > 0 || band !== undefined) {
    lines.push([
      alarm.threshold !== undefined
        ? `Threshold ${figure(alarm.threshold)}`
        : band !== undefined
          ? `Outside its expected band ${figure(band.lower)} to ${figure(band.upper)}`
          : 'No fixed threshold',
      ...(alarm.datapoints.length > 0
        ? [
            ` · ${alarm.datapoints.length === 1 ? 'datapoint' : 'datapoints'} ${alarm.datapoints.map(figure).join(', ')}`,
          ]
        : []),
    ]);
  }
  if (alarm.suppressed !== undefined) {
    // Suppression holds back the alarm's own actions (notifications); a rollback is opsbot's, and it acts on the state.
    lines.push([`CloudWatch held back the alarm’s own actions (${alarm.suppressed}); opsbot acts on its state.`]);
  }
  if (alarm.reason !== '') {
    const reason = alarm.reason.length > MAX_REASON ? `${alarm.reason.slice(0, MAX_REASON)}…` : alarm.reason;
    lines.push([`CloudWatch: “${reason}”`]);
  }
  return lines;
}

function period(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
