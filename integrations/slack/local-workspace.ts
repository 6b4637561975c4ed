import { randomBytes } from 'node:crypto';
import { signSlackRequest } from './signing';
import type { SlackStandIn, StandInMessage } from './stand-in';

export interface LocalWorkspaceOptions {
  /** The app's request URL (`http://127.0.0.1:3000/slack/events`). */
  readonly requestUrl: string;
  readonly signingSecret: string;
  readonly botUserId: string;
  readonly team?: string;
  readonly channel?: string;
  /** Who acts when a call names nobody (the local page names the person it acts as). */
  readonly user?: string;
  readonly command?: string;
}

/** Where a person's message goes, and who sends it: the deploys channel, at the top level, as the default person. */
export interface SendOptions {
  readonly threadTs?: string;
  readonly channel?: string;
  /** The person's Slack user id; the caller decides who may be named (the local page offers a few people). */
  readonly user?: string;
}

/**
 * Plays Slack's part for the local channel page: records what a person types in the stand-in's channel and
 * delivers it to the app exactly as Slack would — a signed Events API `app_mention`, a signed slash command with a
 * `response_url`, a signed `block_actions` click — over HTTP to the request URL, each signed as the person who acted.
 * Nothing reaches the bot any other way.
 */
export class LocalWorkspace {
  readonly team: string;
  readonly channel: string;
  readonly user: string;
  private readonly command: string;

  constructor(
    private readonly standIn: SlackStandIn,
    private readonly options: LocalWorkspaceOptions,
  ) {
    this.team = options.team ?? 'T0LOCAL001';
    this.channel = options.channel ?? 'C0DEPLOYS01';
    this.user = options.user ?? 'U0YOU00001';
    this.command = options.command ?? '/deploy';
  }

  /** A person's direct-message channel with the bot: each person has their own, as in Slack. */
  static dmChannelOf(user: string): string {
    return `D${user.slice(1)}`;
  }

  /**
   * What a person typed, in a channel (the deploys channel unless another is named): `/deploy …` runs the command;
   * anything else is a message to the bot — a mention in a channel, a direct message in the DM.
   */
  async send(text: string, options: SendOptions = {}): Promise<void> {
    const trimmed = text.trim();
    if (trimmed === '') return;
    const channel = options.channel ?? this.channel;
    const user = options.user ?? this.user;
    if (trimmed === this.command || trimmed.startsWith(`${this.command} `)) {
      await this.runCommand(trimmed.slice(this.command.length).trim(), channel, user);
      return;
    }
    await this.mention(trimmed, options.threadTs, channel, user);
  }

  /** A message to the bot (the page treats every message as a mention), at the top level or in a thread. */
  async mention(
    text: string,
    threadTs?: string,
    channel: string = this.channel,
    user: string = this.user,
  ): Promise<StandInMessage> {
    const message = this.standIn.addPersonMessage(channel, user, text, threadTs);
    const direct = channel.startsWith('D');
    const event = {
      type: direct ? 'message' : 'app_mention',
      ...(direct && { channel_type: 'im' }),
      user,
      text: direct ? text : `<@${this.options.botUserId}> ${text}`,
      ts: message.ts,
      channel,
      event_ts: message.ts,
      ...(threadTs !== undefined && { thread_ts: threadTs }),
    };
    await this.deliverEvent(event);
    return message;
  }

  /** A slash command; its acknowledgement shows in the channel as Slack shows it (only to the person, usually). */
  async runCommand(text: string, channel: string = this.channel, user: string = this.user): Promise<void> {
    this.standIn.addPersonMessage(channel, user, `${this.command} ${text}`.trim());
    const responseUrl = this.standIn.mintResponseUrl({ channel, user });
    const body = new URLSearchParams({
      token: 'local',
      team_id: this.team,
      channel_id: channel,
      user_id: user,
      user_name: user.toLowerCase(),
      command: this.command,
      text,
      api_app_id: 'A0LOCAL001',
      response_url: responseUrl,
      trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
    }).toString();
    const response = await this.deliver(body, 'application/x-www-form-urlencoded');
    const ack =
      response.trim() === ''
        ? undefined
        : (JSON.parse(response) as { text?: string; blocks?: unknown[]; response_type?: string });
    if (ack !== undefined && (ack.text !== undefined || ack.blocks !== undefined)) {
      this.standIn.addAcknowledgement(channel, user, ack, responseUrl);
    }
  }

