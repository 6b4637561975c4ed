import fc from 'fast-check';
import { ConversationPlanner } from '../../bot/conversation';
import { workingNotice } from '../../bot/listeners/command.listener';
import { renderPages } from '../../bot/views/render';
import { Claims } from '../../integrations/claims';
import type { Pipelines } from '../../integrations/pipelines.port';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import { checkMessage } from '../../integrations/slack/block-kit';
import { intents } from '../../intents';
import type { IntentPorts } from '../../intents/define-intent';
import type { EventBridgeEvent } from '../../intents/define-reaction';
import { deploymentCard } from '../../intents/deploys/deployments';
import { upcomingMaintenance } from '../../intents/maintenance/upcoming';
import { pipelineCard, pipelinesOverview } from '../../intents/pipelines/pipeline-card';
import { pipelineFailure } from '../../intents/pipelines/pipeline-failure.handler';
import { retryStage } from '../../intents/pipelines/retry';
import { IntentRegistry } from '../../intents/registry';
import { notice, type Reply } from '../../intents/reply';
import { sandboxPorts } from '../support/ports';

/** A pipeline whose every outside string is `text`: its commit, its author, its failed action's error and link. */
function pipelinesSaying(text: string): Pipelines {
  return {
    list: async () => [{ name: text, status: 'Failed', failingStage: text, lastExecutionAt: 0 }],
    get: async (name) => ({
      name,
      executionId: text,
      revision: { id: text, message: text, author: text },
      url: text,
      stages: [
        {
          name: 'Build',
          status: 'Failed',
          actions: [{ name: text, status: 'Failed', errorMessage: text, url: text }],
        },
      ],
    }),
    retryStage: async () => undefined,
    executions: async () => [],
    execution: async () => undefined,
    branch: async () => undefined,
  };
}

function portsSaying(text: string): IntentPorts {
  const { ports } = sandboxPorts();
  return {
    ...ports,
    pipelines: pipelinesSaying(text),
    maintenance: {
      upcoming: async () => ({
        notices: [
          {
            id: text,
            source: 'health',
            account: { id: text, name: text },
            region: text,
            service: text,
            kind: text,
            resources: [{ id: text, name: text, tags: { 'opsbot:service': text } }],
            says: text,
            options: [text],
            status: text,
            startsAt: ports.clock.now() + 3_600_000,
            actionability: 'ACTION_REQUIRED',
            console: `https://health.aws.amazon.com/${text}`,
          },
        ],
        failures: [{ account: { id: text, name: text }, region: text, source: 'ec2', reason: 'error', message: text }],
      }),
    },
  };
}

/** The pushed alert the pipeline failure reaction posts for an action that failed with `text`. */
async function pushedAlert(text: string): Promise<Reply> {
  const store = new MemoryStore();
  const posted: Reply[] = [];
  const ports = {
    ...portsSaying(text),
    store,
    claims: new Claims(store),
    log: { debug() {}, info() {}, warn() {}, error() {} },
    announcer: {
      post: async (_to: unknown, reply: Reply) => {
        posted.push(reply);
        return { channel: 'C0ALERTS001', ts: '1.0' };
      },
      update: async () => undefined,
      channels: { alerts: 'C0ALERTS001' },
    },
  };
  const base = { id: 'e1', source: 'aws.codepipeline', account: text, region: text, time: '' };
  const detail = { pipeline: text, 'execution-id': 'x1', stage: text, action: text };
  const events: EventBridgeEvent[] = [
    {
      ...base,
      'detail-type': 'CodePipeline Action Execution State Change',
      detail: {
        ...detail,
        state: 'FAILED',
        'execution-result': { 'external-execution-summary': text, 'external-execution-url': text, 'error-code': text },
      },
    },
    {
      ...base,
      id: 'e2',
      'detail-type': 'CodePipeline Pipeline Execution State Change',
      detail: { ...detail, state: 'FAILED' },
    },
  ];
  for (const event of events) await pipelineFailure.handle(event, ports);
  return posted[0] as Reply;
}

const planner = () => ConversationPlanner.withBehaviour(new IntentRegistry(intents), sandboxPorts().ports);

