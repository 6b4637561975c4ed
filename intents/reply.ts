/**
 * What intents and reactions answer: structured content, never Slack syntax. `bot/views` alone turns it into
 * Block Kit, escaping every plain string, so text from outside (what people typed, commit messages, AWS error text)
 * can never mention a channel, ping a group or hide a link.
 *
 * @example
 * const line: Line = [status('failed'), ' ', strong('web-pipeline'), ' failed: ', errorText, ' · ', link(url, 'logs')];
 */

import { SLACK_LIMITS } from '../integrations/slack/block-limits';

/** How a status reads at a glance; the renderer shows an emoji and, where asked, the word. */
export type StatusKind =
  | 'ok'
  | 'failed'
  | 'running'
  | 'waiting'
  | 'stopped'
  | 'none'
  | 'warning'
  | 'refused'
  | 'error'
  | 'scheduled'
  | 'retrying'
  | 'rolledBack';

/** One piece of a line. A plain string is text from anywhere: it is shown exactly as written. */
export type Run =
  | string
  | { readonly kind: 'mention'; readonly userId: string }
  /** A Slack user group, by id (`S…`): in private answers only, where naming it notifies nobody. */
  | { readonly kind: 'group'; readonly groupId: string }
  | { readonly kind: 'channel'; readonly channelId: string }
  | { readonly kind: 'link'; readonly url: string; readonly label: string }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'strong'; readonly text: string }
  | { readonly kind: 'status'; readonly status: StatusKind; readonly label?: string }
  | { readonly kind: 'progress'; readonly percent: number; readonly label?: string };

/** A line of text: one run, or several in order. */
export type Line = Run | readonly Run[];

/** A labelled value, shown two to a row. */
export interface Field {
  readonly label: string;
  readonly value: Line;
}

/**
 * What a button asks for when it is clicked. Typed objects: the edge turns them into Slack buttons and reads them
 * back, and checks them again when the click arrives.
 */
export type ButtonPayload =
  /** Continue a request with a slot value chosen from the offered ones. */
  | {
      readonly kind: 'choose';
      readonly intent: string;
      readonly slots: Readonly<Record<string, string>>;
      readonly userId: string;
    }
  /** Answer a confirmation card (a change asked for by `userId`); `nonce` makes the card answerable once. */
  | (Decision & { readonly kind: 'confirm' })
  | (Decision & { readonly kind: 'cancel' })
  /** Retry the failed actions of a pipeline stage. */
  | { readonly kind: 'retry-stage'; readonly pipeline: string; readonly stage: string; readonly executionId: string }
  /** Ask for a request as the clicker (a deploy's Roll back): planned, checked and confirmed like a typed one. */
  | { readonly kind: 'request'; readonly intent: string; readonly slots: Readonly<Record<string, string>> }
  /** Stop a running deploy with rollback. */
  | { readonly kind: 'deploy-cancel'; readonly runId: string }
  /** A second person's answer to a deploy that needs approval. */
  | { readonly kind: 'approve'; readonly runId: string }
  | { readonly kind: 'reject'; readonly runId: string }
  /** The answer to a deploy waiting at a gate: shift production traffic to green, or roll back. */
  | {
      readonly kind: 'gate';
      readonly runId: string;
      readonly gateId: string;
      readonly action: 'continue' | 'rollback';
    };

/** What a confirmation card asked: the request, who asked, and the card's one-time nonce. */
export interface Decision {
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
  readonly userId: string;
  readonly nonce: string;
  /** The change as its card stated it (`Deploy web v1.8.2 to prod`), for what Cancel says; kept with the card. */
  readonly action?: Line;
}

export interface Button {
  /** Shown as written (Slack cuts nothing: the renderer keeps it within 75 characters). */
  readonly label: string;
  readonly style?: 'primary' | 'danger';
  readonly payload: ButtonPayload;
}

/** Lines shown together as one block of text. */
export type Section = readonly Line[];

/**
 * A line chart Slack draws natively (its data visualization block): values over categories along the x axis, one
 * line a series. Its figures also stand in the reply's text, so a reply without its chart loses nothing.
 */
export interface Chart {
  /** Cut to what Slack shows above a chart. */
  readonly title: string;
  readonly categories: readonly string[];
  /** Each series has a value for every category, in the same order. */
  readonly series: ReadonlyArray<{ readonly name: string; readonly values: readonly number[] }>;
  readonly xLabel?: string;
  readonly yLabel?: string;
}

