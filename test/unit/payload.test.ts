import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { checkPayload } from '../../bot/edge/payload';
import { createMemoryLog } from '../../bot/logger';
import { readSettings } from '../../bot/settings';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import { buttonClickBody, eventBody, signedEvent, slashCommandBody, TEST_SIGNING_SECRET } from '../support/slack';
import { createSlackHandler } from '../support/slack-handler';

const FORM = 'application/x-www-form-urlencoded';
const mention = (team: string) =>
  JSON.stringify({
    ...JSON.parse(
      eventBody({ type: 'app_mention', user: 'U0ALICE001', text: 'help', ts: '1.1', channel: 'C0DEPLOYS01' }),
    ),
    team_id: team,
  });

describe('the workspaces opsbot serves (slack.teams)', () => {
  it('hands on what comes from a listed workspace, and refuses the rest: a command is told, anything else dropped', () => {
    // Prepare
    const teams = ['T0LOCAL001'];
    const otherCommand = new URLSearchParams(slashCommandBody('help', { responseUrl: 'http://127.0.0.1:9/r' }));
    otherCommand.set('team_id', 'T0OTHER001');
    const click = new URLSearchParams(
      buttonClickBody({
        user: 'U1',
        actionId: 'opsbot.confirm',
        value: 'x',
        channel: 'C0DEPLOYS01',
        messageTs: '1.1',
        responseUrl: 'http://127.0.0.1:9/r',
      }),
    );
    const otherClick = JSON.parse(click.get('payload') as string);
    otherClick.team = { id: 'T0OTHER001' };
    otherClick.user.team_id = 'T0OTHER001';

    // Act
    const verdicts = [
      checkPayload('application/json', mention('T0LOCAL001'), '/deploy', teams).kind,
      checkPayload('application/json', mention('T0OTHER001'), '/deploy', teams),
      checkPayload(FORM, otherCommand.toString(), '/deploy', teams),
      checkPayload(FORM, new URLSearchParams({ payload: JSON.stringify(otherClick) }).toString(), '/deploy', teams),
      checkPayload('application/json', mention('T0OTHER001'), '/deploy').kind,
    ];

    // Assess
    expect(verdicts[0]).toBe('handle');
    expect(verdicts[1]).toEqual({
      kind: 'ignore',
      reason: 'other-workspace:T0OTHER001',
      refused: true,
      from: { userId: 'U0ALICE001', teamId: 'T0OTHER001', channelId: 'C0DEPLOYS01' },
    });
    expect(verdicts[2]).toEqual({
      kind: 'answer',
      refused: true,
      reason: 'other-workspace:T0OTHER001',
      body: expect.stringContaining("opsbot isn't set up for this workspace, so nothing was done."),
      from: expect.objectContaining({ teamId: 'T0OTHER001' }),
    });
    expect(verdicts[3]).toEqual(expect.objectContaining({ kind: 'ignore', refused: true }));
    expect(verdicts[4]).toBe('handle');
  });

  it('takes every workspace of an Enterprise Grid organization listed by its id', () => {
    // Prepare
    const gridMention = JSON.stringify({ ...JSON.parse(mention('T0SIBLING1')), enterprise_id: 'E0GRID0001' });
    const gridCommand = new URLSearchParams(slashCommandBody('help', { responseUrl: 'http://127.0.0.1:9/r' }));
    gridCommand.set('team_id', 'T0SIBLING1');
    gridCommand.set('enterprise_id', 'E0GRID0001');

    // Act
    const verdicts = [
      checkPayload('application/json', gridMention, '/deploy', ['E0GRID0001']).kind,
      checkPayload(FORM, gridCommand.toString(), '/deploy', ['E0GRID0001']).kind,
      checkPayload('application/json', gridMention, '/deploy', ['E0OTHER001']).kind,
    ];

    // Assess
    expect(verdicts).toEqual(['handle', 'handle', 'ignore']);
  });

  it('refuses another workspace through the real handler, and logs it', async () => {
    // Prepare
    const config = parseConfig(
      readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').replace('  channels:\n', '  teams: [T0LOCAL001]\n  channels:\n'),
    );
    const log = createMemoryLog();
    const settings = {
      ...readSettings({ SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-t' }),
      slackApiUrl: 'http://127.0.0.1:9/api/',
    };
    const { handler } = createSlackHandler(settings, config, { store: new MemoryStore(), log });
    const command = new URLSearchParams(slashCommandBody('pipelines', { responseUrl: 'http://127.0.0.1:9/r' }));
    command.set('team_id', 'T0OTHER001');

    // Act
    const result = await handler(signedEvent(command.toString(), FORM), {});

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).text).toMatch(/^opsbot isn't set up for this workspace/);
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'slack.request_rejected',
        extra: { reason: 'other-workspace:T0OTHER001' },
      }),
    );
  });
});

