import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, type OpsbotConfig, parseConfig } from '../../bot/config';
import { SANDBOX_EPOCH } from '../../bot/deps';
import { rulesFrom } from '../../bot/rules';
import { sandboxWorld } from '../../bot/sandbox-world';
import { renderReply } from '../../bot/views/render';
import { vocabularyOf } from '../../bot/vocabulary';
import { ClockWatcher } from '../../integrations/clock-watcher';
import { OpsbotError } from '../../integrations/errors';
import type { People, Person } from '../../integrations/people.port';
import { SandboxAccount } from '../../integrations/sandbox/account';
import { SandboxClock } from '../../integrations/sandbox/clock';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import { StoreAudit } from '../../integrations/store-audit';
import { intents } from '../../intents';
import type { Announcer, ChannelRole, IntentPorts, PostedMessage } from '../../intents/define-intent';
import { pollRun } from '../../intents/deploys/run/watch';
import { plainText, type Reply } from '../../intents/reply';

export const exampleConfig = (): OpsbotConfig => parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));

/** What handlers get, on the sandbox account of the example configuration, with a clock the test moves. */
export function sandboxPorts(config: OpsbotConfig = exampleConfig()) {
  const clock = new SandboxClock(SANDBOX_EPOCH);
  const sandbox = new SandboxAccount(sandboxWorld(config), clock);
  const people = new TestPeople();
  const store = new MemoryStore(() => clock.now());
  const announcer = new RecordingAnnouncer();
  const watcher = new ClockWatcher(clock, (_id, error) => {
    throw error;
  });
  const ports: IntentPorts = {
    vocabulary: vocabularyOf(config),
    intents,
    pipelines: sandbox.pipelines,
    deployments: sandbox.deployments,
    images: sandbox.images,
    alarms: sandbox.alarms,
    maintenance: sandbox.maintenance,
    calendars: sandbox.calendars,
    clock,
    rules: rulesFrom(config),
    people,
    audit: new StoreAudit(store, { warn: () => undefined }, () => clock.now()),
    store,
    announcer,
    watcher,
    log: silentLog,
  };
  watcher.attach((runId) => pollRun(runId, ports));
  return { ports, sandbox, clock, people, store, announcer, watcher };
}

export const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

/** An announcer that keeps what it posted and how each post was updated, for unit tests. */
export class RecordingAnnouncer implements Announcer {
  readonly channels = { deploys: 'C0DEPLOYS01', alerts: 'C0ALERTS001', notices: 'C0NOTICES1' };
  /** Every post, with its latest content and its updates. */
  readonly posts: Array<{ to: string; thread?: string; ts: string; reply: Reply; updates: Reply[] }> = [];
  private next = 1;

  async post(
    to: { readonly channel: ChannelRole } | { readonly thread: PostedMessage } | { readonly channelId: string },
    reply: Reply,
  ): Promise<PostedMessage> {
    const channel = 'thread' in to ? to.thread.channel : 'channelId' in to ? to.channelId : this.channels[to.channel];
    const ts = `1700000000.${String(this.next++).padStart(6, '0')}`;
    this.posts.push({ to: channel, ...('thread' in to && { thread: to.thread.ts }), ts, reply, updates: [] });
    return { channel, ts };
  }

  async update(message: PostedMessage, reply: Reply): Promise<void> {
    const post = this.posts.find((p) => p.ts === message.ts && p.to === message.channel);
    if (post === undefined) throw new Error(`update of a message never posted: ${message.ts}`);
    post.updates.push(reply);
    post.reply = reply;
  }

  /** Top-level posts (not thread replies). */
  messages() {
    return this.posts.filter((p) => p.thread === undefined);
  }

  /** The thread under a message, as text. */
  thread(ts: string): string[] {
    return this.posts.filter((p) => p.thread === ts).map((p) => plainText(p.reply.summary));
  }
}

/**
 * People for unit tests: everyone is a full member of `T0LOCAL001` unless listed, as the Web API stand-in answers.
 * `lookups` counts the calls, so tests can see what was asked.
 */
export class TestPeople implements People {
  readonly people = new Map<string, Partial<Person>>();
  readonly groups = new Map<string, string[]>();
  lookups = 0;
  /** Set to make every lookup fail as Slack being down does. */
  down = false;

  async person(userId: string): Promise<Person | undefined> {
    this.lookups++;
    if (this.down) throw new OpsbotError('PEOPLE_UNAVAILABLE', "I couldn't check who may do this.", 'Try again.');
    const known = this.people.get(userId);
    return { id: userId, teamId: 'T0LOCAL001', guest: false, deleted: false, ...known };
  }

  async groupMembers(groupId: string): Promise<readonly string[]> {
    this.lookups++;
    if (this.down) throw new OpsbotError('PEOPLE_UNAVAILABLE', "I couldn't check who may do this.", 'Try again.');
    return this.groups.get(groupId) ?? [];
  }
}

type TextBlock = { type: string; text?: { text: string }; elements?: Array<{ text?: string }> };

/** The body of a reply as Slack would show it: its section texts, rendered. */
export function shown(reply: Reply): string {
  return (renderReply(reply).blocks as TextBlock[])
    .filter((b) => b.type === 'section')
    .map((b) => b.text?.text ?? '')
    .join('\n');
}

/** A reply's small print as Slack would show it. */
export function smallPrint(reply: Reply): string[] {
  return (renderReply(reply).blocks as TextBlock[])
    .filter((b) => b.type === 'context')
    .flatMap((b) => (b.elements ?? []).map((e) => e.text ?? ''));
}

/** A reply's notification (fallback) text as Slack would get it. */
export function summaryText(reply: Reply): string {
  return renderReply(reply).text;
}

/** The least of a "CloudWatch Alarm State Change" event the worker's reaction registry routes by: its alarm's name. */
export function alarmStateChange(alarmName: unknown) {
  return {
    id: '1',
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    account: '111111111111',
    region: 'eu-west-1',
    time: '',
    detail: { alarmName },
  };
}
