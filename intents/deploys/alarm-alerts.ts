import type { PostedMessage } from '../define-intent';
import { code, mention, type Run, status, strong } from '../reply';

/** An alarm posted to the alerts channel while it is in ALARM. */
export interface AlarmAlert {
  readonly alarm: string;
  readonly service: string;
  readonly environment: string;
  readonly firedAt: number;
  readonly message?: PostedMessage;
  /** Someone acted on it (a rollback started): its button is gone, and this says who and what. */
  readonly actedOn?: { readonly by: string; readonly version: string };
}

/** How long an alarm's alert is remembered (to say it recovered, or that someone rolled back from it). */
export const ALERT_TTL_SECONDS = 7 * 24 * 60 * 60;

export const alertKey = (service: string, environment: string, alarm: string) =>
  `alarm-alert:${service}:${environment}:${alarm}`;

/** The line an alert shows once someone rolled back from it, in place of its button. */
export function actedOnLine(alert: AlarmAlert, link: readonly Run[] = []): Run[] {
  const by = alert.actedOn;
  if (by === undefined) return [];
  return [
    status('rolledBack'),
    ' ',
    mention(by.by),
    ' is rolling ',
    strong(alert.service),
    ' in ',
    strong(alert.environment),
    ' back to ',
    code(by.version),
    ...link,
    '.',
  ];
}
