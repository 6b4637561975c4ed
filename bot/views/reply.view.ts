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
