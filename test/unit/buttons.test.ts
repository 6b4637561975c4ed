import { rulesFrom } from '../../bot/rules';
import { ACTIONS } from '../../bot/views/buttons';
import type { AuditEntry } from '../../integrations/audit.port';
import { Claims } from '../../integrations/claims';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import { buttons } from '../../intents/buttons';
import { type ButtonClick, type ButtonPorts, ButtonRegistry } from '../../intents/define-button';
import { plainText, type Reply } from '../../intents/reply';
import { exampleConfig, TestPeople } from '../support/ports';

/** Ports for a click: the example rules with `web-pipeline` retried by U0RETRIER1 only, and a recording audit. */
function clickPorts() {
  const store = new MemoryStore();
  const audited: AuditEntry[] = [];
  const rules = rulesFrom(exampleConfig());
  const ports: ButtonPorts = {
    rules: { ...rules, retriers: (pipeline) => (pipeline === 'web-pipeline' ? ['U0RETRIER1'] : 'everyone') },
    people: new TestPeople(),
    claims: new Claims(store),
    audit: {
      record: async (entry) => {
        audited.push(entry);
        return String(audited.length);
      },
      update: async () => undefined,
      list: async () => [],
    },
    conversation: { end: async () => undefined, cancelled: async () => ({ summary: 'Cancelled.' }) },
  };
  return { ports, store, audited };
}

const registry = new ButtonRegistry(buttons);
const said = (reply: Reply | undefined) => (reply === undefined ? undefined : plainText(reply.summary));

describe('button declarations', () => {
  it('declare every kind of button payload exactly once', () => {
    // Prepare: every kind has an action id (the compiler holds ACTIONS to the ButtonPayload kinds)
    const kinds = Object.keys(ACTIONS).sort();

    // Act
    const declared = buttons.map((b) => b.kind).sort();

    // Assess
    expect(declared).toEqual(kinds);
  });

  it('refuse a registry where two declarations claim one kind', () => {
    // Prepare
    const [first] = buttons;

    // Act
    const build = () => new ButtonRegistry(first === undefined ? [] : [first, first]);

    // Assess
    expect(build).toThrow(`Two buttons are declared for "${first?.kind}"`);
  });

  it('refuse a retry by someone the pipeline’s retriers do not include: told, audited, nothing claimed', async () => {
    // Prepare
    const { ports, audited } = clickPorts();
    const payload = { kind: 'retry-stage', pipeline: 'web-pipeline', stage: 'Deploy', executionId: 'e-1' } as const;
    const click: ButtonClick = { cardId: 'card-1', actor: { userId: 'U0SOMEONE1', channelId: 'C0ALERTS01' }, payload };

    // Act
    const pressed = await registry.get('retry-stage')?.press(click, ports);
    const retrier = await registry
      .get('retry-stage')
      ?.press({ ...click, actor: { ...click.actor, userId: 'U0RETRIER1' } }, ports);

    // Assess
    expect(pressed?.kind).toBe('told');
    expect(audited).toEqual([
      expect.objectContaining({
        action: 'RetryStage',
        outcome: 'refused',
        actor: click.actor,
        target: { pipeline: 'web-pipeline', stage: 'Deploy' },
      }),
    ]);
    expect(retrier).toEqual({
      kind: 'work',
      work: { kind: 'retry-stage', pipeline: 'web-pipeline', stage: 'Deploy', executionId: 'e-1' },
      claim: 'retry:web-pipeline:e-1:Deploy',
    });
  });

  it('start a retry once however often it is clicked', async () => {
    // Prepare
    const { ports } = clickPorts();
    const payload = { kind: 'retry-stage', pipeline: 'api-pipeline', stage: 'Build', executionId: 'e-2' } as const;
    const click: ButtonClick = { cardId: 'card-2', actor: { userId: 'U0ANYONE01', channelId: 'C0ALERTS01' }, payload };
    const retry = registry.get('retry-stage');

    // Act
    const first = await retry?.press(click, ports);
    const second = await retry?.press(click, ports);

    // Assess
    expect(first?.kind).toBe('work');
    expect(second?.kind).toBe('told');
    expect(said(second?.kind === 'told' ? second.reply : undefined)).toBe(
      'A retry of Build in api-pipeline was already started.',
    );
  });

  it('refuse a choice pressed by someone other than the person asked, claiming nothing', async () => {
    // Prepare
    const { ports, store } = clickPorts();
    const payload = { kind: 'choose', intent: 'Deploy', slots: { service: 'web' }, userId: 'U0ASKER001' } as const;
    const click: ButtonClick = { cardId: 'card-3', actor: { userId: 'U0OTHER001', channelId: 'C0DEPLOYS1' }, payload };

    // Act
    const pressed = await registry.get('choose')?.press(click, ports);

    // Assess
    expect(pressed?.kind).toBe('told');
    expect(said(pressed?.kind === 'told' ? pressed.reply : undefined)).toBe('This question is for @U0ASKER001.');
    expect(await new Claims(store).claim('choice:card-3', 60)).toBe(true);
  });

  it('answer a confirmation card once, by the person who asked', async () => {
    // Prepare
    const { ports, audited } = clickPorts();
    const decision = { intent: 'Deploy', slots: { service: 'web' }, userId: 'U0ASKER001', nonce: 'n-1' };
    const asker = { userId: 'U0ASKER001', channelId: 'C0DEPLOYS1' };
    const confirm = registry.get('confirm');
    const cancel = registry.get('cancel');

    // Act
    const other = await confirm?.press(
      { cardId: 'card-4', actor: { ...asker, userId: 'U0OTHER001' }, payload: { ...decision, kind: 'confirm' } },
      ports,
    );
    const confirmed = await confirm?.press(
      { cardId: 'card-4', actor: asker, payload: { ...decision, kind: 'confirm' } },
      ports,
    );
    const cancelled = await cancel?.press(
      { cardId: 'card-4', actor: asker, payload: { ...decision, kind: 'cancel' } },
      ports,
    );

    // Assess
    expect(other?.kind).toBe('told');
    expect(audited).toEqual([
      expect.objectContaining({ action: 'Confirm', outcome: 'refused', reason: 'not-the-requester' }),
    ]);
    expect(confirmed).toEqual({
      kind: 'work',
      work: { kind: 'fulfil', intent: 'Deploy', slots: { service: 'web' }, confirmed: true, replaceOriginal: true },
      claim: 'decision:n-1',
    });
    expect(said(cancelled?.kind === 'told' ? cancelled.reply : undefined)).toBe(
      'This was already answered; nothing more was done.',
    );
  });
});
