import { readFileSync } from 'node:fs';
import { checkHomeView, checkMessage } from '../../integrations/slack/block-kit';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import {
  ALICE,
  allText,
  confirmDeploy,
  directMessage,
  FORM,
  type Harness,
  harness,
  JSON_TYPE,
  mention,
  unescaped,
} from '../support/harness';
import { eventBody, signedEvent } from '../support/slack';

const EXAMPLE = readFileSync('opsbot.config.example.yaml', 'utf8');
const ALICE_DM = 'D0ALICEDM1';
const BOB = 'U0BOB00001';
const BOB_DM = 'D0BOBDM001';

type Row = Array<Record<string, unknown>>;
interface TableBlock {
  type: 'data_table';
  caption: string;
  rows: Row[];
}

/** Alice opens opsbot's Home tab, as Slack tells the app. */
function openHome(h: Harness, user = ALICE) {
  return h.sendAndSettle(
    signedEvent(
      eventBody({ type: 'app_home_opened', user, channel: ALICE_DM, tab: 'home', event_ts: `${Date.now() / 1000}` }),
      JSON_TYPE,
    ),
  );
}

function home(h: Harness, user = ALICE) {
  const shown = h.standIn.homeViews.get(user);
  if (shown === undefined) throw new Error(`no Home view published for ${user}`);
  return shown;
}

const tables = (h: Harness) =>
  ((home(h).view.blocks ?? []) as Array<{ type: string }>).filter((b) => b.type === 'data_table') as TableBlock[];

/** A cell as a person reads it: its text, a number's text, a link's label, a button's label. */
function text(cell: Record<string, unknown> | undefined): string {
  if (cell === undefined) return '';
  if (cell.type === 'action_cell') return String((cell.element as { text: { text: string } }).text.text);
  if (cell.type === 'rich_text') return JSON.stringify(cell.elements);
  return String(cell.text);
}

/** The row of a service in an environment's table, by column name. */
function rowOf(h: Harness, environment: string, service: string): Record<string, string> {
  const table = tables(h).find((t) => t.caption.startsWith(`${environment}:`));
  const [header, ...rows] = table?.rows ?? [];
  const row = rows.find((r) => text(r[0]) === service);
  if (header === undefined || row === undefined) throw new Error(`no row for ${service} in ${environment}`);
  return Object.fromEntries(header.map((c, i) => [text(c), text(row[i])]));
}

/** Clicks a button in a Home tab's table, as Slack posts a click from a view: no channel, no message, no response_url. */
function clickHome(h: Harness, label: string, user = ALICE) {
  const button = tables(h)
    .flatMap((t) => t.rows.flat())
    .filter((c) => c.type === 'action_cell')
    .map((c) => c.element as Record<string, unknown>)
    .find((b) => (b.text as { text: string }).text === label);
  if (button === undefined) throw new Error(`no ${label} button on the Home tab`);
  return clickButton(h, button, user);
}

function clickButton(h: Harness, button: Record<string, unknown>, user = ALICE) {
  const shown = home(h, user);
  const payload = {
    type: 'block_actions',
    user: { id: user, team_id: 'T0LOCAL001' },
    team: { id: 'T0LOCAL001' },
    api_app_id: 'A0OPSBOT01',
    container: { type: 'view', view_id: shown.id },
    view: { id: shown.id, type: 'home', ...shown.view },
    trigger_id: '1.2.3',
    actions: [{ ...button, block_id: 'home', action_ts: `${Date.now() / 1000}` }],
  };
  return h.sendAndSettle(signedEvent(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM));
}