describe('hostile values after the signature check', () => {
  const JSON_TYPE = 'application/json';
  const over = (length: number) => 'A'.repeat(length);
  /** Values of the wrong kind where a string belongs (an id, a timestamp, a text, a URL). */
  const notStrings: readonly unknown[] = [null, 0, 1.5, true, [], ['U0ALICE001'], {}, { id: 'U0ALICE001' }];
  /** Values of the wrong kind where an object belongs (a click's user, channel, container, message). */
  const notObjects: readonly unknown[] = [null, 0, true, 'U0ALICE001', [], [{ id: 'U0ALICE001' }]];
  /** Values of the wrong kind where the list of a click's actions belongs. */
  const notLists: readonly unknown[] = [null, 1, 'opsbot.confirm', {}, { 0: { type: 'button' }, length: 1 }];

  const mentionEvent = {
    type: 'app_mention',
    user: 'U0ALICE001',
    text: 'help',
    ts: '1795433183.023000',
    thread_ts: '1795433183.000100',
    channel: 'C0DEPLOYS01',
    channel_type: 'channel',
    bot_id: 'B0BOT00001',
    subtype: 'thread_broadcast',
  };
  /** The longest (or most malformed) value each field of a message event refuses. */
  const overLongEventFields: Record<string, unknown> = {
    user: over(33),
    text: 'a'.repeat(200_001),
    ts: '1'.repeat(21),
    thread_ts: '1.123456789',
    channel: over(33),
    channel_type: 'a'.repeat(33),
    bot_id: 'a'.repeat(65),
    subtype: 'a'.repeat(65),
  };
  const click = (change: (payload: Record<string, unknown>) => void) => {
    const payload = JSON.parse(
      new URLSearchParams(
        buttonClickBody({
          user: 'U0ALICE001',
          actionId: 'opsbot.confirm',
          value: 'x',
          channel: 'C0DEPLOYS01',
          messageTs: '1.1',
          threadTs: '1.0',
          responseUrl: 'https://hooks.slack.com/actions/T0/1/abc',
        }),
      ).get('payload') as string,
    ) as Record<string, unknown>;
    change(payload);
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  };
  const button = (actionId: string) => ({ type: 'button', action_id: actionId, value: 'x' });
  /** A response URL exactly this long. */
  const urlOf = (length: number) => `https://hooks.slack.com/${'a'.repeat(length - 24)}`;
  const command = (change: (form: URLSearchParams) => void) => {
    const form = new URLSearchParams(
      slashCommandBody('help', { responseUrl: 'https://hooks.slack.com/commands/T0/1' }),
    );
    change(form);
    return form.toString();
  };

  it('drops a mention whose event has a field of the wrong kind or too long, and still takes the well-formed one', () => {
    // Prepare
    const bodies = Object.keys(overLongEventFields).flatMap((field) =>
      [...notStrings, overLongEventFields[field]].map((value) => eventBody({ ...mentionEvent, [field]: value })),
    );

    // Act
    const wellFormed = checkPayload(JSON_TYPE, eventBody(mentionEvent), '/deploy');
    const verdicts = bodies.map((body) => checkPayload(JSON_TYPE, body, '/deploy'));

    // Assess
    expect(wellFormed).toEqual({ kind: 'handle' });
    expect(verdicts).toHaveLength(8 * 9);
    expect(new Set(verdicts.map((v) => JSON.stringify(v)))).toEqual(
      new Set([JSON.stringify({ kind: 'ignore', reason: 'json:event_callback/app_mention' })]),
    );
  });

  it('drops an envelope whose event, event id or workspace is of the wrong kind, and a body that is not an object', () => {
    // Prepare
    const envelope = JSON.parse(eventBody(mentionEvent)) as Record<string, unknown>;
    const withField = (field: string, value: unknown) => JSON.stringify({ ...envelope, [field]: value });

    // Act
    const event = [null, 1, 'app_mention', [mentionEvent]].map((value) =>
      checkPayload(JSON_TYPE, withField('event', value), '/deploy'),
    );
    const ids = [null, 7, [], 'Ev 1', 'E'.repeat(129)].map((value) =>
      checkPayload(JSON_TYPE, withField('event_id', value), '/deploy'),
    );
    const teams = [null, 7, [], 't0local001', over(33)].map((value) =>
      checkPayload(JSON_TYPE, withField('team_id', value), '/deploy'),
    );
    const bodies = ['null', '42', '"event_callback"', '[]', '[{"type":"event_callback"}]', '{', ''].map((body) =>
      checkPayload(JSON_TYPE, body, '/deploy'),
    );

    // Assess
    expect(event).toEqual(Array(4).fill({ kind: 'ignore', reason: 'json:event_callback' }));
    expect(ids).toEqual(Array(5).fill({ kind: 'ignore', reason: 'json:event_callback/app_mention' }));
    expect(teams).toEqual(Array(5).fill({ kind: 'ignore', reason: 'json:event_callback/app_mention' }));
    expect(bodies).toEqual([
      { kind: 'ignore', reason: 'json:null' },
      { kind: 'ignore', reason: 'json:number' },
      { kind: 'ignore', reason: 'json:string' },
      { kind: 'ignore', reason: 'json:undefined' },
      { kind: 'ignore', reason: 'json:undefined' },
      { kind: 'ignore', reason: 'json:unreadable' },
      { kind: 'ignore', reason: 'json:unreadable' },
    ]);
  });

  it('answers the url_verification challenge only when it is a string of 1 to 512 characters', () => {
    // Prepare
    const challenge = (value: unknown) => JSON.stringify({ type: 'url_verification', token: 't', challenge: value });

    // Act
    const accepted = ['c', 'c'.repeat(512)].map((value) => checkPayload(JSON_TYPE, challenge(value), '/deploy'));
    const refused = ['', 'c'.repeat(513), ...notStrings].map((value) =>
      checkPayload(JSON_TYPE, challenge(value), '/deploy'),
    );

    // Assess
    expect(accepted).toEqual([{ kind: 'handle' }, { kind: 'handle' }]);
    expect(refused).toEqual(Array(10).fill({ kind: 'ignore', reason: 'json:url_verification' }));
  });

  it('drops a click with a field of the wrong kind, too long, or a button that is not one of opsbot’s', () => {
    // Prepare
    const wrongKinds: Array<[string, readonly unknown[]]> = [
      ...['user', 'channel', 'container', 'message'].map((field): [string, readonly unknown[]] => [field, notObjects]),
      ['response_url', notStrings],
      ['trigger_id', notStrings],
      ['actions', notLists],
    ];
    const changes: Array<(payload: Record<string, unknown>) => void> = [
      ...wrongKinds.flatMap(([field, values]) =>
        values.map((value) => (payload: Record<string, unknown>) => {
          payload[field] = value;
        }),
      ),
      (p) => delete p.user,
      (p) => delete p.response_url,
      (p) => delete p.actions,
      (p) => (p.user = { id: over(33) }),
      (p) => (p.user = { id: 'u0alice001' }),
      (p) => (p.team = { id: 7 }),
      (p) => (p.team = 'T0LOCAL001'),
      (p) => (p.channel = { id: null }),
      (p) => (p.container = { channel_id: [], message_ts: '1.1' }),
      (p) => (p.container = { channel_id: 'C0DEPLOYS01', message_ts: '1.1.1' }),
      (p) => (p.message = { ts: 1.1 }),
      (p) => (p.message = { ts: '1.1', thread_ts: 'yesterday' }),
      (p) => (p.response_url = 'javascript:alert(1)'),
      (p) => (p.response_url = urlOf(2049)),
      (p) => (p.response_url = 'https://hooks.slack.com/a b'),
      (p) => (p.trigger_id = 't'.repeat(129)),
      (p) => (p.actions = []),
      (p) => (p.actions = Array.from({ length: 26 }, () => button('opsbot.confirm'))),
      (p) => (p.actions = [null]),
      (p) => (p.actions = [[button('opsbot.confirm')]]),
      (p) => (p.actions = [{ ...button('opsbot.confirm'), type: 'static_select' }]),
      (p) => (p.actions = [button('opsbot.unknown')]),
      (p) => (p.actions = [button('opsbot.confirm.x')]),
      (p) => (p.actions = [button('opsbotXconfirm')]),
      (p) => (p.actions = [button('OPSBOT.CONFIRM')]),
      (p) => (p.actions = [{ ...button('opsbot.confirm'), action_id: 7 }]),
      (p) => (p.actions = [{ ...button('opsbot.confirm'), value: 'v'.repeat(2001) }]),
      (p) => (p.actions = [{ ...button('opsbot.confirm'), value: { toString: 'x' } }]),
      (p) => (p.actions = [button('opsbot.confirm'), button('opsbot.nope')]),
    ];

    // Act
    const edges = [
      click((p) => (p.team = null)),
      click((p) => (p.response_url = urlOf(2048))),
      click((p) => (p.actions = Array.from({ length: 25 }, (_, i) => button(`opsbot.confirm.${i}`)))),
      click((p) => (p.actions = [{ ...button('opsbot.retry.12'), value: 'v'.repeat(2000) }])),
    ].map((body) => checkPayload(FORM, body, '/deploy'));
    const verdicts = changes.map((change) => checkPayload(FORM, click(change), '/deploy'));

    // Assess: the limits themselves are taken; past them, nothing is
    expect(edges).toEqual(Array(4).fill({ kind: 'handle' }));
    expect(verdicts).toHaveLength(4 * notObjects.length + 2 * notStrings.length + notLists.length + 29);
    expect(verdicts.filter((v) => v.kind !== 'ignore' || v.reason !== 'interactivity:block_actions')).toEqual([]);
  });

  it('drops a slash command with a malformed or too long field, and answers a well-formed unknown one', () => {
    // Prepare
    const changes: Array<(form: URLSearchParams) => void> = [
      (f) => f.delete('command'),
      (f) => f.delete('user_id'),
      (f) => f.delete('channel_id'),
      (f) => f.delete('response_url'),
      (f) => f.set('command', 'deploy'),
      (f) => f.set('command', '/de ploy'),
      (f) => f.set('command', `/${'a'.repeat(33)}`),
      (f) => f.set('user_id', over(33)),
      (f) => f.set('user_id', 'null'),
      (f) => f.set('channel_id', ''),
      (f) => f.set('team_id', '[object Object]'),
      (f) => f.set('text', 't'.repeat(200_001)),
      (f) => f.set('response_url', 'ftp://hooks.slack.com/commands'),
      (f) => f.set('response_url', urlOf(2049)),
      (f) => f.set('trigger_id', 'trigger id'),
      (f) => f.set('trigger_id', ''),
    ];

    // Act
    const verdicts = changes.map((change) => checkPayload(FORM, command(change), '/deploy'));
    const longest = checkPayload(
      FORM,
      command((f) => f.set('text', 't'.repeat(200_000))),
      '/deploy',
    );
    const unknown = checkPayload(
      FORM,
      command((f) => f.set('command', `/${'a'.repeat(32)}`)),
      '/deploy',
    );

    // Assess
    expect(verdicts).toEqual(Array(changes.length).fill({ kind: 'ignore', reason: 'form:unreadable' }));
    expect(longest).toEqual({ kind: 'handle' });
    expect(unknown).toEqual({ kind: 'answer', body: expect.stringContaining(`it has no /${'a'.repeat(32)}.`) });
  });

  it('reads a __proto__ key as an ordinary unknown field: it supplies no missing field and changes nothing else', () => {
    // Prepare: JSON.parse keeps a "__proto__" key as an own field; these would pass if it were read as a prototype
    const channelMessage = '{"type":"message","ts":"1.1","channel":"C0DEPLOYS01"';
    const bodies = [
      `{"type":"event_callback","event_id":"Ev1","event":${channelMessage},"__proto__":{"channel_type":"im"}}}`,
      `{"type":"event_callback","event_id":"Ev1","event":${channelMessage},"__proto__":{"thread_ts":"1.0"}}}`,
      '{"type":"url_verification","__proto__":{"challenge":"c"}}',
      '{"__proto__":{"type":"url_verification","challenge":"c"}}',
    ];
    const clickWithProtoUser = click((p) => {
      p.user = JSON.parse('{"__proto__":{"id":"U0ALICE001"}}');
    });
    const commandWithProto = command((f) => f.append('__proto__', '{"command":"/other"}'));

    // Act
    const verdicts = bodies.map((body) => checkPayload(JSON_TYPE, body, '/deploy'));
    const clicked = checkPayload(FORM, clickWithProtoUser, '/deploy');
    const commanded = checkPayload(FORM, commandWithProto, '/deploy');
    const extra = checkPayload(
      JSON_TYPE,
      eventBody(JSON.parse(`{"__proto__":[1],${channelMessage.slice(1)}}`)),
      '/deploy',
    );

    // Assess
    expect(verdicts).toEqual([
      { kind: 'ignore', reason: 'channel-message' },
      { kind: 'ignore', reason: 'channel-message' },
      { kind: 'ignore', reason: 'json:url_verification' },
      { kind: 'ignore', reason: 'json:undefined' },
    ]);
    expect(clicked).toEqual({ kind: 'ignore', reason: 'interactivity:block_actions' });
    expect(commanded).toEqual({ kind: 'handle' });
    expect(extra).toEqual({ kind: 'ignore', reason: 'channel-message' });
    expect(({} as Record<string, unknown>).channel_type).toBeUndefined();
  });

  it('leaves unknown fields unread, however deep the junk in them, and never throws on deep junk anywhere', () => {
    // Prepare
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepObject = `${'{"a":'.repeat(10_000)}null${'}'.repeat(10_000)}`;
    const mention = eventBody(mentionEvent);
    const withJunk = `${mention.slice(0, -1)},"junk":${deep},"more":${deepObject}}`;
    const eventJunk = mention.replace('"type":"app_mention"', `"junk":${deep},"type":"app_mention"`);
    const inAField = mention.replace('"text":"help"', `"text":${deep}`);
    const clickJunk = new URLSearchParams({
      payload: JSON.stringify({ ...JSON.parse(new URLSearchParams(click(() => {})).get('payload') as string), junk: 0 })
        .replace('"junk":0', `"junk":${deep}`)
        .replace('"value":"x"', `"value":${deepObject}`),
    }).toString();

    // Act
    const verdicts = [
      checkPayload(JSON_TYPE, withJunk, '/deploy'),
      checkPayload(JSON_TYPE, eventJunk, '/deploy'),
      checkPayload(JSON_TYPE, inAField, '/deploy'),
      checkPayload(JSON_TYPE, deep, '/deploy'),
      checkPayload(JSON_TYPE, deepObject, '/deploy'),
      checkPayload(FORM, clickJunk, '/deploy'),
    ];

    // Assess
    expect(verdicts).toEqual([
      { kind: 'handle' },
      { kind: 'handle' },
      { kind: 'ignore', reason: 'json:event_callback/app_mention' },
      { kind: 'ignore', reason: 'json:undefined' },
      { kind: 'ignore', reason: 'json:undefined' },
      { kind: 'ignore', reason: 'interactivity:block_actions' },
    ]);
  });
});

