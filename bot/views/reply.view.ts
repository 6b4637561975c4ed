import type { Reply, ReplyAction } from '../../intents/define-intent';
import { type Block, type Button, LIMITS, mrkdwn, plain, truncate } from './blocks';

/** A Slack message: blocks and the plain `text` fallback every message carries. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

/** Renders an intent's reply as Block Kit. */
export function renderReply(reply: Reply): SlackMessage {
  const blocks: Block[] = [];
  if (reply.title !== undefined) blocks.push({ type: 'header', text: plain(reply.title) });
  const sections = reply.sections ?? (reply.title === undefined ? [reply.text] : []);
  for (const section of sections) blocks.push({ type: 'section', text: mrkdwn(section) });
  if (reply.actions !== undefined && reply.actions.length > 0) {
    blocks.push({ type: 'actions', elements: reply.actions.slice(0, 25).map(button) });
  }
  if (reply.context !== undefined && reply.context.length > 0) {
    blocks.push({ type: 'context', elements: reply.context.slice(0, 10).map(mrkdwn) });
  }
  if (blocks.length > LIMITS.blocks) {
    blocks.splice(LIMITS.blocks - 1, blocks.length, {
      type: 'context',
      elements: [mrkdwn('_…cut to fit one Slack message._')],
    });
  }
  return { text: truncate(reply.text, 3000), blocks };
}

function button(action: ReplyAction): Button {
  return {
    type: 'button',
    action_id: action.id,
    text: plain(truncate(action.label, LIMITS.buttonText)),
    value: action.value.slice(0, LIMITS.buttonValue),
    ...(action.style !== undefined && { style: action.style }),
  };
}

/**
 * Renders a reply as one message, or as several when it has more blocks than one Slack message takes (a long
 * pipeline overview): the header opens the first page, buttons and small print close the last, and each page's
 * fallback text says which page it is.
 */
export function renderPages(reply: Reply): SlackMessage[] {
  const single = renderReply(reply);
  const sections = reply.sections ?? [];
  const fixed = (reply.title !== undefined ? 1 : 0) + (reply.actions?.length ? 1 : 0) + (reply.context?.length ? 1 : 0);
  if (sections.length + fixed <= LIMITS.blocks) return [single];
  const perPage = LIMITS.blocks - 3;
  const chunks: string[][] = [];
  for (let i = 0; i < sections.length; i += perPage) chunks.push(sections.slice(i, i + perPage));
  return chunks.map((chunk, i) => {
    const first = i === 0;
    const last = i === chunks.length - 1;
    const page = renderReply({
      text: first ? reply.text : `${reply.title ?? 'continued'} (page ${i + 1} of ${chunks.length})`,
      sections: chunk,
      ...(first && reply.title !== undefined && { title: reply.title }),
      ...(last && reply.actions !== undefined && { actions: reply.actions }),
      context: [...(last ? (reply.context ?? []) : []), `Page ${i + 1} of ${chunks.length}`],
    });
    return page;
  });
}
