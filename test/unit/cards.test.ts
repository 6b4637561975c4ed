import { IssuedButtons } from '../../bot/cards';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import type { Reply } from '../../intents/reply';

const card: Reply = {
  summary: 'Deploy web v1 to prod?',
  buttons: [
    {
      label: 'Confirm',
      payload: { kind: 'confirm', intent: 'Deploy', slots: { service: 'web' }, userId: 'U0ALICE001', nonce: 'n1' },
    },
    {
      label: 'Cancel',
      payload: { kind: 'cancel', intent: 'Deploy', slots: { service: 'web' }, userId: 'U0ALICE001', nonce: 'n1' },
    },
  ],
};

function valuesOf(message: { blocks: unknown[] }): string[] {
  return message.blocks.flatMap((b) =>
    ((b as { elements?: Array<{ value?: string }> }).elements ?? []).flatMap((e) => e.value ?? []),
  );
}

describe('buttons opsbot issues', () => {
  it('carry only an opaque id; what they ask is read back from the Store, with the thread they were posted in', async () => {
    // Prepare
    const buttons = new IssuedButtons(new MemoryStore());

    // Act
    const [message] = await buttons.render(card, { threadTs: '1795433100.000100' });
    const values = valuesOf(message as { blocks: unknown[] });
    const opened = await buttons.open('confirm', values[0]);

    // Assess
    expect(values).toHaveLength(2);
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{22}\.\d$/);
    expect(JSON.stringify(message)).not.toContain('U0ALICE001');
    expect(opened).toEqual({
      ok: true,
      payload: card.buttons?.[0]?.payload,
      cardId: values[0]?.split('.')[0],
      threadTs: '1795433100.000100',
    });
  });

  it('open nothing for a value opsbot never issued, a forged JSON request, another kind, or an expired card', async () => {
    // Prepare
    let now = 1_000_000;
    const buttons = new IssuedButtons(new MemoryStore(() => now), () => now);
    const [message] = await buttons.render(card);
    const [confirm, cancel] = valuesOf(message as { blocks: unknown[] });
    const forged = JSON.stringify({
      intent: 'Deploy',
      slots: { environment: 'prod' },
      userId: 'UEVIL00001',
      nonce: 'x',
    });

    // Act
    const results = [
      await buttons.open('confirm', forged),
      await buttons.open('confirm', 'AAAAAAAAAAAAAAAAAAAAAA.0'),
      await buttons.open('confirm', cancel),
      await buttons.open('confirm', undefined),
    ];
    now += 31 * 60_000;
    const late = await buttons.open('confirm', confirm);

    // Assess
    expect(results).toEqual([
      { ok: false, why: 'unknown' },
      { ok: false, why: 'unknown' },
      { ok: false, why: 'wrong-kind' },
      { ok: false, why: 'unknown' },
    ]);
    expect(late).toEqual({ ok: false, why: 'expired' });
  });
});
