import type { KnownBlock, WebClient } from '@slack/web-api';
import type { Chat, ChatMessage, PostTarget } from '../chat.port';
import { OpsbotError } from '../errors';

type Blocks = KnownBlock[];

/** Chat over the Slack Web API (`chat.postMessage`, `chat.update`) and `response_url` (private answers go through it). */
export class SlackWebApiChat implements Chat {
  constructor(
    private readonly client: WebClient,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async post(target: PostTarget, message: ChatMessage): Promise<string> {
    const result = await this.client.chat.postMessage({
      channel: target.channel,
      text: message.text,
      ...(message.blocks !== undefined && { blocks: message.blocks as Blocks }),
      ...(target.threadTs !== undefined && { thread_ts: target.threadTs }),
    });
    if (result.ts === undefined) throw new Error('chat.postMessage returned no ts');
    return result.ts;
  }

  async postEphemeral(target: PostTarget, user: string, message: ChatMessage): Promise<void> {
    await this.client.chat.postEphemeral({
      channel: target.channel,
      user,
      text: message.text,
      ...(message.blocks !== undefined && { blocks: message.blocks as Blocks }),
      ...(target.threadTs !== undefined && { thread_ts: target.threadTs }),
    });
  }

  async update(channel: string, ts: string, message: ChatMessage): Promise<void> {
    await this.client.chat.update({
      channel,
      ts,
      text: message.text,
      ...(message.blocks !== undefined && { blocks: message.blocks as Blocks }),
    });
  }

  async respond(
    responseUrl: string,
    message: ChatMessage & {
      readonly visibility: 'private' | 'channel';
      readonly replaceOriginal?: boolean;
      readonly threadTs?: string;
    },
  ): Promise<void> {
    await this.postToResponseUrl(responseUrl, {
      text: message.text,
      ...(message.blocks !== undefined && { blocks: message.blocks }),
      response_type: message.visibility === 'channel' ? 'in_channel' : 'ephemeral',
      replace_original: message.replaceOriginal === true,
      ...(message.threadTs !== undefined && { thread_ts: message.threadTs }),
    });
  }

  async deleteOriginal(responseUrl: string): Promise<void> {
    await this.postToResponseUrl(responseUrl, { delete_original: true });
  }

  private async postToResponseUrl(responseUrl: string, body: Record<string, unknown>): Promise<void> {
    const response = await this.fetchFn(responseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      // response_urls expire after 30 minutes or five uses; the person needs to ask again.
      throw new OpsbotError(
        'RESPONSE_URL_REJECTED',
        `Slack refused my answer (HTTP ${response.status}); the request may be too old.`,
        'Run the command again.',
      );
    }
  }
}
