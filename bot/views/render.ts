import { SLACK_LIMITS } from '../../integrations/slack/block-limits';
import type { Button, Cell, Chart, Field, Line, Reply, Run, StatusKind } from '../../intents/reply';
import { runsOf, TABLE_COLUMNS, TABLE_ROWS } from '../../intents/reply';
import { actionId } from './buttons';

/**
 * The one place that writes Slack syntax. Intents and reactions return structured replies; this renders them as
 * Block Kit plus the plain `text` fallback, escaping every string that came with them (Slack's rules: `&`, `<`, `>`),
 * so `<!channel>`, `<@U…>` or a `<https://…|link>` written by anyone but opsbot comes out as the literal text.
 * Slack's limits are kept here too: what is too long is cut with a visible "…", never refused by Slack.
 */

/** Slack's documented limits (one table, shared with the Block Kit checker the local stand-in judges messages by). */
const LIMITS = {
  blocks: SLACK_LIMITS.messageBlocks,
  sectionText: SLACK_LIMITS.sectionText,
  sectionFields: SLACK_LIMITS.sectionFields,
  fieldText: SLACK_LIMITS.fieldText,
  contextElements: SLACK_LIMITS.contextElements,
  contextText: SLACK_LIMITS.textObject,
  headerText: SLACK_LIMITS.headerText,
  buttonText: SLACK_LIMITS.buttonText,
  buttonValue: SLACK_LIMITS.buttonValue,
  actionsElements: SLACK_LIMITS.actionsElements,
  /** The fallback text: Slack takes far more, but a notification shows a line or two. */
  text: 3000,
} as const;

type PlainText = { type: 'plain_text'; text: string; emoji?: boolean };
type Mrkdwn = { type: 'mrkdwn'; text: string };
export interface SlackButton {
  type: 'button';
  action_id: string;
  text: PlainText;
  value: string;
  style?: 'primary' | 'danger';
}
export type Block =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: Mrkdwn }
  | { type: 'section'; fields: Mrkdwn[] }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'actions'; elements: SlackButton[] }
  | { type: 'data_visualization'; title: string; chart: LineChart }
  | { type: 'data_table'; caption: string; page_size?: number; rows: TableCell[][] };

/** A data table's cell (…/blocks/data-table-block). */
type TableCell =
  | { type: 'raw_text'; text: string }
  | { type: 'raw_number'; text: string; value: number }
  | { type: 'rich_text'; elements: Array<{ type: 'rich_text_section'; elements: unknown[] }> }
  | { type: 'action_cell'; element: SlackButton; fallback: { type: 'raw_text'; text: string } };

/** Slack's line chart: a point per category in every series (…/blocks/data-visualization-block). */
interface LineChart {
  type: 'line';
  series: Array<{ name: string; data: Array<{ label: string; value: number }> }>;
  axis_config: { categories: string[]; x_label?: string; y_label?: string };
}

