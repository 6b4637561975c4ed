import { renderPages, renderReply } from '../../bot/views/render';
import { checkMessage } from '../../integrations/slack/block-kit';
import { code, link, mention, progress, status, strong } from '../../intents/reply';

const texts = (blocks: unknown[]) => JSON.stringify(blocks);

describe('reply rendering', () => {
  it('renders header, sections, buttons and context, with a plain text fallback', () => {
    // Act
    const message = renderReply({
      title: 'Confirm: deploy',
      summary: ['Confirm: deploy ', strong('web'), ' ', code('v1'), ' to ', strong('prod'), '?'],
      sections: [[['Deploy ', strong('web'), ' ', code('v1'), ' to ', strong('prod'), '?']]],
      buttons: [
        {
          label: 'Confirm',
          style: 'danger',
          payload: { kind: 'retry-stage', pipeline: 'p', stage: 's', executionId: 'e' },
        },
        { label: 'Cancel', payload: { kind: 'retry-stage', pipeline: 'p', stage: 's', executionId: 'e' } },
      ],
      context: [['Requested by ', mention('U0ALICE001'), '.']],
    });

    // Assess
    expect(message.text).toBe('Confirm: deploy web v1 to prod?');
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions', 'context']);
    expect(message.blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Deploy *web* `v1` to *prod*?' },
    });
    expect(message.blocks[2]).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: 'opsbot.retry',
          text: { type: 'plain_text', text: 'Confirm', emoji: true },
          value: '{"kind":"retry-stage","pipeline":"p","stage":"s","executionId":"e"}',
          style: 'danger',
        },
        expect.objectContaining({ action_id: 'opsbot.retry.1' }),
      ],
    });
    expect(message.blocks[3]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Requested by <@U0ALICE001>.' }],
    });
  });

  it('uses the summary as the only section when there is nothing else', () => {
    expect(renderReply({ summary: 'hello' }).blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'hello' } },
    ]);
  });

  it('shows statuses as emoji and word, and progress as a bar', () => {
    // Act
    const message = renderReply({ summary: [status('failed', 'Failed'), ' ', progress(30, 'on green')] });

    // Assess
    expect(texts(message.blocks)).toContain(':red_circle: Failed ▰▰▰▱▱▱▱▱▱▱ 30% on green');
    expect(message.text).toBe('Failed 30% on green');
  });

  it('escapes text from outside so nothing it holds is read as Slack markup', () => {
    // Prepare
    const hostile = '<!channel> fix & <b>bold</b> <@U0EVIL0001> <https://evil.example|click here>';

    // Act
    const message = renderReply({
      title: hostile,
      summary: hostile,
      sections: [[hostile, [strong(hostile), code(hostile)], link('https://ok.example/a?b=<c>|d', hostile)]],
      context: [hostile],
    });

    // Assess
    const all = `${message.text}\n${texts(message.blocks.filter((b) => b.type !== 'header'))}`;
    expect(all).not.toMatch(/<!channel>|<@U0EVIL0001>|<https:\/\/evil|<b>/);
    expect(texts(message.blocks)).toContain(
      '&lt;!channel&gt; fix &amp; &lt;b&gt;bold&lt;/b&gt; &lt;@U0EVIL0001&gt; &lt;https://evil.example|click here&gt;',
    );
    // opsbot's own link stays a link, with the characters that would break it encoded.
    expect(texts(message.blocks)).toContain('<https://ok.example/a?b=%3Cc%3E%7Cd|&lt;!channel&gt;');
    // The header is plain text, which Slack never parses.
    expect(message.blocks[0]).toEqual({ type: 'header', text: expect.objectContaining({ type: 'plain_text' }) });
  });

  it('never lets a label hide where a link from outside goes: only AWS links show their label alone', () => {
    // Act
    const message = renderReply({
      summary: [
        link('https://evil.example/x', 'logs'),
        ' ',
        link('https://eu-west-1.console.aws.amazon.com/p', 'console'),
      ],
    });

    // Assess
    expect(texts(message.blocks)).toContain(
      '<https://evil.example/x|logs (evil.example)> <https://eu-west-1.console.aws.amazon.com/p|console>',
    );
  });

  it('writes a mention or a link only for what is really one', () => {
    // Act
    const message = renderReply({ summary: [mention('<!here>'), ' ', link('javascript:alert(1)', 'x')] });

    // Assess
    expect(texts(message.blocks)).toContain('@&lt;!here&gt; x');
  });

  it('keeps within Slack limits: 3,000-character sections cut with a visible …, never inside an escape', () => {
    // Act
    const message = renderReply({ summary: 'x', sections: [['&'.repeat(4000)]] });

    // Assess
    const first = message.blocks[0] as { text: { text: string } };
    expect(first.text.text.length).toBeLessThanOrEqual(3000);
    expect(first.text.text).toMatch(/(&amp;)+…$/);
  });

  it('cuts long headers and button labels with …, and never splits a surrogate pair', () => {
    // Act
    const message = renderReply({
      title: '😀'.repeat(100),
      summary: 'x',
      buttons: [
        { label: 'é'.repeat(100), payload: { kind: 'retry-stage', pipeline: 'p', stage: 's', executionId: 'e' } },
      ],
    });

    // Assess
    const header = (message.blocks[0] as { text: { text: string } }).text.text;
    expect(header.length).toBeLessThanOrEqual(150);
    expect(header.endsWith('😀…')).toBe(true);
    const button = (message.blocks[1] as { elements: Array<{ text: { text: string } }> }).elements[0];
    expect(button?.text.text).toHaveLength(75);
  });

  it('puts at most ten fields in a section', () => {
    // Act
    const message = renderReply({
      summary: 'x',
      fields: Array.from({ length: 12 }, (_, i) => ({ label: `f${i}`, value: `v${i}` })),
    });

    // Assess
    expect(message.blocks.map((b) => ('fields' in b ? b.fields.length : 0))).toEqual([10, 2]);
  });
});

