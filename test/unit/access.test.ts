import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { ConversationPlanner } from '../../bot/conversation';
import { AUDIT_PREFIX } from '../../integrations/store-audit';
import { intents } from '../../intents';
import type { Actor } from '../../intents/define-intent';
import { approvalRefusal } from '../../intents/deploys/deploy.policy';
import { retryRefusal } from '../../intents/pipelines/retry.policy';
import { IntentRegistry } from '../../intents/registry';
import { sandboxPorts, smallPrint, summaryText } from '../support/ports';

/**
 * Who may do what, cell by cell: six kinds of people × three environments × deploy, roll back, retry and approve,
 * decided against configuration, with user groups and guest status answered as Slack answers them.
 */
const MATRIX_CONFIG = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')
  .replace('  dev:\n    aliases: [development]\n', '  dev:\n    aliases: [development]\n    deployers: everyone\n')
  .replace(
    '  staging:\n    aliases: [stage, stg]\n',
    '  staging:\n    aliases: [stage, stg]\n    deployers: [S0DEPLOYERS]\n',
  )
  .replace(
    / {4}approval: false #[^\n]*\n( {4}#[^\n]*\n)* {4}deployers: everyone #[^\n]*\n/,
    '    approval: true\n    deployers: [S0DEPLOYERS]\n    approvers: [U0APPROVER1]\n',
  )
  .replace(
    'pipelines:\n',
    [
      'admins: [U0ADMIN0001]',
      'pipelines:',
      '  web-dev: { account: tools, region: eu-west-1 }',
      '  web-staging: { account: tools, region: eu-west-1, retriers: [S0DEPLOYERS] }',
      '  web-prod: { account: tools, region: eu-west-1, retriers: [U0DEPLOYER1, U0GUEST0001] }',
      '',
    ].join('\n'),
  )
  .replace('  botId: B0OPSBOT01\n', '  botId: B0OPSBOT01\n  teams: [T0LOCAL001]\n');

const PEOPLE = {
  deployer: 'U0DEPLOYER1',
  approver: 'U0APPROVER1',
  admin: 'U0ADMIN0001',
  member: 'U0MEMBER001',
  guest: 'U0GUEST0001',
  /** A Slack Connect partner in a shared channel: the request names the host workspace, the account another. */
  'other workspace': 'U0PARTNER01',
  /** A request from another workspace altogether (the edge refuses it before; the policy does too). */
  'other workspace (request)': 'U0STRANGER1',
} as const;
type Kind = keyof typeof PEOPLE;
const KINDS = Object.keys(PEOPLE) as Kind[];
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
type Environment = (typeof ENVIRONMENTS)[number];

/**
 * ✓ allowed; refused: N not listed, G guest, W other workspace. Columns: dev, staging, prod (for retry: the web-dev,
 * web-staging and web-prod pipelines).
 */
const EXPECTED: Record<'deploy' | 'roll back' | 'retry' | 'approve', Record<Kind, string>> = {
  deploy: {
    deployer: '✓✓✓',
    approver: '✓NN',
    admin: '✓✓✓',
    member: '✓NN',
    guest: '✓✓G',
    'other workspace': 'WWW',
    'other workspace (request)': 'WWW',
  },
  'roll back': {
    deployer: '✓✓✓',
    approver: '✓NN',
    admin: '✓✓✓',
    member: '✓NN',
    guest: '✓✓G',
    'other workspace': 'WWW',
    'other workspace (request)': 'WWW',
  },
  retry: {
    deployer: '✓✓✓',
    approver: '✓NN',
    admin: '✓✓✓',
    member: '✓NN',
    guest: 'GG✓',
    'other workspace': 'WWW',
    'other workspace (request)': 'WWW',
  },
  approve: {
    deployer: '✓✓N',
    approver: '✓N✓',
    admin: '✓✓✓',
    member: '✓NN',
    guest: '✓✓G',
    'other workspace': 'WWW',
    'other workspace (request)': 'WWW',
  },
};

const LETTER: Record<string, string> = { 'not-listed': 'N', guest: 'G', 'other-workspace': 'W' };

function world() {
  const config = parseConfig(MATRIX_CONFIG);
  const { ports, people, store } = sandboxPorts(config);
  people.groups.set('S0DEPLOYERS', [PEOPLE.deployer, PEOPLE.guest]);
  people.people.set(PEOPLE.guest, { guest: true });
  people.people.set(PEOPLE['other workspace'], { teamId: 'T0OTHER001' });
  const planner = ConversationPlanner.withBehaviour(new IntentRegistry(intents), ports);
  return { ports, people, store, planner };
}

function actorOf(kind: Kind): Actor {
  const teamId = kind === 'other workspace (request)' ? 'T0OTHER001' : 'T0LOCAL001';
  return { userId: PEOPLE[kind], teamId, channelId: 'C0DEPLOYS01' };
}

