/** Block Kit shapes opsbot uses (a subset of Slack's), kept small so views stay readable. */
export type Block =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: Mrkdwn; block_id?: string }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'divider' }
  | { type: 'actions'; block_id?: string; elements: Button[] };

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export interface Button {
  type: 'button';
  action_id: string;
  text: PlainText;
  value: string;
  style?: 'primary' | 'danger';
}

/** Slack's limits, so a long answer is cut rather than refused by the API. */
export const LIMITS = { headerText: 150, sectionText: 3000, buttonText: 75, buttonValue: 2000, blocks: 50 } as const;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const plain = (text: string): PlainText => ({
  type: 'plain_text',
  text: truncate(text, LIMITS.headerText),
  emoji: true,
});
export const mrkdwn = (text: string): Mrkdwn => ({ type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) });
