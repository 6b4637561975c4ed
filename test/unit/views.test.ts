import { renderReply } from '../../bot/views/reply.view';

describe('reply rendering', () => {
  it('renders header, sections, buttons and context, with a plain text fallback', () => {
    // Act
    const message = renderReply({
      title: 'Confirm: deploy',
      text: 'Confirm: deploy web v1 to prod?',
      sections: ['Deploy *web* `v1` to *prod*?'],
      actions: [
        { id: 'opsbot.confirm', label: 'Confirm', value: '{}', style: 'danger' },
        { id: 'opsbot.cancel', label: 'Cancel', value: '{}' },
      ],
      context: ['Requested by <@U1>.'],
    });

    // Assess
    expect(message.text).toBe('Confirm: deploy web v1 to prod?');
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions', 'context']);
    expect(message.blocks[2]).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'opsbot.confirm',
          text: { type: 'plain_text', text: 'Confirm', emoji: true },
          value: '{}',
          style: 'danger',
        },
        {
          type: 'button',
          action_id: 'opsbot.cancel',
          text: { type: 'plain_text', text: 'Cancel', emoji: true },
          value: '{}',
        },
      ],
    });
  });

  it('uses the text as the only section when there is nothing else', () => {
    expect(renderReply({ text: 'hello' }).blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'hello' } },
    ]);
  });

  it('keeps within Slack limits: 3000-character sections, 50 blocks', () => {
    // Act
    const message = renderReply({ text: 'x', sections: Array.from({ length: 80 }, () => 'y'.repeat(4000)) });

    // Assess
    expect(message.blocks).toHaveLength(50);
    expect(message.blocks.at(-1)?.type).toBe('context');
    const first = message.blocks[0] as { text: { text: string } };
    expect(first.text.text).toHaveLength(3000);
  });
});

describe('replies longer than one Slack message', () => {
  it('are split into pages: header first, buttons and small print last, every page within the block limit', async () => {
    // Prepare
    const { renderPages } = await import('../../bot/views/reply.view');
    const sections = Array.from({ length: 120 }, (_, i) => `line ${i}`);

    // Act
    const pages = renderPages({
      title: 'Pipelines',
      text: '120 pipelines',
      sections,
      actions: [{ id: 'a', label: 'A', value: 'v' }],
      context: ['end'],
    });

    // Assess
    expect(pages).toHaveLength(3);
    expect(pages.every((p) => p.blocks.length <= 50)).toBe(true);
    expect(pages[0]?.blocks[0]?.type).toBe('header');
    expect(pages[1]?.text).toBe('Pipelines (page 2 of 3)');
    expect(pages[2]?.blocks.map((b) => b.type).slice(-2)).toEqual(['actions', 'context']);
    const shown = pages.flatMap((p) =>
      p.blocks.filter((b) => b.type === 'section').map((b) => (b as { text: { text: string } }).text.text),
    );
    expect(shown).toEqual(sections);
  });
});