describe('the Home tab’s payloads', () => {
  const FORM_TYPE = 'application/x-www-form-urlencoded';
  const opened = (tab: unknown, user: unknown = 'U0ALICE001') =>
    eventBody({ type: 'app_home_opened', user, channel: 'D0ALICEDM1', tab, event_ts: '1.2' });
  const homeClick = (container: Record<string, unknown>) =>
    new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: 'U0ALICE001' },
        team: { id: 'T0LOCAL001' },
        container,
        trigger_id: '1.2.3',
        actions: [{ type: 'button', action_id: 'opsbot.request', value: 'x' }],
      }),
    }).toString();

  it('hands on the Home tab’s opening and its clicks, which come from a view without a response_url', () => {
    expect(checkPayload('application/json', opened('home'), '/deploy').kind).toBe('handle');
    expect(checkPayload(FORM_TYPE, homeClick({ type: 'view', view_id: 'V0HOME0001' }), '/deploy').kind).toBe('handle');
  });

  it('drops the Messages tab’s opening, a crafted opening, and a message click without a response_url', () => {
    expect(checkPayload('application/json', opened('messages'), '/deploy')).toEqual({
      kind: 'ignore',
      reason: 'messages-tab-opened',
    });
    expect(checkPayload('application/json', opened('home', { id: 'U0ALICE001' }), '/deploy').kind).toBe('ignore');
    expect(checkPayload('application/json', opened('everything'), '/deploy').kind).toBe('ignore');
    expect(checkPayload(FORM_TYPE, homeClick({ type: 'message', channel_id: 'C0DEPLOYS01' }), '/deploy').kind).toBe(
      'ignore',
    );
  });
});