describe('opsbot’s Home tab: what runs where (signed Slack requests, the sandbox)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('publishes every service × environment in Slack’s data tables, read from ECS, within the Home tab’s limits', async () => {
    // Prepare
    h = await harness();
    const running = await h.sandbox.deployments.current('web', 'staging');

    // Act
    const answered = await openHome(h);

    // Assess: a table per environment, a row per service there, the version ECS runs
    expect(answered.statusCode).toBe(200);
    expect(checkHomeView(home(h).view)).toEqual([]);
    expect(tables(h).map((t) => t.caption)).toEqual(
      expect.arrayContaining(['staging: what runs where', 'prod: what runs where']),
    );
    expect(rowOf(h, 'staging', 'web')).toMatchObject({ Service: 'web', Running: running.version, Deploy: 'Deploy…' });
    expect(rowOf(h, 'prod', 'web').Pipeline).toMatch(/^web-pipeline: /);
    expect(h.log.entries.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('refreshes the Home tab of whoever opened it when a deploy starts, showing it and its thread', async () => {
    // Prepare
    h = await harness();
    await openHome(h);
    const before = home(h).publications;

    // Act: a deploy, asked and confirmed in the channel
    await confirmDeploy(h, 'web staging v1.8.2');

    // Assess
    expect(home(h).publications).toBeGreaterThan(before);
    const row = rowOf(h, 'staging', 'web');
    expect(row.Deploying).toMatch(/^→ v1\.8\.2 · .+ · by @U0ALICE001$/);
    expect(row.Thread).toContain('deploy thread');
    expect(checkHomeView(home(h).view)).toEqual([]);
  });

  it('refreshes every viewer’s Home even when Slack refuses one of them', async () => {
    // Prepare: Alice and Bob opened theirs; Slack will refuse the next views.publish
    h = await harness();
    await openHome(h);
    await h.sendAndSettle(
      signedEvent(
        eventBody({ type: 'app_home_opened', user: BOB, channel: BOB_DM, tab: 'home', event_ts: '1.3' }),
        JSON_TYPE,
      ),
    );
    const before = { alice: home(h, ALICE).publications, bob: home(h, BOB).publications };

    // Act: a lock changes what both show, and the first refresh is refused
    h.standIn.failNext('views.publish', { error: 'invalid_arguments' });
    await h.sendAndSettle(mention('lock web staging for a db migration').event);

    // Assess: Bob's Home refreshed all the same, and the refusal logged as a warning
    expect(home(h, BOB).publications).toBeGreaterThan(before.bob);
    expect(JSON.stringify(home(h, BOB).view.blocks)).toContain('locked by @U0ALICE001');
    expect(h.log.entries.some((e) => e.message === 'home.refresh_failed')).toBe(true);
  });

  it('asks Roll back from the Home tab as the command does: the confirmation comes to the person’s DM', async () => {
    // Prepare: web deployed to staging, finished
    h = await harness();
    const previous = (await h.sandbox.deployments.current('web', 'staging')).version;
    await confirmDeploy(h, 'web staging v1.8.2');
    await h.advance(20 * 60_000);
    await openHome(h);

    // Act
    const clicked = await clickHome(h, `Roll back to ${previous}`);

    // Assess: a confirmation card in Alice's DM, nothing rolled back before Confirm
    expect(clicked.statusCode).toBe(200);
    const card = h.bot().find((m) => m.channel === ALICE_DM && allText(m).includes('opsbot.confirm')) as StandInMessage;
    expect(unescaped(allText(card))).toContain(`Roll back *web* in *staging* to \`${previous}\``);
    expect((await h.sandbox.deployments.current('web', 'staging')).version).toBe('v1.8.2');
  });

  it('asks Deploy… from the Home tab in the DM, where typing the version answers it', async () => {
    // Prepare
    h = await harness();
    await openHome(h);

    // Act: Deploy… on web in staging, then the version typed in the DM
    const staging = tables(h).find((t) => t.caption.startsWith('staging:'));
    const web = staging?.rows.find((r) => text(r[0]) === 'web') ?? [];
    const deploy = web.find((c) => c.type === 'action_cell')?.element as Record<string, unknown>;
    await clickButton(h, deploy);
    await h.sendAndSettle(directMessage('v1.8.2', ALICE, ALICE_DM));

    // Assess: the question in the DM, and the answer typed there read as its version (a Confirm card for it)
    const dm = h.bot().filter((m) => m.channel === ALICE_DM);
    expect(dm.length).toBeGreaterThanOrEqual(2);
    expect(unescaped(allText(dm.at(-1) as StandInMessage))).toContain('v1.8.2');
    expect(allText(dm.at(-1) as StandInMessage)).toContain('opsbot.confirm');
  });

  it('refuses a Home button clicked by someone else, or from a message', async () => {
    // Prepare
    h = await harness();
    await openHome(h);
    const shown = home(h);
    const button = tables(h)
      .flatMap((t) => t.rows.flat())
      .find((c) => c.type === 'action_cell')?.element as Record<string, unknown>;

    // Act: Bob, who opened his own Home tab, replays Alice's Home click
    await h.sendAndSettle(
      signedEvent(
        eventBody({ type: 'app_home_opened', user: BOB, channel: BOB_DM, tab: 'home', event_ts: '1.2' }),
        JSON_TYPE,
      ),
    );
    const payload = {
      type: 'block_actions',
      user: { id: BOB, team_id: 'T0LOCAL001' },
      team: { id: 'T0LOCAL001' },
      container: { type: 'view', view_id: shown.id },
      trigger_id: '1.2.3',
      actions: [{ ...button, block_id: 'home', action_ts: '1' }],
    };
    await h.sendAndSettle(signedEvent(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM));

    // Assess: nothing asked, audited, and Bob told why in his DM (the DM he opened his Home from)
    expect(h.bot().some((m) => allText(m).includes('opsbot.confirm'))).toBe(false);
    const records = await h.deps.worker.ports.audit.list({ since: 0 });
    expect(records.find((r) => r.outcome === 'refused')).toMatchObject({ reason: 'elsewhere' });
    const told = h.bot().find((m) => m.channel === BOB_DM);
    expect(unescaped(allText(told as StandInMessage))).toContain(
      'That button is on someone else’s Home tab, so nothing was done.',
    );
  });

  it('shows an account that cannot be read in its own rows, and the rest as they are', async () => {
    // Prepare: prod's account refuses ECS
    h = await harness();
    const current = h.sandbox.deployments.current.bind(h.sandbox.deployments);
    h.sandbox.deployments.current = async (service, environment) => {
      if (environment === 'prod') throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      return current(service, environment);
    };

    // Act
    await openHome(h);

    // Assess
    expect(rowOf(h, 'prod', 'web').Running).toBe('⚠ AccessDeniedException (prod)');
    expect(rowOf(h, 'staging', 'web').Running).toMatch(/^v\d/);
    expect(JSON.stringify(home(h).view.blocks)).toContain(
      'AccessDeniedException: its places show what could not be read',
    );
  });

  it('publishes without waiting for an account that does not answer: its rows say it was too slow', async () => {
    // Prepare: prod's account never answers ECS
    h = await harness();
    const current = h.sandbox.deployments.current.bind(h.sandbox.deployments);
    h.sandbox.deployments.current = async (service, environment) =>
      environment === 'prod' ? new Promise(() => undefined) : current(service, environment);
    const started = Date.now();

    // Act
    await openHome(h);

    // Assess: published within the read's bound, the rest current
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(rowOf(h, 'prod', 'api').Running).toBe('⚠ too slow to answer (prod)');
    expect(rowOf(h, 'staging', 'api').Running).toMatch(/^v\d/);
  }, 15_000);

  it('folds a 50-service × 4-environment estate within Slack’s limits', async () => {
    // Prepare: 50 services in dev, staging, prod and qa
    const environments = ['dev', 'staging', 'prod', 'qa'];
    const services = Array.from({ length: 50 }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`);
    // (the example's four services are the first four of the fifty)
    const config = bigConfig(services, environments);
    h = await harness({}, config);

    // Act
    await openHome(h);

    // Assess
    const view = home(h).view;
    expect(checkHomeView(view)).toEqual([]);
    // A table per environment, a row per service: 4 × 50 rows fit Slack's 20,000 characters as they stand
    const drawn = tables(h);
    expect(drawn.map((t) => t.caption.split(':')[0]).sort()).toEqual([...environments].sort());
    for (const t of drawn) expect(t.rows.length).toBe(51);

    // Act again: the last table's last Deploy… (one of 200 buttons on the Home tab)
    const last = drawn.at(-1)?.rows.at(-1) ?? [];
    const deploy = last.find((c) => c.type === 'action_cell')?.element as Record<string, unknown>;
    await clickButton(h, deploy);

    // Assess: it is a button opsbot issued, answered in the DM (not refused as unknown)
    const answered = unescaped(
      allText(
        h
          .bot()
          .filter((m) => m.channel === ALICE_DM)
          .at(-1) as StandInMessage,
      ),
    );
    expect(answered).not.toContain('not one opsbot issued');
    expect(answered).toMatch(/version|tag/i);
  });
});

/** The example world grown to `count` services, each in dev, staging, prod and qa. */
function bigConfig(services: readonly string[], environments: readonly string[]): string {
  const extra = environments.filter((e) => !['dev', 'staging', 'prod'].includes(e));
  const withEnvironments = EXAMPLE.replace(
    /^environments:\n/m,
    `environments:\n${extra.map((e) => `  ${e}: {}\n`).join('')}`,
  )
    // Every example service in the new environments too.
    .replace(/^( {6})dev: \{ account: tools, region: eu-west-1 \}$/gm, (line, indent) =>
      [line, ...extra.map((e) => `${indent}${e}: { account: tools, region: eu-west-1 }`)].join('\n'),
    );
  const added = services
    .slice(4)
    .map(
      (s) =>
        `  ${s}:\n    environments:\n${environments.map((e) => `      ${e}: { account: tools, region: eu-west-1 }`).join('\n')}`,
    )
    .join('\n');
  return withEnvironments.replace(/^pipelines:/m, `${added}\n\npipelines:`);
}

describe('what runs where, asked in the channel (signed Slack requests, the sandbox)', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('answers “what’s running in prod?” with the Home tab’s table for prod, within a message’s limits', async () => {
    // Prepare
    h = await harness();
    const running = await h.sandbox.deployments.current('web', 'prod');
    const asked: string[] = [];
    const current = h.sandbox.deployments.current.bind(h.sandbox.deployments);
    h.sandbox.deployments.current = async (service, environment) => {
      asked.push(`${service}:${environment}`);
      return current(service, environment);
    };

    // Act
    await h.sendAndSettle(mention("what's running in prod?").event);

    // Assess
    const answer = h.bot().at(-1) as StandInMessage;
    expect(checkMessage({ text: answer.text, blocks: answer.blocks })).toEqual([]);
    const drawn = (answer.blocks ?? []).filter((b) => (b as { type: string }).type === 'data_table') as TableBlock[];
    expect(drawn.map((t) => t.caption)).toEqual(['prod: what runs where']);
    const [header, ...rows] = drawn[0]?.rows ?? [];
    const web = rows.find((r) => text(r[0]) === 'web') ?? [];
    expect(header?.map(text).slice(0, 2)).toEqual(['Service', 'Running']);
    expect(text(web[1])).toBe(running.version);
    // ECS asked once a service, for the table and the words alike
    expect(asked.filter((a) => a === 'web:prod')).toHaveLength(1);
  });

  it('answers “where is web <version>?” with where it runs and where it does not', async () => {
    // Prepare: the version web runs in staging
    h = await harness();
    const staging = (await h.sandbox.deployments.current('web', 'staging')).version;
    const prod = (await h.sandbox.deployments.current('web', 'prod')).version;

    // Act
    await h.sendAndSettle(mention(`where is web ${staging}?`).event);

    // Assess
    const said = unescaped(allText(h.bot().at(-1) as StandInMessage));
    expect(said).toContain(`*web* \`${staging}\` runs in staging`);
    if (prod !== staging) expect(said).toContain(`prod (${prod})`);
  });
});
