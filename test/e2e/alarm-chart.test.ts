import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMessage } from '../../integrations/slack/block-kit';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import { allText, confirmDeploy, deliver, type Harness, harness, mention, slash, unescaped } from '../support/harness';

const ALERTS = 'C0ALERTS001';

interface ChartBlock {
  type: 'data_visualization';
  title: string;
  chart: {
    type: string;
    series: Array<{ name: string; data: Array<{ label: string; value: number }> }>;
    axis_config: { categories: string[] };
  };
}

const chartOf = (m: StandInMessage | undefined) =>
  (m?.blocks ?? []).find((b) => (b as { type?: string }).type === 'data_visualization') as ChartBlock | undefined;

const alertIn = (h: Harness) => h.bot().find((m) => m.channel === ALERTS && m.text.startsWith('Alarm '));

describe('the graph behind an alarm: a line chart of what it watched, in Slack’s own block (the sandbox)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('puts a notice with the chart in #alerts: the metric’s last hours, its threshold, and the deploy before it', async () => {
    // Prepare: web in staging deployed an hour ago
    h = await harness();
    await confirmDeploy(h, 'web staging v1.8.2');
    await h.advance(60 * 60_000);

    // Act
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    const alert = alertIn(h);
    const chart = chartOf(alert);

    // Assess: Slack's line chart, within its limits, drawing what the notice says in words
    expect(chart).toBeDefined();
    expect(checkMessage({ text: alert?.text, blocks: alert?.blocks })).toEqual([]);
    expect(chart?.title).toMatch(/^HTTPCode_Target_5XX_Count · deploy at 0\d:\d\d UTC$/);
    expect(chart?.chart.type).toBe('line');
    const [metric, threshold] = chart?.chart.series ?? [];
    expect(metric?.name).toBe('HTTPCode_Target_5XX…');
    expect(threshold?.name).toBe('Threshold');
    expect(threshold?.data.every((p) => p.value === 5)).toBe(true);
    expect(chart?.chart.axis_config.categories.length).toBeLessThanOrEqual(20);
    expect(chart?.chart.axis_config.categories.length).toBeGreaterThanOrEqual(18);
    // The breach the alarm reports ends the chart (its two minutes may fall in two points); before it, quiet values
    expect(metric?.data.at(-1)?.value).toBe(12);
    expect(metric?.data.slice(0, -2).every((p) => p.value < 5)).toBe(true);
    const text = unescaped(allText(alert as StandInMessage));
    expect(text).toContain('Now 12 · peak 12 in the last 3 h · threshold 5 · the deploy started at 0');
    expect(h.log.entries.filter((e) => e.level === 'error' || e.level === 'warn')).toEqual([]);
  });

  it('draws the chart under the alarm’s line in a deploy’s thread, the deploy’s start in its title', async () => {
    // Prepare: a deploy of web to staging, shifting traffic
    h = await harness();
    await confirmDeploy(h, 'web staging v1.8.2');
    await h.advance(2 * 60_000);
    const message = h.bot().find((m) => m.thread_ts === undefined && m.text.startsWith('web ')) as StandInMessage;

    // Act
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));

    // Assess
    const story = h.bot().find((m) => m.thread_ts === message.ts && chartOf(m) !== undefined);
    expect(story).toBeDefined();
    expect(unescaped(allText(story as StandInMessage))).toContain('Alarm `web-staging-5xx-errors` went to ALARM');
    expect(chartOf(story)?.title).toMatch(/· deploy at 0\d:\d\d UTC$/);
    expect(chartOf(story)?.chart.series[0]?.data.at(-1)?.value).toBe(12);
    expect(checkMessage({ text: story?.text, blocks: story?.blocks })).toEqual([]);
  });

  it('sends the notice without its chart when Slack refuses the chart, its figures in the text', async () => {
    // Prepare: a workspace that does not show charts
    h = await harness();
    h.standIn.unsupportedBlocks.add('data_visualization');

    // Act
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    const alert = alertIn(h);

    // Assess: one notice, no chart, the figures said
    expect(h.bot().filter((m) => m.channel === ALERTS && m.text.startsWith('Alarm '))).toHaveLength(1);
    expect(chartOf(alert)).toBeUndefined();
    expect(unescaped(allText(alert as StandInMessage))).toContain('Now 12 · peak 12 in the last 3 h · threshold 5');
    expect(h.log.entries.some((e) => e.message === 'announce.chart_refused')).toBe(true);
  });

  it('sends the notice with CloudWatch’s figures when what the alarm watched cannot be read', async () => {
    // Prepare: the metric's data is unreadable
    h = await harness();
    h.sandbox.alarms.series = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };

    // Act
    await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
    const alert = alertIn(h);

    // Assess
    expect(chartOf(alert)).toBeUndefined();
    const text = unescaped(allText(alert as StandInMessage));
    expect(text).toContain('Threshold 5 · datapoints 9, 12');
    expect(text).toContain('Now 12 · peak 12 of the datapoints CloudWatch quoted · threshold 5');
    expect(h.log.entries.find((e) => e.message === 'alarm.chart_unread')).toMatchObject({ level: 'warn' });
  });

  it('draws the same chart after a restart: the sandbox keeps what its alarms watched', async () => {
    // Prepare: a sandbox kept in a data directory, an alarm tripped, then opsbot restarted
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-chart-'));
    try {
      h = await harness({}, undefined, { dataDir });
      await deliver(h, h.sandbox.alarms.trip('web-staging-5xx-errors'));
      const alarm = (await h.sandbox.alarms.states('web', 'staging'))[0];
      const window = { from: h.sandbox.clock.now() - 3_600_000, to: h.sandbox.clock.now() };
      const before = await h.sandbox.alarms.series('web', 'staging', alarm as never, window);
      await h.close();

      // Act
      h = await harness({}, undefined, { dataDir });
      const after = await h.sandbox.alarms.series('web', 'staging', alarm as never, window);

      // Assess
      expect(after).toEqual(before);
      expect(before.points.at(-1)?.value).toBe(12);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('answers “how is web doing in staging?” with its tasks, revision, image, alarms and the first alarm’s chart', async () => {
    // Prepare
    h = await harness();
    const running = await h.sandbox.deployments.current('web', 'staging');

    // Act
    await h.sendAndSettle(mention('how is web doing in staging?').event);
    const answer = h.bot().at(-1) as StandInMessage;

    // Assess
    const said = unescaped(allText(answer));
    expect(said).toContain('Tasks: 2 of 2 running');
    expect(said).toContain(`Revision \`${running.taskDefinition}\` · image \`${running.image}\``);
    expect(said).toContain('Alarm `web-staging-5xx-errors`: OK');
    expect(said).toContain('Alarm `web-staging-p99-latency`: OK');
    expect(said).toMatch(/web-staging-5xx-errors: Now \d+ · peak \d+ in the last 3 h · threshold 5/);
    expect(chartOf(answer)?.title).toBe('HTTPCode_Target_5XX_Count, last 3 h');
    expect(checkMessage({ text: answer.text, blocks: answer.blocks })).toEqual([]);
  });

  it('says an alarm in ALARM, and the tasks a deploy is replacing, while web deploys', async () => {
    // Prepare: a deploy under way, and its alarm tripped
    h = await harness();
    await confirmDeploy(h, 'web staging v1.8.2');
    await h.advance(2 * 60_000);
    h.sandbox.alarms.trip('web-staging-5xx-errors');

    // Act
    await h.sendAndSettle(mention('is web healthy in staging').event);
    const said = unescaped(allText(h.bot().at(-1) as StandInMessage));

    // Assess
    expect(said).toContain('needs a look');
    expect(said).toMatch(/Alarm `web-staging-5xx-errors`: ALARM since just now — “Threshold Crossed/);
    expect(said).toContain('A deploy to `v1.8.2` is running');
    expect(chartOf(h.bot().at(-1))?.title).toMatch(/· deploy at 0\d:\d\d UTC$/);
  });

  it('answers “how is web doing?” without its chart where Slack refuses charts, the figures said', async () => {
    // Prepare: a workspace that does not show charts
    h = await harness();
    h.standIn.unsupportedBlocks.add('data_visualization');

    // Act: asked in the channel, and by slash command
    await h.sendAndSettle(mention('how is web doing in staging?').event);
    const asked = h.bot().at(-1) as StandInMessage;
    const { ack } = await slash(h, 'how is web doing in staging?');

    // Assess
    for (const answer of [asked, ack as StandInMessage]) {
      expect(chartOf(answer)).toBeUndefined();
      expect(unescaped(allText(answer))).toMatch(
        /web-staging-5xx-errors: Now \d+ · peak \d+ in the last 3 h · threshold 5/,
      );
    }
    expect(h.log.entries.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('never says a service is healthy on alarms it could not read', async () => {
    // Prepare: CloudWatch refuses
    h = await harness();
    h.sandbox.alarms.states = async () => {
      throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
    };

    // Act
    await h.sendAndSettle(mention('how is web doing in staging?').event);

    // Assess
    const said = unescaped(allText(h.bot().at(-1) as StandInMessage));
    expect(said).toContain('Tasks: 2 of 2 running');
    expect(said).toContain('needs a look');
    expect(said).not.toContain('rollback alarms OK');
    expect(said).toContain('Some alarms could not be read: AccessDenied.');
  });
});
