import { renderHomeView, renderReply } from '../../bot/views/render';
import { checkHomeView, checkMessage } from '../../integrations/slack/block-kit';
import {
  ESTATE_CONCURRENCY,
  ESTATE_DEADLINE_MS,
  type Estate,
  type EstatePorts,
  type Place,
  readEstate,
} from '../../intents/deploys/estate';
import { estateReply, TABLE_BUDGET } from '../../intents/deploys/estate-reply';

const AT = Date.parse('2026-12-07T09:41:00Z');

function place(service: string, environment: string, extra: Partial<Place> = {}): Place {
  return {
    service,
    environment,
    account: 'tools',
    region: 'eu-west-1',
    running: {
      ok: true,
      value: {
        service,
        environment,
        taskDefinition: `${service}:7`,
        image: `repo/${service}:v1.8.2`,
        version: 'v1.8.2',
        engine: 'codedeploy',
      },
    },
    maintenance: [],
    ...extra,
  };
}

describe('estateReply: what runs where, folded within Slack’s limits', () => {
  it('draws a table per environment and, once the next would pass 20,000 characters, says it in a line instead', () => {
    // Prepare: 50 services in 4 environments, each locked with a long reason
    const environments = ['dev', 'staging', 'prod', 'qa'];
    const reason = 'database migration of the orders schema, do not deploy until the DBA says so; '.repeat(2);
    const places = environments.flatMap((e) =>
      Array.from({ length: 50 }, (_, i) =>
        place(`svc-${i}`, e, {
          hold: { holder: 'U0ALICE001', reason, since: AT - 60_000 },
          // A last deploy with its thread: a link cell, counted as Slack counts it (label and address).
          last: {
            kind: 'deploy',
            version: 'v1.8.2',
            previousVersion: 'v1.8.1',
            outcome: 'succeeded',
            requestedBy: 'U0ALICE001',
            requestedAt: AT - 3_600_000,
            endedAt: AT - 3_000_000,
            state: 'ended',
            messages: [{ channel: 'C0DEPLOYS01', ts: '1796000000.000100' }],
          } as never,
        }),
      ),
    );
    const estate: Estate = { at: AT, places, maintenanceUnread: [] };

    // Act
    const reply = estateReply(estate, { title: 'What runs where', buttons: true, timeZone: 'UTC' });
    const view = renderHomeView(reply);
    const message = renderReply({ ...reply });

    // Assess: the first environments drawn, the rest folded into lines that say what needs attention and how to ask
    const drawn = (reply.tables ?? []).map((t) => t.caption.split(':')[0]);
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.length).toBeLessThan(4);
    const folded = environments.filter((e) => !drawn.includes(e));
    const said = JSON.stringify(reply.sections);
    for (const e of folded) {
      expect(said).toContain(`"${e}"`);
      expect(said).toContain(`what's running in ${e}?`);
    }
    expect(said).toContain('50 services');
    expect(checkHomeView(view)).toEqual([]);
    expect(checkMessage(message)).toEqual([]);
    expect(TABLE_BUDGET).toBeLessThanOrEqual(20_000);
  });

  it('says a place whose account could not be read, once per account, and offers no button there', () => {
    // Prepare
    const estate: Estate = {
      at: AT,
      places: [
        place('web', 'staging'),
        place('web', 'prod', { account: 'prod', running: { ok: false, why: 'too slow to answer' } }),
      ],
      maintenanceUnread: ['Health in prod (no-support-plan)'],
    };

    // Act
    const reply = estateReply(estate, { title: 'What runs where', buttons: true, timeZone: 'UTC' });

    // Assess
    const prod = reply.tables?.find((t) => t.caption.startsWith('prod'))?.rows[0];
    expect(prod?.[1]).toBe('⚠ too slow to answer (prod)');
    expect(prod?.[7]).toBe('');
    const staging = reply.tables?.find((t) => t.caption.startsWith('staging'))?.rows[0];
    expect(staging?.[7]).toMatchObject({ kind: 'button', button: { label: 'Deploy…' } });
    const said = JSON.stringify(reply.sections);
    expect(said).toContain('⚠ prod, eu-west-1: too slow to answer');
    expect(said).toContain('AWS maintenance could not be read from Health in prod (no-support-plan).');
  });
});

describe('readEstate', () => {
  it('reads a large estate a few places at a time, as ECS would throttle it all at once', async () => {
    // Prepare: 50 services in 4 environments, ECS answering after a moment, the reads in flight counted
    let inFlight = 0;
    let most = 0;
    const ports = fakeEstate(
      ['dev', 'staging', 'prod', 'qa'],
      () => ({ account: 'tools', region: 'eu-west-1' }),
      async (service, environment) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return running(service, environment);
      },
    );

    // Act
    const estate = await readEstate(ports);

    // Assess
    expect(estate.places).toHaveLength(200);
    expect(most).toBeLessThanOrEqual(ESTATE_CONCURRENCY);
    expect(estate.places.every((p) => p.running.ok)).toBe(true);
  });
});

describe('readEstate and an account that never answers', () => {
  it('reads the others at once and gives the silent one no longer than the read’s deadline', async () => {
    // Prepare: 50 services in staging (answering) and prod (a separate account that never answers)
    const ports = fakeEstate(
      ['staging', 'prod'],
      (environment) => ({ account: environment === 'prod' ? 'prod' : 'tools', region: 'eu-west-1' }),
      async (service, environment) =>
        environment === 'prod' ? new Promise<never>(() => undefined) : running(service, environment),
    );
    const started = Date.now();

    // Act
    const estate = await readEstate(ports);

    // Assess
    expect(Date.now() - started).toBeLessThan(ESTATE_DEADLINE_MS + 1_500);
    const prod = estate.places.filter((p) => p.environment === 'prod');
    expect(prod.every((p) => !p.running.ok && p.running.why === 'too slow to answer')).toBe(true);
    expect(estate.places.filter((p) => p.environment === 'staging').every((p) => p.running.ok)).toBe(true);
  }, 15_000);
});

const running = (service: string, environment: string) => ({
  service,
  environment,
  taskDefinition: 'x:1',
  image: 'x',
  version: 'v1',
  engine: 'codedeploy' as const,
});

/** An estate of 50 services in `environments`, each place in the account `where` says, ECS answering with `current`. */
function fakeEstate(
  environments: readonly string[],
  where: (environment: string) => { account: string; region: string },
  current: (service: string, environment: string) => Promise<unknown>,
): EstatePorts {
  return {
    vocabulary: {
      services: Array.from({ length: 50 }, (_, i) => ({ name: `svc-${i}`, aliases: [] })),
      environments: environments.map((name) => ({ name, aliases: [] })),
      pipelines: [],
      accounts: [],
    },
    rules: {
      target: (_service: string, environment: string) => where(environment),
      environment: () => undefined,
      timeZone: 'UTC',
      maintenance: { serviceTag: 'opsbot:service', resources: {} },
    },
    deployments: { current },
    pipelines: { list: async () => [] },
    maintenance: { upcoming: async () => ({ notices: [], failures: [] }) },
    store: { get: async () => undefined, list: async () => [] },
    calendars: { state: async () => 'OPEN' },
    clock: { now: () => AT },
    log: { info() {}, warn() {}, error() {}, debug() {} },
  } as unknown as EstatePorts;
}
