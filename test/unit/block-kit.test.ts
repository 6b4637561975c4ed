import { checkMessage, SLACK_LIMITS } from '../../integrations/slack/block-kit';

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });
const button = (actionId: string, extra: Record<string, unknown> = {}) => ({
  type: 'button',
  action_id: actionId,
  text: plain('Confirm'),
  value: '{}',
  ...extra,
});
const buttons = (count: number) => Array.from({ length: count }, (_, i) => button(`opsbot.confirm.${i}`));

describe('checkMessage', () => {
  it('accepts a message with every kind of block opsbot sends', () => {
    // Prepare
    const message = {
      text: 'Confirm: deploy web v1 to prod?',
      blocks: [
        { type: 'header', text: plain('Confirm: deploy'), block_id: 'head' },
        section('Deploy *web* `v1` to *prod*?'),
        { type: 'section', fields: [mrkdwn('*Service*\nweb'), plain('prod')] },
        { type: 'section', text: mrkdwn('Open it'), accessory: button('opsbot.open', { url: 'https://example.com' }) },
        { type: 'divider' },
        {
          type: 'actions',
          elements: [
            button('opsbot.confirm', { style: 'danger' }),
            button('opsbot.cancel', { style: 'primary', accessibility_label: 'Cancel the deploy' }),
            { type: 'static_select', action_id: 'opsbot.pick', options: [{ text: plain('web'), value: 'web' }] },
          ],
        },
        {
          type: 'context',
          elements: [
            mrkdwn('Requested by <@U0ALICE001>'),
            plain('just now'),
            { type: 'image', image_url: 'https://example.com/a.png', alt_text: 'avatar' },
          ],
        },
        { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hi 👋' }] }] },
      ],
    };

    // Act
    const problems = checkMessage(message);

    // Assess
    expect(problems).toEqual([]);
  });

  it('accepts text alone, and blocks alone', () => {
    // Act
    const textOnly = checkMessage({ text: 'Deploying web v2' });
    const blocksOnly = checkMessage({ blocks: [section('Deploying web v2')] });

    // Assess
    expect(textOnly).toEqual([]);
    expect(blocksOnly).toEqual([]);
  });

  // Each limit, accepted at its boundary and refused one past it.
  const boundaries: Array<{
    limit: string;
    message: (n: number) => { text?: string; blocks: unknown[] };
    at: number;
    problem: string;
  }> = [
    {
      limit: 'section text',
      at: SLACK_LIMITS.sectionText,
      message: (n) => ({ blocks: [section('x'.repeat(n))] }),
      problem: 'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    },
    {
      limit: 'header text',
      at: SLACK_LIMITS.headerText,
      message: (n) => ({ text: 't', blocks: [{ type: 'header', text: plain('h'.repeat(n)) }] }),
      problem: 'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    },
    {
      limit: 'button text',
      at: SLACK_LIMITS.buttonText,
      message: (n) => ({
        text: 't',
        blocks: [{ type: 'actions', elements: [button('a', { text: plain('b'.repeat(n)) })] }],
      }),
      problem: 'must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]',
    },
    {
      limit: 'button value',
      at: SLACK_LIMITS.buttonValue,
      message: (n) => ({ text: 't', blocks: [{ type: 'actions', elements: [button('a', { value: 'v'.repeat(n) })] }] }),
      problem: 'must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]',
    },
    {
      limit: 'button url',
      at: SLACK_LIMITS.buttonUrl,
      message: (n) => ({
        text: 't',
        blocks: [{ type: 'actions', elements: [button('a', { url: `https://e.com/${'u'.repeat(n - 14)}` })] }],
      }),
      problem: 'must be less than 3001 characters [json-pointer:/blocks/0/elements/0/url]',
    },
    {
      limit: 'action_id',
      at: SLACK_LIMITS.actionId,
      message: (n) => ({ text: 't', blocks: [{ type: 'actions', elements: [button('a'.repeat(n))] }] }),
      problem: 'must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]',
    },
    {
      limit: 'block_id',
      at: SLACK_LIMITS.blockId,
      message: (n) => ({ text: 't', blocks: [{ type: 'divider', block_id: 'b'.repeat(n) }] }),
      problem: 'must be less than 256 characters [json-pointer:/blocks/0/block_id]',
    },
    {
      limit: 'blocks in a message',
      at: SLACK_LIMITS.messageBlocks,
      message: (n) => ({ text: 't', blocks: Array.from({ length: n }, () => ({ type: 'divider' })) }),
      problem: 'no more than 50 items allowed [json-pointer:/blocks]',
    },
    {
      limit: 'section fields',
      at: SLACK_LIMITS.sectionFields,
      message: (n) => ({
        text: 't',
        blocks: [{ type: 'section', fields: Array.from({ length: n }, () => mrkdwn('f')) }],
      }),
      problem: 'no more than 10 items allowed [json-pointer:/blocks/0/fields]',
    },
    {
      limit: 'section field text',
      at: SLACK_LIMITS.fieldText,
      message: (n) => ({ text: 't', blocks: [{ type: 'section', fields: [mrkdwn('f'.repeat(n))] }] }),
      problem: 'must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]',
    },
    {
      limit: 'context elements',
      at: SLACK_LIMITS.contextElements,
      message: (n) => ({
        text: 't',
        blocks: [{ type: 'context', elements: Array.from({ length: n }, () => mrkdwn('c')) }],
      }),
      problem: 'no more than 10 items allowed [json-pointer:/blocks/0/elements]',
    },
    {
      limit: 'buttons in an actions block',
      at: SLACK_LIMITS.actionsElements,
      message: (n) => ({ text: 't', blocks: [{ type: 'actions', elements: buttons(n) }] }),
      problem: 'no more than 25 items allowed [json-pointer:/blocks/0/elements]',
    },
  ];

  it.each(boundaries)('accepts the $limit at $at and refuses one more', ({ message, at, problem }) => {
    // Act
    const atLimit = checkMessage(message(at));
    const pastLimit = checkMessage(message(at + 1));

    // Assess
    expect(atLimit).toEqual([]);
    expect(pastLimit).toEqual([problem]);
  });

  it('refuses an action_id used twice in a message, even in different blocks', () => {
    // Prepare
    const message = {
      text: 't',
      blocks: [
        { type: 'actions', elements: [button('opsbot.confirm')] },
        { type: 'section', text: mrkdwn('or'), accessory: button('opsbot.confirm') },
      ],
    };

    // Act
    const problems = checkMessage(message);

    // Assess
    expect(problems).toEqual([
      '`action_id` "opsbot.confirm" already exists [json-pointer:/blocks/1/accessory/action_id]',
    ]);
  });

  it('refuses a block_id used twice in a message', () => {
    // Act
    const problems = checkMessage({
      blocks: [
        { ...section('a'), block_id: 'x' },
        { type: 'divider', block_id: 'x' },
      ],
    });

    // Assess
    expect(problems).toEqual(['`block_id` "x" already exists [json-pointer:/blocks/1/block_id]']);
  });

  it('refuses a message with nothing to show, and an empty text object', () => {
    // Act
    const noText = checkMessage({ text: '' });
    const noBlocks = checkMessage({ text: '', blocks: [] });
    const emptySection = checkMessage({ text: 't', blocks: [section('')] });

    // Assess
    expect(noText).toEqual(['must provide non-empty `text` or `blocks` [json-pointer:/text]']);
    expect(noBlocks).toEqual(['must provide non-empty `text` or `blocks` [json-pointer:/text]']);
    expect(emptySection).toEqual(['must be more than 0 characters [json-pointer:/blocks/0/text/text]']);
  });

  it('refuses a lone surrogate anywhere in the message, and accepts a surrogate pair', () => {
    // Act
    const inSection = checkMessage({ text: 't', blocks: [section('web \uD83D deployed')] });
    const inText = checkMessage({ text: 'cut in half: \uDE80' });
    const inRichText = checkMessage({
      text: 't',
      blocks: [
        { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: '\uD800' }] }] },
      ],
    });
    const pair = checkMessage({ text: 'shipped 🚀', blocks: [section('🚀'.repeat(1500))] });

    // Assess
    expect(inSection).toEqual([
      'must be well-formed UTF-16 (lone surrogate at index 4) [json-pointer:/blocks/0/text/text]',
    ]);
    expect(inText).toEqual(['must be well-formed UTF-16 (lone surrogate at index 13) [json-pointer:/text]']);
    expect(inRichText).toEqual([
      'must be well-formed UTF-16 (lone surrogate at index 0) [json-pointer:/blocks/0/elements/0/elements/0/text]',
    ]);
    expect(pair).toEqual([]);
  });

  it('refuses a block type it does not know', () => {
    // Act
    const problems = checkMessage({ text: 't', blocks: [section('a'), { type: 'carousel_of_doom' }] });

    // Assess
    expect(problems).toEqual(['unsupported type: carousel_of_doom [json-pointer:/blocks/1/type]']);
  });

  it('refuses mrkdwn where Slack takes plain_text only: headers and buttons', () => {
    // Act
    const problems = checkMessage({
      text: 't',
      blocks: [
        { type: 'header', text: mrkdwn('*Deploy*') },
        { type: 'actions', elements: [button('a', { text: mrkdwn('*Go*') })] },
      ],
    });

    // Assess
    expect(problems).toEqual([
      'unsupported type: mrkdwn (expected plain_text) [json-pointer:/blocks/0/text/type]',
      'unsupported type: mrkdwn (expected plain_text) [json-pointer:/blocks/1/elements/0/text/type]',
    ]);
  });

  it('refuses what Slack refuses in a block’s shape: no text nor fields, a bad style, an unknown property', () => {
    // Act
    const problems = checkMessage({
      text: 't',
      blocks: [
        { type: 'section' },
        { type: 'actions', elements: [button('a', { style: 'secondary', disabled: true })] },
        { type: 'context', elements: [] },
        { type: 'actions', elements: [{ type: 'overflow_of_doom', action_id: 'b' }] },
      ],
    });

    // Assess
    expect(problems).toEqual([
      'must define either `text` or `fields` [json-pointer:/blocks/0]',
      'invalid additional property: disabled [json-pointer:/blocks/1/elements/0]',
      'must be a valid enum value [json-pointer:/blocks/1/elements/0/style]',
      'must provide at least 1 item [json-pointer:/blocks/2/elements]',
      'unsupported type: overflow_of_doom [json-pointer:/blocks/3/elements/0/type]',
    ]);
  });

  it('refuses blocks that are not an array, and text that is not a string', () => {
    // Act
    const problems = checkMessage({ text: 42, blocks: { type: 'section' } });

    // Assess
    expect(problems).toEqual([
      'must provide a string [json-pointer:/text]',
      'must provide an array [json-pointer:/blocks]',
    ]);
  });
});