/**
 * A table Slack draws natively (its data table block: sortable, paged): a caption, the columns' names, and rows of
 * cells — text, a number (sorted as one), a link, or a button (issued, and answered, as the reply's other buttons).
 */
export interface Table {
  readonly caption: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly Cell[]>;
  /** Rows a page shows (Slack's default 5). */
  readonly pageSize?: number;
}

/** One cell of a table; empty text shows as "—". */
export type Cell =
  | string
  | number
  | { readonly kind: 'link'; readonly url: string; readonly label: string }
  | { readonly kind: 'button'; readonly button: Button };

/**
 * A message: a summary (also the notification and fallback text), an optional title, sections of lines,
 * fields, buttons and small print.
 */
export interface Reply {
  /** One line that says it all: the notification text and the fallback for clients without blocks. */
  readonly summary: Line;
  /** A heading, plain text. */
  readonly title?: string;
  /** The body; without sections or a title the summary is the body. */
  readonly sections?: readonly Section[];
  readonly fields?: readonly Field[];
  readonly buttons?: readonly Button[];
  /** A chart under the body; left out where Slack refuses it, the body still saying its figures. */
  readonly chart?: Chart;
  /** Tables under the body (a message's cells hold at most 20,000 characters in all). */
  readonly tables?: readonly Table[];
  /** Small print under the body. */
  readonly context?: readonly Line[];
  /** `private`: only the person who asked sees it; `channel`: everyone in the conversation. Default private. */
  readonly visibility?: 'private' | 'channel';
}

/** Slack draws at most 100 rows of a table (after its header): the rows past them are left out, their buttons too. */
export const TABLE_ROWS = SLACK_LIMITS.tableRows - 1;
/** …and at most 20 columns. */
export const TABLE_COLUMNS = SLACK_LIMITS.tableColumns;

/** Every button of a reply, in the order they are issued: its own buttons, then those in its tables' drawn cells. */
export function buttonsOf(reply: Reply): Button[] {
  const inTables = (reply.tables ?? []).flatMap((t) =>
    t.rows
      .slice(0, TABLE_ROWS)
      .flatMap((row) =>
        row
          .slice(0, Math.min(t.columns.length, TABLE_COLUMNS))
          .flatMap((cell) => (typeof cell === 'object' && cell.kind === 'button' ? [cell.button] : [])),
      ),
  );
  return [...(reply.buttons ?? []), ...inTables];
}

export const mention = (userId: string): Run => ({ kind: 'mention', userId });
export const group = (groupId: string): Run => ({ kind: 'group', groupId });
export const channelLink = (channelId: string): Run => ({ kind: 'channel', channelId });
export const link = (url: string, label: string): Run => ({ kind: 'link', url, label });
export const code = (text: string): Run => ({ kind: 'code', text });
export const strong = (text: string): Run => ({ kind: 'strong', text });
export const status = (kind: StatusKind, label?: string): Run => ({
  kind: 'status',
  status: kind,
  ...(label !== undefined && { label }),
});
export const progress = (percent: number, label?: string): Run => ({
  kind: 'progress',
  percent,
  ...(label !== undefined && { label }),
});

/** Joins lines or runs with a separator run, skipping nothing. */
export function joined(parts: readonly Line[], separator: Run): Run[] {
  return parts.flatMap((part, i) => [...(i === 0 ? [] : [separator]), ...runsOf(part)]);
}

/** A line as its runs. */
export function runsOf(line: Line): readonly Run[] {
  return Array.isArray(line) ? (line as readonly Run[]) : [line as Run];
}

/** The words of a line without any formatting: for logs, tests and plain contexts. */
export function plainText(line: Line): string {
  return runsOf(line).map(runText).join('');
}

function runText(run: Run): string {
  if (typeof run === 'string') return run;
  switch (run.kind) {
    case 'mention':
      return `@${run.userId}`;
    case 'group':
      return `@${run.groupId}`;
    case 'channel':
      return `#${run.channelId}`;
    case 'link':
      return run.label;
    case 'code':
    case 'strong':
      return run.text;
    case 'status':
      return run.label ?? '';
    case 'progress':
      return `${Math.round(run.percent)}%${run.label !== undefined ? ` ${run.label}` : ''}`;
  }
}

/** A short notice for one person: a status, what happened, and what to do next. */
export function notice(kind: StatusKind, message: Line, hint?: Line): Reply {
  return {
    summary: message,
    sections: [[[status(kind), ' ', ...runsOf(message)]]],
    ...(hint !== undefined && { context: [hint] }),
    visibility: 'private',
  };
}
