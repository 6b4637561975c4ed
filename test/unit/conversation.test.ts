import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { ConversationPlanner } from '../../bot/conversation';
import { actionId } from '../../bot/views/buttons';
import { renderReply } from '../../bot/views/render';
import { intents } from '../../intents';
import { declarations } from '../../intents/declarations';
import { IntentRegistry } from '../../intents/registry';
import { sandboxPorts, shown, smallPrint, summaryText } from '../support/ports';

const example = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
const registry = new IntentRegistry(intents);
const alice = { userId: 'U0ALICE001' };

function planner(config = example) {
  return ConversationPlanner.withBehaviour(registry, sandboxPorts(config).ports);
}

describe('conversation planner', () => {
  it('asks for the first missing required slot, with a button per configured value', async () => {
    // Act
    const step = await planner().plan({ intent: 'Deploy', slots: { service: 'web' }, actor: alice, confirmed: false });

    // Assess
    expect(step.kind).toBe('ask');
    if (step.kind !== 'ask') return;
    expect(step.pending).toEqual({
      intent: 'Deploy',
      slots: { service: 'web' },
      awaiting: 'environment',
      userId: 'U0ALICE001',
    });
    expect(summaryText(step.reply)).toBe('Which environment should I deploy to?');
    expect(step.reply.buttons?.map((a) => a.label)).toEqual(['dev', 'staging', 'prod', 'Cancel']);
    expect(step.reply.buttons?.[2]?.payload).toEqual({
      kind: 'choose',
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod' },
      userId: 'U0ALICE001',
    });
  });

  it('offers the five newest tags of the service’s repository, with their age; no moving tag where protected', async () => {
    // Act
    const ask = async (environment: string) =>
      planner().plan({ intent: 'Deploy', slots: { service: 'web', environment }, actor: alice, confirmed: false });
    const dev = await ask('dev');
    const prod = await ask('prod');

    // Assess
    const labels = (step: Awaited<ReturnType<typeof ask>>) =>
      step.kind === 'ask' ? (step.reply.buttons ?? []).map((b) => b.label) : [];
    expect(labels(dev)).toEqual([
      'v1.9.3 · 2 d ago',
      'latest · 2 d ago',
      'v1.9.2 · 4 d ago',
      'v1.9.1 · 6 d ago',
      'v1.9.0 · 8 d ago',
      'Cancel',
    ]);
    expect(labels(prod)).toEqual([
      'v1.9.3 · 2 d ago',
      'v1.9.2 · 4 d ago',
      'v1.9.1 · 6 d ago',
      'v1.9.0 · 8 d ago',
      'v1.8.3 · 10 d ago',
      'Cancel',
    ]);
    expect(prod.kind === 'ask' && prod.reply.buttons?.[0]?.payload).toEqual(
      expect.objectContaining({ kind: 'choose', slots: { service: 'web', environment: 'prod', version: 'v1.9.3' } }),
    );
  });

  it('refuses a version the repository does not hold before any Confirm card, naming the newest', async () => {
    // Act
    const step = await planner().plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'v99.0.0' },
      actor: alice,
      confirmed: false,
    });

    // Assess
    expect(step.kind).toBe('answer');
    expect(step.kind === 'answer' && summaryText(step.reply)).toBe(
      'v99.0.0 is not in 222222222222.dkr.ecr.eu-west-1.amazonaws.com/web; the newest are v1.9.3, v1.9.2, v1.9.1.',
    );
  });

  it('shows on the Confirm card what runs now and when the new image was pushed', async () => {
    // Act
    const step = await planner().plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'v1.8.2' },
      actor: alice,
      confirmed: false,
    });

    // Assess
    expect(step.kind === 'confirm' && shown(step.reply)).toMatch(
      /Now `v1\.6\.0` → `v1\.8\.2` \(`sha256:[0-9a-f]{12}`\), pushed 12 d ago\./,
    );
  });

  it('pins the digest its Confirm card shows to the card’s buttons, so Confirm deploys that image', async () => {
    // Prepare
    const image = await sandboxPorts(example).ports.images.find('web', 'prod', 'v1.8.2');

    // Act
    const step = await planner().plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'v1.8.2' },
      actor: alice,
      confirmed: false,
    });

    // Assess
    const confirm = step.kind === 'confirm' ? step.reply.buttons?.[0]?.payload : undefined;
    expect(confirm).toEqual(
      expect.objectContaining({
        kind: 'confirm',
        slots: { service: 'web', environment: 'prod', version: 'v1.8.2', 'pinned:digest': image?.digest },
      }),
    );
  });

  it('says on the Confirm card which tags of the running revision the new one cannot keep', async () => {
    // Prepare: the running revision as AWS reports it, with tags AWS reserves (CloudFormation's) among its own
    const { ports } = sandboxPorts(example);
    const current = ports.deployments.current.bind(ports.deployments);
    ports.deployments.current = async (service, environment) => ({
      ...(await current(service, environment)),
      tagsLeftOut: ['aws:cloudformation:stack-name', 'aws:cloudformation:logical-id'],
    });

    // Act
    const step = await ConversationPlanner.withBehaviour(registry, ports).plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'v1.8.2' },
      actor: alice,
      confirmed: false,
    });

    // Assess
    expect(step.kind === 'confirm' && shown(step.reply)).toContain(
      'The new revision leaves out 2 tags `aws:cloudformation:stack-name`, `aws:cloudformation:logical-id` of the running one (AWS reserves keys starting with `aws:`; ECS keeps 50 tags).',
    );
  });

  it('asks for confirmation of a side effect, then runs once confirmed', async () => {
    // Prepare
    const slots = { service: 'api', environment: 'staging', version: 'v1.0.0' };

    // Act
    const unconfirmed = await planner().plan({ intent: 'Deploy', slots, actor: alice, confirmed: false });
    const confirmed = await planner().plan({ intent: 'Deploy', slots, actor: alice, confirmed: true });

    // Assess
    expect(unconfirmed.kind).toBe('confirm');
    if (unconfirmed.kind === 'confirm') {
      const buttons = unconfirmed.reply.buttons ?? [];
      expect(buttons.map((b, i) => [actionId(b, i), b.style])).toEqual([
        ['opsbot.confirm', 'primary'],
        ['opsbot.cancel.1', undefined],
      ]);
      expect(buttons[0]?.payload).toEqual(
        expect.objectContaining({ kind: 'confirm', nonce: expect.stringMatching(/^[0-9a-f-]{36}$/) }),
      );
    }
    expect(confirmed.kind).toBe('run');
  });

  it('runs read-only intents straight away, optional slots or not', async () => {
    expect((await planner().plan({ intent: 'DeployStatus', slots: {}, actor: alice, confirmed: false })).kind).toBe(
      'run',
    );
  });

  it('refuses someone who is not a deployer of the environment, naming who is', async () => {
    // Prepare
    const config = parseConfig(
      readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').replace('deployers: everyone', 'deployers: [U0CAROL001]'),
    );

    // Act
    const step = await planner(config).plan({
      intent: 'Rollback',
      slots: { service: 'web', environment: 'prod' },
      actor: alice,
      confirmed: true,
    });

    // Assess
    expect(step.kind).toBe('answer');
    if (step.kind === 'answer') {
      expect(summaryText(step.reply)).toBe('You are not allowed to change prod.');
      expect(smallPrint(step.reply)[0]).toContain('<@U0CAROL001>');
    }
  });

  it('refuses a change asked for outside the environment’s channels, naming where to ask', async () => {
    // Prepare
    const config = parseConfig(
      readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').replace(
        'deployers: everyone',
        'deployers: everyone\n    channels: [C0DEPLOYS01]',
      ),
    );
    const request = {
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'v1.9.0' },
      confirmed: false,
    };

    // Act
    const elsewhere = await planner(config).plan({
      ...request,
      actor: { userId: 'U0ALICE001', channelId: 'C0RANDOM01' },
    });
    const there = await planner(config).plan({ ...request, actor: { userId: 'U0ALICE001', channelId: 'C0DEPLOYS01' } });

    // Assess
    expect(elsewhere.kind).toBe('answer');
    if (elsewhere.kind === 'answer') {
      expect(summaryText(elsewhere.reply)).toBe('Changes to prod are asked for in <#C0DEPLOYS01>, not here.');
      expect(JSON.stringify(renderReply(elsewhere.reply).blocks)).toContain('<#C0DEPLOYS01>');
    }
    expect(there.kind).toBe('confirm');
  });

  it('refuses the tags configured as moving for a service, in place of the defaults', async () => {
    // Prepare: web's prod names its own moving tag
    const config = parseConfig(
      readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').replace(
        'prod: { account: prod, region: eu-west-1, rollbackAlarms: [web-prod-5xx-errors, web-prod-p99-latency] }',
        'prod: { account: prod, region: eu-west-1, mutableTags: [v1.9.3] }',
      ),
    );

    // Act
    const step = await planner(config).plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'v1.9.3' },
      actor: alice,
      confirmed: false,
    });

    // Assess
    expect(step.kind === 'answer' && summaryText(step.reply)).toBe(
      'v1.9.3 is a mutable tag, and prod is protected: it only takes immutable tags.',
    );
  });

  it('refuses mutable tags only where the environment is protected', async () => {
    const prod = await planner().plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'prod', version: 'latest' },
      actor: alice,
      confirmed: false,
    });
    const dev = await planner().plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'dev', version: 'latest' },
      actor: alice,
      confirmed: false,
    });
    expect(prod.kind).toBe('answer');
    expect(dev.kind).toBe('confirm');
  });
});