describe('replies longer than one Slack message', () => {
  it('are split into pages: header first, buttons and small print last, every page within the block limit', () => {
    // Prepare
    const lines = Array.from({ length: 120 }, (_, i) => [`line ${i}`]);

    // Act
    const pages = renderPages({
      title: 'Pipelines',
      summary: '120 pipelines',
      sections: lines,
      buttons: [{ label: 'A', payload: { kind: 'retry-stage', pipeline: 'p', stage: 's', executionId: 'e' } }],
      context: ['end'],
    });

    // Assess
    expect(pages).toHaveLength(3);
    expect(pages.every((p) => p.blocks.length <= 50)).toBe(true);
    expect(pages[0]?.blocks[0]?.type).toBe('header');
    expect(pages[1]?.text).toBe('Pipelines (page 2 of 3)');
    expect(pages[2]?.blocks.map((b) => b.type).slice(-2)).toEqual(['actions', 'context']);
    expect(texts(pages[2]?.blocks ?? [])).toContain('end');
    const shown = pages.flatMap((p) =>
      p.blocks.filter((b) => b.type === 'section').map((b) => (b as { text: { text: string } }).text.text),
    );
    expect(shown).toEqual(lines.map(([l]) => l));
  });

  it('pages within 50 blocks when the header, the body and the buttons together just overflow one message', () => {
    // Act
    const pages = renderPages({
      title: 'T',
      summary: 's',
      sections: Array.from({ length: 48 }, (_, i) => [`line ${i}`]),
      buttons: [{ label: 'A', payload: { kind: 'retry-stage', pipeline: 'p', stage: 's', executionId: 'e' } }],
      context: ['c'],
    });

    // Assess
    expect(pages.map((p) => p.blocks.length).every((n) => n <= 50)).toBe(true);
    expect(pages.flatMap((p) => p.blocks).filter((b) => b.type === 'section')).toHaveLength(48);
  });

  it('cuts more than ten small-print lines with a visible …', () => {
    // Act
    const message = renderReply({ summary: 's', context: Array.from({ length: 12 }, (_, i) => `c${i}`) });

    // Assess
    const context = message.blocks.at(-1) as { elements: Array<{ text: string }> };
    expect(context.elements.map((e) => e.text)).toEqual([...Array.from({ length: 9 }, (_, i) => `c${i}`), '…']);
  });

  it('cuts a single message visibly when it cannot be split', () => {
    // Act
    const message = renderReply({ summary: 'x', sections: Array.from({ length: 80 }, () => ['y'.repeat(4000)]) });

    // Assess
    expect(message.blocks).toHaveLength(50);
    expect(texts(message.blocks.slice(-1))).toContain('cut to fit one Slack message');
  });
});

describe('charts', () => {
  const categories = Array.from({ length: 20 }, (_, i) => `09:${String(i * 3).padStart(2, '0')}`);
  const chart = {
    title: 'HTTPCode_Target_5XX_Count · deploy at 09:02 UTC',
    categories,
    series: [
      { name: 'HTTPCode_Target_5XX…', values: categories.map((_, i) => (i === 19 ? 12 : 1)) },
      { name: 'Threshold', values: categories.map(() => 5) },
    ],
    xLabel: 'UTC',
    yLabel: 'Sum',
  };

  it('draws a chart as Slack’s line chart under the body, within Slack’s limits', () => {
    // Act
    const message = renderReply({ summary: ['Alarm'], sections: [[['Now 12']]], chart, visibility: 'channel' });

    // Assess
    const block = message.blocks.find((b) => b.type === 'data_visualization');
    expect(message.blocks.map((b) => b.type)).toEqual(['section', 'data_visualization']);
    expect(block).toEqual({
      type: 'data_visualization',
      title: 'HTTPCode_Target_5XX_Count · deploy at 09:02 UTC',
      chart: {
        type: 'line',
        series: [
          { name: 'HTTPCode_Target_5XX…', data: categories.map((label, i) => ({ label, value: i === 19 ? 12 : 1 })) },
          { name: 'Threshold', data: categories.map((label) => ({ label, value: 5 })) },
        ],
        axis_config: { categories, x_label: 'UTC', y_label: 'Sum' },
      },
    });
    expect(checkMessage(message)).toEqual([]);
  });

  it('cuts a long title, keeps the newest 20 points, and leaves out a chart it cannot draw', () => {
    // Prepare
    const long = Array.from({ length: 25 }, (_, i) => `t${i}`);
    const wide = { title: 'x'.repeat(80), categories: long, series: [{ name: 'a', values: long.map((_, i) => i) }] };
    const broken = { ...chart, series: [{ name: 'a', values: categories.map(() => Number.NaN) }] };

    // Act
    const drawn = renderReply({ summary: ['a'], chart: wide }).blocks.find((b) => b.type === 'data_visualization');
    const left = renderReply({ summary: ['a'], chart: broken }).blocks;

    // Assess
    expect(drawn).toMatchObject({ title: `${'x'.repeat(49)}…`, chart: { axis_config: { categories: long.slice(5) } } });
    expect(checkMessage({ text: 'a', blocks: [drawn] })).toEqual([]);
    expect(left.some((b) => b.type === 'data_visualization')).toBe(false);
  });
});
