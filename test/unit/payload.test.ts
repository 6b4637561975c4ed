import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { checkPayload } from '../../bot/edge/payload';
import { createSlackHandler } from '../../bot/lambdas/slack-handler';
import { createMemoryLog } from '../../bot/logger';
import { readSettings } from '../../bot/settings';
import { MemoryStore } from '../../integrations/sandbox/memory-store';
import { buttonClickBody, eventBody, signedEvent, slashCommandBody, TEST_SIGNING_SECRET } from '../support/slack';

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
