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