describe('the acknowledgement’s planner, from the declarations alone', () => {
  const declared = () =>
    ConversationPlanner.fromDeclarations(new IntentRegistry(declarations), {
      vocabulary: sandboxPorts(example).ports.vocabulary,
      audit: sandboxPorts(example).ports.audit,
    });

  it('answers a question and a name it does not know, as the worker would', async () => {
    // Act
    const question = await declared().plan({ intent: 'PipelineStatus', slots: {}, actor: alice, confirmed: false });
    const unknown = await declared().plan({
      intent: 'DeployStatus',
      slots: {},
      actor: alice,
      confirmed: false,
      unresolved: { slot: 'service', type: 'Service', value: 'wbe', suggestions: ['web'] },
    });

    // Assess
    expect(question.kind).toBe('run');
    expect(unknown.kind).toBe('answer');
    if (unknown.kind === 'answer') expect(summaryText(unknown.reply)).toContain('did you mean web?');
  });

  it('hands a change over to the worker, whose policy reads the account, even with details missing', async () => {
    // Act
    const complete = await declared().plan({
      intent: 'Deploy',
      slots: { service: 'web', environment: 'staging', version: 'v1.8.2' },
      actor: alice,
      confirmed: false,
    });
    const partial = await declared().plan({
      intent: 'Rollback',
      slots: { service: 'web' },
      actor: alice,
      confirmed: false,
    });

    // Assess: no card, no question, no refusal decided without the account
    expect(complete).toEqual({ kind: 'handover' });
    expect(partial).toEqual({ kind: 'handover' });
  });
});