/** A Slack message: blocks and the plain `text` fallback every message carries. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

const STATUS_EMOJI: Record<StatusKind, string> = {
  ok: ':large_green_circle:',
  failed: ':red_circle:',
  running: ':large_blue_circle:',
  waiting: ':hourglass_flowing_sand:',
  stopped: ':white_circle:',
  none: ':black_circle:',
  warning: ':warning:',
  refused: ':no_entry:',
  error: ':x:',
  scheduled: ':calendar:',
  retrying: ':arrows_counterclockwise:',
  rolledBack: ':rewind:',
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source);

/** Text as Slack shows it literally: lone surrogates replaced, and `&`, `<`, `>` escaped as Slack documents. */
export function escapeText(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack user id opsbot may mention; anything else is shown as text. */
const USER_ID = /^[UW][A-Z0-9]{2,20}$/;
/** A Slack user-group id opsbot may name. */
const GROUP_ID = /^S[A-Z0-9]{2,20}$/;
/** A Slack channel id opsbot may link. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,20}$/;
/** AWS's consoles and endpoints: links there are shown by their label alone. */
const AWS_HOST = /(^|\.)(aws\.amazon\.com|amazonaws\.com)$/i;

/** A link opsbot may write: http(s), of a length Slack takes. */
const LINK_URL = /^https?:\/\/\S{1,2900}$/;

/** A URL with the characters that would end Slack's `<…|…>` early percent-encoded; undefined when not a web link. */
function linkUrl(url: string): string | undefined {
  const encoded = url
    .trim()
    .replace(/[<>|"\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  if (!LINK_URL.test(encoded) || HAS_LONE_SURROGATE.test(encoded)) return undefined;
  try {
    return new URL(encoded).host === '' ? undefined : encoded;
  } catch {
    return undefined;
  }
}

function runMrkdwn(run: Run): string {
  if (typeof run === 'string') return escapeText(run);
  switch (run.kind) {
    case 'mention':
      return USER_ID.test(run.userId) ? `<@${run.userId}>` : escapeText(`@${run.userId}`);
    case 'group':
      return GROUP_ID.test(run.groupId) ? `<!subteam^${run.groupId}>` : escapeText(`@${run.groupId}`);
    case 'channel':
      return CHANNEL_ID.test(run.channelId) ? `<#${run.channelId}>` : escapeText(`#${run.channelId}`);
    case 'link': {
      const url = linkUrl(run.url);
      if (url === undefined) return escapeText(run.label);
      // Link targets come from outside too (a custom action's URL): a label opsbot wrote never hides where it goes.
      const host = new URL(url).host;
      const label = `${oneLine(run.label)}${AWS_HOST.test(host) ? '' : ` (${host})`}`;
      return `<${url}|${escapeText(label) || 'link'}>`;
    }
    case 'code': {
      const text = oneLine(run.text).replace(/`/g, 'ˋ');
      return text.trim() === '' ? '' : `\`${escapeText(text)}\``;
    }
    case 'strong': {
      const text = oneLine(run.text).trim().replace(/\*/g, '∗');
      return text === '' ? '' : `*${escapeText(text)}*`;
    }
    case 'status':
      return `${STATUS_EMOJI[run.status]}${run.label !== undefined ? ` ${escapeText(run.label)}` : ''}`;
    case 'progress': {
      const percent = Math.min(100, Math.max(0, Number.isFinite(run.percent) ? run.percent : 0));
      const filled = Math.round(percent / 10);
      return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)} ${Math.round(percent)}%${run.label !== undefined ? ` ${escapeText(run.label)}` : ''}`;
    }
  }
}

function runPlain(run: Run): string {
  if (typeof run === 'string') return escapeText(run);
  switch (run.kind) {
    case 'mention':
    case 'group':
    case 'channel':
      return runMrkdwn(run);
    case 'link':
      return escapeText(run.label);
    case 'code':
    case 'strong':
      return escapeText(oneLine(run.text));
    case 'status':
      return run.label !== undefined ? escapeText(run.label) : '';
    case 'progress':
      return `${Math.round(Number.isFinite(run.percent) ? run.percent : 0)}%${run.label !== undefined ? ` ${escapeText(run.label)}` : ''}`;
  }
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** A line in Slack mrkdwn. */
export function mrkdwnLine(line: Line): string {
  return runsOf(line).map(runMrkdwn).join('');
}

/** A line as plain text for the fallback (escaped: Slack reads the fallback as mrkdwn too). */
export function plainLine(line: Line): string {
  return runsOf(line).map(runPlain).join('').replace(/\s+/g, ' ').trim();
}

/**
 * Cuts rendered mrkdwn to `max` characters with a visible "…", never inside an escape (`&amp;`), a token Slack
 * parses (`<@U…>`, `<url|label>`) or a surrogate pair.
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
  const open = text.lastIndexOf('<', end - 1);
  if (open > text.lastIndexOf('>', end - 1)) end = open;
  const amp = text.lastIndexOf('&', end - 1);
  if (amp >= 0 && amp > end - 8 && text.indexOf(';', amp) >= end) end = amp;
  return `${text.slice(0, end)}…`;
}

/** Plain text (headers, button labels) cut to `max`, never inside a surrogate pair; never empty. */
function cutPlain(text: string, max: number): string {
  const clean = oneLine(text.replace(LONE_SURROGATE, '\uFFFD')).trim();
  if (clean.length <= max) return clean === '' ? '…' : clean;
  let end = max - 1;
  if (isHighSurrogate(clean.charCodeAt(end - 1))) end--;
  return `${clean.slice(0, end)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Lines packed into section texts of at most 3,000 characters; a longer line is cut. */
function sectionTexts(lines: readonly Line[]): string[] {
  const texts: string[] = [];
  let current = '';
  for (const line of lines) {
    const rendered = cut(mrkdwnLine(line), LIMITS.sectionText);
    if (rendered === '') continue;
    if (current !== '' && current.length + 1 + rendered.length > LIMITS.sectionText) {
      texts.push(current);
      current = '';
    }
    current = current === '' ? rendered : `${current}\n${rendered}`;
  }
  if (current !== '') texts.push(current);
  return texts;
}

function fieldBlocks(fields: readonly Field[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < fields.length; i += LIMITS.sectionFields) {
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + LIMITS.sectionFields).map((f) => ({
        type: 'mrkdwn',
        text: cut(
          `${runMrkdwn({ kind: 'strong', text: f.label }) || '–'}\n${mrkdwnLine(f.value) || '–'}`,
          LIMITS.fieldText,
        ),
      })),
    });
  }
  return blocks;
}

/** What a button's value is: in production an opaque id of what opsbot stored (see bot/cards.ts). */
export interface RenderOptions {
  readonly buttonValue?: (button: Button, position: number) => string;
}

function actionBlocks(reply: Reply, options: RenderOptions): Block[] {
  const buttons: SlackButton[] = [];
  (reply.buttons ?? []).forEach((button, position) => {
    const value = options.buttonValue?.(button, position) ?? JSON.stringify(button.payload);
    // A payload too long for Slack cannot be carried: the button is left out rather than the message refused.
    if (value.length > LIMITS.buttonValue) return;
    buttons.push({
      type: 'button',
      action_id: actionId(button, position),
      text: { type: 'plain_text', text: cutPlain(button.label, LIMITS.buttonText), emoji: true },
      value,
      ...(button.style !== undefined && { style: button.style }),
    });
  });
  const blocks: Block[] = [];
  for (let i = 0; i < buttons.length; i += LIMITS.actionsElements) {
    blocks.push({ type: 'actions', elements: buttons.slice(i, i + LIMITS.actionsElements) });
  }
  return blocks;
}

/** What a cell of text may hold: a long name or reason is cut, visibly. */
const MAX_CELL = 200;

/**
 * Tables as Slack's data table blocks: the header row of plain text, text cut to 200 characters, numbers as numbers
 * (sorted as such), links as rich text, buttons as action cells whose fallback is their label. Rows beyond Slack's
 * 100 are left out, the caption saying how many; the caller folds an estate so that this does not happen.
 */
function tableBlocks(reply: Reply, options: RenderOptions): Block[] {
  let position = (reply.buttons ?? []).length;
  return (reply.tables ?? []).map((table): Block => {
    const shown = table.rows.slice(0, TABLE_ROWS);
    const width = Math.min(table.columns.length, TABLE_COLUMNS);
    const rows = shown.map((row) =>
      Array.from({ length: width }, (_, i) => {
        const cell = row[i];
        if (typeof cell === 'object' && cell.kind === 'button') {
          const at = position++;
          return buttonCell(cell.button, at, options);
        }
        return tableCell(cell);
      }),
    );
    const caption =
      shown.length < table.rows.length
        ? `${table.caption} (first ${shown.length} of ${table.rows.length})`
        : table.caption;
    return {
      type: 'data_table',
      caption: cutPlain(caption, 200),
      ...(table.pageSize !== undefined && {
        page_size: Math.max(1, Math.min(SLACK_LIMITS.tablePageSize, table.pageSize)),
      }),
      rows: [
        table.columns.slice(0, width).map((c): TableCell => ({ type: 'raw_text', text: cutPlain(c, MAX_CELL) })),
        ...rows,
      ],
    };
  });
}

function tableCell(cell: Exclude<Cell, { kind: 'button' }> | undefined): TableCell {
  if (typeof cell === 'number' && Number.isFinite(cell)) return { type: 'raw_number', text: String(cell), value: cell };
  if (typeof cell === 'object' && cell.kind === 'link') {
    const url = linkUrl(cell.url);
    const label = cutPlain(cell.label, MAX_CELL);
    if (url === undefined) return { type: 'raw_text', text: label };
    return {
      type: 'rich_text',
      elements: [{ type: 'rich_text_section', elements: [{ type: 'link', url, text: label }] }],
    };
  }
  const text = typeof cell === 'string' ? cell : '';
  return { type: 'raw_text', text: text.trim() === '' ? '—' : cutPlain(text, MAX_CELL) };
}

function buttonCell(button: Button, position: number, options: RenderOptions): TableCell {
  const label = cutPlain(button.label, LIMITS.buttonText);
  const value = options.buttonValue?.(button, position) ?? JSON.stringify(button.payload);
  // A payload Slack cannot carry leaves the label alone, as the button's fallback would show it.
  if (value.length > LIMITS.buttonValue) return { type: 'raw_text', text: label };
  return {
    type: 'action_cell',
    element: {
      type: 'button',
      action_id: actionId(button, position),
      text: { type: 'plain_text', text: label, emoji: true },
      value,
      ...(button.style !== undefined && { style: button.style }),
    },
    fallback: { type: 'raw_text', text: label },
  };
}

/**
 * A chart as Slack's data visualization block, within its limits (a 50-character title, six series of at most 20
 * points named in 20 characters, axis titles of 50). A chart that cannot be drawn as given (labels that repeat once
 * cut, a value that is not a finite number, a series of another length) is left out: its figures are in the text.
 */
function chartBlock(chart: Chart | undefined): Block[] {
  if (chart === undefined) return [];
  const categories = chart.categories.slice(-SLACK_LIMITS.chartPoints).map((c) => cutPlain(c, SLACK_LIMITS.chartLabel));
  const skipped = chart.categories.length - categories.length;
  const series = chart.series.slice(0, SLACK_LIMITS.chartSeries).map((s) => ({
    name: cutPlain(s.name, SLACK_LIMITS.chartLabel),
    data: categories.map((label, i) => ({ label, value: s.values[skipped + i] as number })),
  }));
  const drawable =
    categories.length > 0 &&
    series.length > 0 &&
    new Set(categories).size === categories.length &&
    new Set(series.map((s) => s.name)).size === series.length &&
    chart.series.every((s) => s.values.length === chart.categories.length) &&
    series.every((s) => s.data.every((p) => typeof p.value === 'number' && Number.isFinite(p.value)));
  if (!drawable) return [];
  return [
    {
      type: 'data_visualization',
      title: cutPlain(chart.title, SLACK_LIMITS.chartTitle),
      chart: {
        type: 'line',
        series,
        axis_config: {
          categories,
          ...(chart.xLabel !== undefined && { x_label: cutPlain(chart.xLabel, SLACK_LIMITS.chartAxisLabel) }),
          ...(chart.yLabel !== undefined && { y_label: cutPlain(chart.yLabel, SLACK_LIMITS.chartAxisLabel) }),
        },
      },
    },
  ];
}

function contextBlock(lines: readonly Line[]): Block | undefined {
  const texts = lines.map((line) => cut(mrkdwnLine(line), LIMITS.contextText)).filter((text) => text !== '');
  // More small print than Slack takes: the last place says so.
  const kept = texts.length > LIMITS.contextElements ? [...texts.slice(0, LIMITS.contextElements - 1), '…'] : texts;
  const elements = kept.map((text): Mrkdwn => ({ type: 'mrkdwn', text }));
  return elements.length === 0 ? undefined : { type: 'context', elements };
}

function fallbackText(reply: Reply): string {
  return cut(plainLine(reply.summary) || (reply.title !== undefined ? escapeText(reply.title) : '…'), LIMITS.text);
}

function header(reply: Reply): Block[] {
  return reply.title === undefined || reply.title.trim() === ''
    ? []
    : [{ type: 'header', text: { type: 'plain_text', text: cutPlain(reply.title, LIMITS.headerText), emoji: true } }];
}

function bodyBlocks(reply: Reply, options: RenderOptions): Block[] {
  const sections =
    reply.sections ??
    (reply.title === undefined && reply.fields === undefined && reply.tables === undefined ? [[reply.summary]] : []);
  return [
    ...sections.flatMap((section) =>
      sectionTexts(section).map((text): Block => ({ type: 'section', text: { type: 'mrkdwn', text } })),
    ),
    ...fieldBlocks(reply.fields ?? []),
    ...tableBlocks(reply, options),
    ...chartBlock(reply.chart),
  ];
}

/** A Home tab's view, as `views.publish` takes it. */
export interface HomeView {
  readonly type: 'home';
  readonly blocks: Block[];
  readonly private_metadata?: string;
}

/**
 * Renders a reply as a person's Home tab: the same blocks as a message (a chart aside: Slack draws none in a Home
 * tab), up to the 100 a Home view holds; past them the body is cut, visibly, its buttons and small print kept.
 */
export function renderHomeView(reply: Reply, options: RenderOptions = {}): HomeView {
  const head = header(reply);
  const body = bodyBlocks({ ...reply, chart: undefined }, options).filter((b) => b.type !== 'data_visualization');
  const actions = actionBlocks(reply, options).slice(0, 4);
  const context = contextBlock(reply.context ?? []);
  const tail = [...actions, ...(context !== undefined ? [context] : [])];
  const room = SLACK_LIMITS.homeBlocks - head.length - tail.length;
  const kept =
    body.length <= room
      ? body
      : [
          ...body.slice(0, room - 1),
          { type: 'context', elements: [{ type: 'mrkdwn', text: '_…cut to fit the Home tab._' }] } as Block,
        ];
  return { type: 'home', blocks: [...head, ...kept, ...tail] };
}

/**
 * Renders a reply as one message, or as several when it has more blocks than one Slack message takes (a long
 * pipeline overview): the header opens the first page, buttons and small print close the last, and each page's
 * fallback text says which page it is.
 */
export function renderPages(reply: Reply, options: RenderOptions = {}): SlackMessage[] {
  const head = header(reply);
  const body = bodyBlocks(reply, options);
  // Buttons beyond what a message can show alongside its body are not offered (nothing opsbot sends has so many).
  const actions = actionBlocks(reply, options).slice(0, 4);
  const context = contextBlock(reply.context ?? []);
  const text = fallbackText(reply);
  const tail = [...actions, ...(context !== undefined ? [context] : [])];
  if (head.length + body.length + tail.length <= LIMITS.blocks) {
    const blocks = [...head, ...body, ...tail];
    return [{ text, blocks: blocks.length > 0 ? blocks : [{ type: 'section', text: { type: 'mrkdwn', text } }] }];
  }
  // Every page keeps one block for its "Page i of n" line, and room for the header and the buttons, which the first
  // and the last page carry (one page may be both).
  const perPage = LIMITS.blocks - 1 - head.length - actions.length;
  if (body.length === 0) body.push({ type: 'section', text: { type: 'mrkdwn', text } });
  const chunks: Block[][] = [];
  for (let i = 0; i < body.length; i += perPage) chunks.push(body.slice(i, i + perPage));
  const title = reply.title !== undefined ? cutPlain(reply.title, 200) : 'continued';
  return chunks.map((chunk, i) => {
    const first = i === 0;
    const last = i === chunks.length - 1;
    const pageLine: Mrkdwn = { type: 'mrkdwn', text: `Page ${i + 1} of ${chunks.length}` };
    const pageContext: Block = {
      type: 'context',
      elements:
        last && context !== undefined && context.type === 'context'
          ? [...context.elements.slice(0, LIMITS.contextElements - 1), pageLine]
          : [pageLine],
    };
    return {
      text: first ? text : cut(`${escapeText(title)} (page ${i + 1} of ${chunks.length})`, LIMITS.text),
      blocks: [...(first ? head : []), ...chunk, ...(last ? actions : []), pageContext],
    };
  });
}

/**
 * Renders a reply as exactly one message (a slash command's acknowledgement): past 50 blocks the body is cut,
 * visibly, and its buttons are kept.
 */
export function renderReply(reply: Reply, options: RenderOptions = {}): SlackMessage {
  const pages = renderPages(reply, options);
  const [first] = pages;
  const message = first as SlackMessage;
  if (pages.length === 1) return message;
  const actions = actionBlocks(reply, options).slice(0, 4);
  const body = message.blocks.filter((b) => b.type !== 'context' && b.type !== 'actions');
  const blocks: Block[] = [...body.slice(0, LIMITS.blocks - 1 - actions.length), ...actions];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: '_…cut to fit one Slack message._' }] });
  return { text: message.text, blocks };
}
