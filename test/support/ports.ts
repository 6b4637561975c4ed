import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, type OpsbotConfig, parseConfig } from '../../bot/config';
import { SANDBOX_EPOCH } from '../../bot/deps';
import { rulesFrom } from '../../bot/rules';
import { sandboxWorld } from '../../bot/sandbox-world';
import { renderReply } from '../../bot/views/render';
import { vocabularyOf } from '../../bot/vocabulary';
import { OpsbotError } from '../../integrations/errors';
import type { People, Person } from '../../integrations/people.port';
import { SandboxAccount } from '../../integrations/sandbox/account';
import { SandboxClock } from '../../integrations/sandbox/clock';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import { StoreAudit } from '../../integrations/store-audit';
import { intents } from '../../intents';
import type { IntentPorts } from '../../intents/define-intent';
import type { Reply } from '../../intents/reply';

export const exampleConfig = (): OpsbotConfig => parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));

/** What handlers get, on the sandbox account of the example configuration, with a clock the test moves. */
export function sandboxPorts(config: OpsbotConfig = exampleConfig()) {
  const clock = new SandboxClock(SANDBOX_EPOCH);
  const sandbox = new SandboxAccount(sandboxWorld(config), clock);
  const people = new TestPeople();
  const store = new MemoryStore();
  const ports: IntentPorts = {
    vocabulary: vocabularyOf(config),
    intents,
    pipelines: sandbox.pipelines,
    deployments: sandbox.deployments,
    images: sandbox.images,
    alarms: sandbox.alarms,
    maintenance: sandbox.maintenance,
    clock,
    rules: rulesFrom(config),
    people,
    audit: new StoreAudit(store, { warn: () => undefined }, () => clock.now()),
  };
  return { ports, sandbox, clock, people, store };
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
