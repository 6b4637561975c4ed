import type { IntentPorts, PostedMessage } from '../define-intent';
import { code, type Line, link, mention, type Reply, type Run, status, strong } from '../reply';

const DAY = 24 * 60 * 60;
/** A failure card is followed for a month: as long as a pipeline may stay broken and still be worth a line. */
export const ALERT_TTL_SECONDS = 30 * DAY;

/** The action that failed and its error, as CodePipeline's action event (or the pipeline's state) tells it. */
export interface ActionFailure {
  readonly stage: string;
  readonly action: string;
  readonly summary?: string;
  readonly errorCode?: string;
  readonly url?: string;
}

/** Where a failure card stands: it is drawn again, in place, at each step. */
export type AlertState = 'failed' | 'retrying' | 'failed-again' | 'recovered';

/**
 * A pipeline's failure card in the alerts channel, as the Store keeps it: where it is, the execution it is about, and
 * enough to draw it again. Cards posted before they were kept whole hold only the first three (no `state`): their
 * thread is still told what happens, and the card is left as it is.
 */
export interface PipelineAlert extends PostedMessage {
  readonly executionId: string;
  readonly pipeline?: string;
  readonly state?: AlertState;
  readonly failure?: ActionFailure;
  readonly account?: string;
  readonly region?: string;
  /** The retry opsbot started from Slack: who asked, and which stage. */
  readonly retry?: { readonly userId: string; readonly stage: string };
  /** The execution whose success recovered the pipeline. */
  readonly recoveredBy?: string;
}

/** A card kept whole, which can be drawn again. */
export type KeptAlert = PipelineAlert & { readonly pipeline: string; readonly state: AlertState };

/** What a card shows, wherever it is. */
export type AlertCard = Omit<KeptAlert, keyof PostedMessage>;

export function isKept(alert: PipelineAlert): alert is KeptAlert {
  return alert.state !== undefined && alert.pipeline !== undefined;
}

/** The pipeline's latest failure card (one a pipeline: a newer failure's card takes the place of an older one). */
export function alertKey(pipeline: string): string {
  return `pipeline-alert:${pipeline}`;
}

/** The failed action an execution's action event named, kept until the execution's own event arrives. */
export function actionFailureKey(pipeline: string, executionId: string): string {
  return `pipeline-action-failure:${pipeline}:${executionId}`;
}

/**
 * The failure card as it stands: failed (with Retry), retrying (by whom), failed again (with Retry), or recovered (with
 * nothing left to press). Everything from outside — the pipeline's, stage's and action's names, the error — is text the
 * renderer escapes.
 */
export function failureCard(alert: AlertCard): Reply {
  const { pipeline, failure } = alert;
  const where = failure === undefined ? '' : ` at ${failure.stage} › ${failure.action}`;
  const error = failure?.summary ?? 'no error message was reported';
  const what: Run[] =
    failure === undefined
      ? []
      : [
          strong(failure.stage),
          ' › ',
          strong(failure.action),
          ': ',
          error,
          ...(failure.errorCode !== undefined ? [' (', code(failure.errorCode), ')'] : []),
        ];
  const details = failure?.url !== undefined ? [link(failure.url, 'Open the action’s details')] : [];
  const by = alert.retry;
  const place = ['Execution ', code(short(alert.executionId)), ...account(alert)];
  const retry = retryButton(alert);

  switch (alert.state) {
    case 'failed':
      return {
        title: `${pipeline} failed`,
        summary: `${pipeline} failed${where}: ${error}`,
        sections: [
          [
            failure === undefined
              ? [status('failed'), ' ', strong(pipeline), ' failed.']
              : [status('failed'), ' ', strong(pipeline), ' failed at ', ...what],
            ...details,
          ],
        ],
        ...retry,
        context: [[...place, ` · ask “${whyFailing(pipeline)}”`]],
        visibility: 'channel',
      };
    case 'retrying':
      return {
        title: `${pipeline} retrying`,
        summary: `${pipeline}: retrying ${by?.stage ?? 'the failed stage'}.`,
        sections: [
          [
            [
              status('retrying'),
              ' ',
              strong(pipeline),
              ' is retrying ',
              strong(by?.stage ?? 'the failed stage'),
              ...(by !== undefined ? [' (by ', mention(by.userId), ')'] : []),
              '.',
            ],
            ...earlier(failure, what),
            ...details,
          ],
        ],
        context: [[...place, ' · this card changes when the execution ends']],
        visibility: 'channel',
      };
    case 'failed-again':
      return {
        title: `${pipeline} failed again`,
        summary: `${pipeline} failed again${where}: ${error}`,
        sections: [
          [
            failure === undefined
              ? [status('failed'), ' ', strong(pipeline), ' failed again.']
              : [status('failed'), ' ', strong(pipeline), ' failed again at ', ...what],
            ...(by !== undefined ? [['After a retry of ', strong(by.stage), ' by ', mention(by.userId), '.']] : []),
            ...details,
          ],
        ],
        ...retry,
        context: [[...place, ` · ask “${whyFailing(pipeline)}”`]],
        visibility: 'channel',
      };
    case 'recovered': {
      const recovered = alert.recoveredBy ?? alert.executionId;
      return {
        title: `${pipeline} recovered`,
        summary: `${pipeline} recovered: execution ${short(recovered)} succeeded.`,
        sections: [
          [
            [
              status('ok'),
              ' ',
              strong(pipeline),
              ' recovered: execution ',
              code(short(recovered)),
              ' succeeded',
              ...(by !== undefined && recovered === alert.executionId
                ? [' after a retry of ', strong(by.stage), ' by ', mention(by.userId)]
                : []),
              '.',
            ],
            ...earlier(failure, what),
          ],
        ],
        context: [place],
        visibility: 'channel',
      };
    }
  }
}

/** The failure a retrying or recovered card keeps, below its new headline. */
function earlier(failure: ActionFailure | undefined, what: readonly Run[]): Line[] {
  return failure === undefined ? [] : [['It had failed at ', ...what]];
}

/** Retry, for the failed stage of the card's execution: what a click asks is read back from the stored card. */
function retryButton(alert: AlertCard): Pick<Reply, 'buttons'> {
  const stage = alert.failure?.stage;
  if (stage === undefined || stage === '?') return {};
  return {
    buttons: [
      {
        label: `Retry ${stage}`,
        style: 'primary',
        payload: { kind: 'retry-stage', pipeline: alert.pipeline, stage, executionId: alert.executionId },
      },
    ],
  };
}

function account(alert: AlertCard): string[] {
  return alert.account === undefined ? [] : [` · account ${alert.account} · ${alert.region ?? '?'}`];
}

/**
 * Draws the card again in place. A card someone deleted stays deleted (its thread is still told); anything else
 * Slack answers is thrown, for the caller to decide.
 */
export async function redraw(alert: KeptAlert, ports: Pick<IntentPorts, 'announcer' | 'log'>): Promise<void> {
  try {
    await ports.announcer.update({ channel: alert.channel, ts: alert.ts }, failureCard(alert));
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MESSAGE_GONE') throw error;
    ports.log.info('pipeline.alert_gone', { pipeline: alert.pipeline });
  }
}

export function short(id: string): string {
  return id.slice(0, 8);
}

/** "why is api-pipeline failing?", "why is the web pipeline failing?": never "the api-pipeline pipeline". */
export function whyFailing(pipeline: string): string {
  return /pipeline$/i.test(pipeline) ? `why is ${pipeline} failing?` : `why is the ${pipeline} pipeline failing?`;
}