/** Every surface that shows text from outside, given that text. */
const surfaces: Record<string, (text: string) => Promise<Reply>> = {
  'pipeline card': (text) => pipelineCard(text, portsSaying(text), { userId: 'U0ALICE001' }),
  'pipelines overview': (text) => pipelinesOverview(portsSaying(text)),
  'pushed alert': pushedAlert,
  '"Working on…" notice': async (text) => workingNotice('/deploy', text),
  'did-you-mean': async (text) => {
    const step = await planner().plan({
      intent: 'Deploy',
      slots: { environment: 'prod', version: 'v1' },
      actor: { userId: 'U0ALICE001' },
      confirmed: false,
      unresolved: { slot: 'service', type: 'Service', value: text, suggestions: ['web', text] },
    });
    return (step as { reply: Reply }).reply;
  },
  'confirmation card': async (text) => {
    const step = await planner().plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: text },
      actor: { userId: 'U0ALICE001' },
      confirmed: false,
    });
    return (step as { reply: Reply }).reply;
  },
  'deploy card': async (text) =>
    deploymentCard(
      {
        id: text,
        service: text,
        environment: text,
        version: text,
        previousVersion: text,
        engine: 'codedeploy',
        status: 'InProgress',
        step: 'ShiftingTraffic',
        trafficOnGreen: 50,
        startedAt: 0,
        requestedBy: text,
        reason: text,
      },
      60_000,
      text,
    ),
  'maintenance list': (text) => upcomingMaintenance(portsSaying(text)),
  'retry notice': async (text) =>
    (await retryStage({ pipeline: text, stage: text, executionId: text }, { userId: 'U0ALICE001' }, portsSaying(text)))
      .reply,
  'error notice': async (text) => notice('warning', text, text),
};

type Rendered = { text: string; blocks: unknown[] };

/** Everything Slack parses as mrkdwn in a message: the fallback text and every mrkdwn text object. */
function mrkdwnOf(message: Rendered): string[] {
  const found: string[] = [message.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      const o = node as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') found.push(o.text);
      else Object.values(o).forEach(walk);
    }
  };
  walk(message.blocks);
  return found;
}

/** What is left of mrkdwn once opsbot's own mentions and links are taken out: no `<` may remain, and no bare `&`. */
function strayMarkup(text: string): string | undefined {
  const rest = text.replace(/<@[UW][A-Z0-9]+>/g, '').replace(/<https?:\/\/[^\s<>|"]+\|[^<>]*>/g, '');
  if (rest.includes('<') || rest.includes('>')) return rest;
  if (/&(?!amp;|lt;|gt;)/.test(rest)) return rest;
  return undefined;
}

async function renderedSurfaces(text: string): Promise<Array<[string, Rendered]>> {
  const out: Array<[string, Rendered]> = [];
  for (const [name, make] of Object.entries(surfaces)) {
    for (const page of renderPages(await make(text))) out.push([name, page]);
  }
  return out;
}

describe('text from outside reaches Slack as literal text on every surface', () => {
  it.each([
    ['a commit message', '<!channel> fix & <b>bold</b>'],
    ['a CodeBuild error', '<https://evil.example|click here>'],
    ["a person's text", 'deploy <!here> to prod'],
  ])('%s', async (_what, text) => {
    // Act
    const rendered = await renderedSurfaces(text);

    // Assess
    for (const [surface, message] of rendered) {
      const mrkdwn = mrkdwnOf(message).join('\n');
      expect({ surface, mrkdwn }).toEqual({ surface, mrkdwn: expect.not.stringMatching(/<!|<https:\/\/evil|<b>/) });
      expect({ surface, stray: mrkdwnOf(message).map(strayMarkup).filter(Boolean) }).toEqual({ surface, stray: [] });
      expect({ surface, problems: checkMessage(message) }).toEqual({ surface, problems: [] });
    }
    const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const pipelineCardText = mrkdwnOf(rendered.find(([s]) => s === 'pipeline card')?.[1] as Rendered).join('\n');
    expect(pipelineCardText).toContain(escaped);
  });
});

/** Strings a hostile or careless source could produce: any unicode, zero-width and RTL marks, lone surrogates, markup. */
const hostileText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(
        '\u200B',
        '\u200F',
        '\u202E',
        '\uFEFF',
        '\uD800',
        '\uDFFF',
        '😀',
        '👩‍👩‍👧',
        '<!channel>',
        '<!here>',
        '<!everyone>',
        '<!subteam^S0123|devs>',
        '<@U0EVIL0001>',
        '<https://evil.example|x>',
        '&amp;',
        '&lt;',
        '*',
        '`',
        '\n',
        '>',
        '|',
      ),
      fc.string({ unit: 'grapheme', minLength: 2000, maxLength: 10_240 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

describe('every view, given any text', () => {
  it('renders valid Block Kit by Slack’s limits, with nothing from the input left unescaped', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (text) => {
        for (const [surface, message] of await renderedSurfaces(text)) {
          const problems = checkMessage(message);
          if (problems.length > 0) throw new Error(`${surface}: ${problems.join('; ')}`);
          const stray = mrkdwnOf(message).map(strayMarkup).find(Boolean);
          if (stray !== undefined)
            throw new Error(`${surface}: unescaped markup in ${JSON.stringify(stray.slice(0, 200))}`);
        }
      }),
      { numRuns: 150 },
    );
  });
});