  /**
   * A person's click on a button of a message in the channel. A message visible only to someone else cannot be
   * clicked, as Slack never shows it to anyone else.
   */
  async click(messageTs: string, actionId: string, user: string = this.user): Promise<void> {
    const message = this.standIn.messages.find((m) => m.ts === messageTs && (!m.ephemeral || m.user === user));
    // In an actions block, or in a data table's action cell.
    const button = message === undefined ? undefined : findButton(message.blocks ?? [], actionId);
    if (message === undefined || button === undefined) throw new Error(`no button ${actionId} on message ${messageTs}`);
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), team_id: this.team },
      api_app_id: 'A0LOCAL001',
      token: 'local',
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: message.ephemeral,
      },
      trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
      team: { id: this.team, domain: 'local' },
      channel: { id: message.channel, name: message.channel },
      message: {
        type: 'message',
        ts: message.ts,
        text: message.text,
        ...(message.thread_ts !== undefined && { thread_ts: message.thread_ts }),
      },
      response_url: this.standIn.mintResponseUrl({
        channel: message.channel,
        user,
        messageTs: message.ts,
        ...(message.thread_ts !== undefined && { threadTs: message.thread_ts }),
      }),
      actions: [{ ...button, block_id: 'local', action_ts: String(Date.now() / 1000) }],
    };
    await this.deliver(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  /**
   * A person opens opsbot's Home tab: Slack's `app_home_opened` event (its `channel` the person's DM with the app, as
   * Slack sends it), with the view published before, if any.
   */
  async openHome(user: string, dm: string): Promise<void> {
    const shown = this.standIn.homeViews.get(user);
    const event = {
      type: 'app_home_opened',
      user,
      channel: dm,
      tab: 'home',
      event_ts: `${(Date.now() / 1000).toFixed(6)}`,
      ...(shown !== undefined && { view: { id: shown.id, team_id: this.team, type: 'home', ...shown.view } }),
    };
    await this.deliverEvent(event);
  }

  /**
   * A click on a button in a data table of a person's Home tab, as Slack posts it: from a view, with no channel, no
   * message and no response_url.
   */
  async clickHome(actionId: string, user: string = this.user): Promise<void> {
    const shown = this.standIn.homeViews.get(user);
    const button = JSON.stringify(shown?.view.blocks ?? []).includes(`"action_id":"${actionId}"`)
      ? findButton(shown?.view.blocks ?? [], actionId)
      : undefined;
    if (shown === undefined || button === undefined) throw new Error(`no button ${actionId} on ${user}'s Home tab`);
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), team_id: this.team },
      api_app_id: 'A0LOCAL001',
      token: 'local',
      container: { type: 'view', view_id: shown.id },
      trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
      team: { id: this.team, domain: 'local' },
      view: { id: shown.id, team_id: this.team, type: 'home', ...shown.view },
      actions: [{ ...button, block_id: 'local', action_ts: String(Date.now() / 1000) }],
    };
    await this.deliver(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  /** An Events API delivery of `event`, as Slack wraps it. */
  private async deliverEvent(event: Record<string, unknown>): Promise<void> {
    await this.deliver(
      JSON.stringify({
        token: 'local',
        team_id: this.team,
        api_app_id: 'A0LOCAL001',
        event,
        type: 'event_callback',
        event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
        event_time: Math.floor(Date.now() / 1000),
      }),
      'application/json',
    );
  }

  private async deliver(body: string, contentType: string): Promise<string> {
    const response = await fetch(this.options.requestUrl, {
      method: 'POST',
      headers: { 'content-type': contentType, ...signSlackRequest(this.options.signingSecret, body) },
      body,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`the app answered HTTP ${response.status}`);
    return text;
  }
}

/** A button anywhere in blocks (an actions block, a section's accessory, a data table's action cell). */
function findButton(blocks: unknown, actionId: string): Record<string, unknown> | undefined {
  if (Array.isArray(blocks)) {
    for (const item of blocks) {
      const found = findButton(item, actionId);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof blocks !== 'object' || blocks === null) return undefined;
  const o = blocks as Record<string, unknown>;
  if (o.type === 'button' && o.action_id === actionId) return o;
  for (const value of Object.values(o)) {
    const found = findButton(value, actionId);
    if (found !== undefined) return found;
  }
  return undefined;
}