/** ✓, or the letter of the reason the cell was refused for (anything unexpected is spelled out and fails). */
async function decide(
  w: ReturnType<typeof world>,
  action: keyof typeof EXPECTED,
  kind: Kind,
  environment: Environment,
): Promise<string> {
  const actor = actorOf(kind);
  const letter = (reason: string | undefined) => (reason === undefined ? '✓' : (LETTER[reason] ?? `(${reason})`));
  switch (action) {
    case 'deploy':
    case 'roll back': {
      const before = w.store.keys().filter((k) => k.startsWith(AUDIT_PREFIX)).length;
      const step = await w.planner.plan({
        intent: action === 'deploy' ? 'Deploy' : 'Rollback',
        slots: { service: 'web', environment, ...(action === 'deploy' && { version: 'v1.9.0' }) },
        actor,
        confirmed: false,
      });
      if (step.kind === 'confirm') return '✓';
      // Refused: the planner wrote down why.
      const records = w.store.keys().filter((k) => k.startsWith(AUDIT_PREFIX));
      if (records.length !== before + 1) return `(${step.kind} without an audit record)`;
      return letter((await w.store.get<{ reason: string }>(records.at(-1) as string))?.reason ?? 'none');
    }
    case 'retry':
      return letter((await retryRefusal(`web-${environment}`, actor, w.ports))?.reason);
    case 'approve':
      return letter((await approvalRefusal(environment, 'U0SOMEONE01', actor, w.ports))?.reason);
  }
}

describe('who may do what', () => {
  it.each(Object.keys(EXPECTED) as Array<keyof typeof EXPECTED>)('%s: every person × environment', async (action) => {
    // Prepare
    const w = world();

    // Act
    const table: Record<string, string> = {};
    for (const kind of KINDS) {
      let row = '';
      for (const environment of ENVIRONMENTS) row += await decide(w, action, kind, environment);
      table[kind] = row;
    }

    // Assess
    expect(table).toEqual(EXPECTED[action]);
  });

  it('writes every refusal down in the Store: who, what, where and why', async () => {
    // Prepare
    const w = world();

    // Act
    await w.planner.plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'v1.9.0' },
      actor: actorOf('guest'),
      confirmed: false,
    });
    await w.planner.plan({
      intent: 'Rollback',
      slots: { service: 'web', environment: 'staging' },
      actor: actorOf('member'),
      confirmed: true,
    });

    // Assess
    const records = [...w.store.keys()].filter((k) => k.startsWith(AUDIT_PREFIX));
    const stored = await Promise.all(records.map((k) => w.store.get<Record<string, unknown>>(k)));
    expect(stored).toEqual([
      expect.objectContaining({
        action: 'Deploy',
        outcome: 'refused',
        reason: 'guest',
        actor: actorOf('guest'),
        target: { service: 'web', environment: 'prod', version: 'v1.9.0' },
        at: expect.stringMatching(/^2026-11-23T09:00:00/),
      }),
      expect.objectContaining({ action: 'Rollback', reason: 'not-listed', actor: actorOf('member') }),
    ]);
  });

  it('says who can, naming people and user groups, and where that is configured', async () => {
    // Prepare
    const w = world();

    // Act
    const step = await w.planner.plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'v1.9.0' },
      actor: actorOf('member'),
      confirmed: false,
    });
    const guest = await w.planner.plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'v1.9.0' },
      actor: actorOf('guest'),
      confirmed: false,
    });
    const partner = await retryRefusal('web-dev', actorOf('other workspace'), w.ports);

    // Assess
    expect(step.kind === 'answer' && summaryText(step.reply)).toBe('You are not allowed to change prod.');
    expect(step.kind === 'answer' && smallPrint(step.reply)).toEqual([
      'Only <!subteam^S0DEPLOYERS> can (or an admin: <@U0ADMIN0001>). Ask one of them to do it, or ask whoever runs opsbot to add you under `environments.prod.deployers`.',
    ]);
    expect(guest.kind === 'answer' && summaryText(guest.reply)).toBe('Guest accounts are not allowed to change prod.');
    expect(partner !== undefined && summaryText(partner.reply)).toBe(
      'opsbot only takes changes from its own workspace, so you are not allowed to retry web-dev.',
    );
  });

  it('refuses, rather than guesses, when Slack cannot say who someone is', async () => {
    // Prepare
    const w = world();
    w.people.down = true;

    // Act
    const prod = await w.planner.plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'v1.9.0' },
      actor: actorOf('deployer'),
      confirmed: true,
    });

    // Assess
    expect(prod.kind).toBe('answer');
    expect(prod.kind === 'answer' && summaryText(prod.reply)).toBe("I couldn't check who may do this.");
  });

  it('refuses approving one’s own change, whoever one is', async () => {
    // Prepare
    const w = world();

    // Act
    const own = await approvalRefusal('prod', PEOPLE.admin, actorOf('admin'), w.ports);

    // Assess
    expect(own?.reason).toBe('self-approval');
    expect(own !== undefined && summaryText(own.reply)).toBe(
      'You asked for this change, so you cannot approve it too.',
    );
  });
});
