import type { Deployment, ServiceRevision } from '../../integrations/deployments.port';
import type { MaintenanceNotice } from '../../integrations/maintenance.port';
import { mapLimit } from '../../integrations/map-limit';
import type { PipelineSummary } from '../../integrations/pipelines.port';
import type { IntentPorts } from '../define-intent';
import { affectedServices } from '../maintenance-affects';
import { currentFreeze } from './freeze';
import { type Hold, holdKey } from './locks';
import type { DeployRun } from './run/record';

/** How long one read of one account may take before its place shows it as too slow (the rest do not wait for it). */
export const ESTATE_READ_MS = 3_000;
/** Places of one account and region read at once (each a few ECS calls). */
export const ESTATE_CONCURRENCY = 10;
/** Past this, a place not yet asked is said to be too slow rather than asked: the whole read takes about this long. */
export const ESTATE_DEADLINE_MS = 4_000;
/** How far ahead the estate looks for AWS maintenance. */
export const MAINTENANCE_DAYS = 7;

/** What a read of an account gave: its value, or why it could not be had. */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

/** One service in one environment, as it stands. */
export interface Place {
  readonly service: string;
  readonly environment: string;
  /** The account (by name) and region it runs in. */
  readonly account?: string;
  readonly region?: string;
  /** What ECS runs, read from ECS (not from opsbot's records). */
  readonly running: Read<ServiceRevision>;
  /** opsbot's deploy running there now, and what its engine says of it. */
  readonly deploying?: { readonly run: DeployRun; readonly deployment?: Deployment };
  /** The last deploy or rollback that ended there (in the last three days). */
  readonly last?: DeployRun;
  /** A hand lock on it. */
  readonly hold?: Hold;
  /** A freeze in force in its environment (a freeze window or a closed change calendar). */
  readonly freeze?: { readonly reason: string; readonly endsAt?: number };
  /** Its pipeline, if one is configured for the service. */
  readonly pipeline?: Read<PipelineSummary>;
  /** AWS maintenance in the next days on its resources. */
  readonly maintenance: readonly MaintenanceNotice[];
}

/** Every configured service × environment, and what could not be read across the accounts. */
export interface Estate {
  readonly at: number;
  readonly places: readonly Place[];
  /** Maintenance that could not be read (an account or a source): said once, under the table. */
  readonly maintenanceUnread: readonly string[];
}

/** What the estate reads: a Slack question and a Home tab alike. */
export type EstatePorts = Pick<
  IntentPorts,
  'vocabulary' | 'rules' | 'deployments' | 'pipelines' | 'maintenance' | 'store' | 'clock' | 'calendars' | 'log'
>;

/**
 * Reads what runs where: for every configured service in every environment it has, what ECS runs, opsbot's deploy
 * in progress and the last one, hand locks and freezes, the service's pipeline, and AWS maintenance in the next
 * {@link MAINTENANCE_DAYS} days on its resources. Each account and region is read beside the others, ten places at a
 * time; every read is bounded by {@link ESTATE_READ_MS}, and past {@link ESTATE_DEADLINE_MS} a place not yet asked
 * is not asked at all: an account that is slow or refuses shows as such in its own places, and holds back nothing
 * else for longer than that.
 */
export async function readEstate(
  ports: EstatePorts,
  scope: { readonly environment?: string; readonly service?: string } = {},
): Promise<Estate> {
  const at = ports.clock.now();
  // The read's deadline counts from here: what every place shares is read first, within it too.
  const started = Date.now();
  const targets = ports.vocabulary.services.flatMap((s) =>
    ports.vocabulary.environments.flatMap((e) => {
      if (scope.service !== undefined && s.name !== scope.service) return [];
      if (scope.environment !== undefined && e.name !== scope.environment) return [];
      const target = ports.rules.target(s.name, e.name);
      if (target === undefined) return [];
      // The account by the name people know it by (the target names it by id).
      const account =
        ports.vocabulary.accounts?.find((a) => a.name === target.account || a.aliases.includes(target.account))?.name ??
        target.account;
      return [{ service: s.name, environment: e.name, account, region: target.region }];
    }),
  );
  const pipelineOf = new Map(
    ports.vocabulary.pipelines.flatMap((p) => (p.service !== undefined ? [[p.service, p.name] as const] : [])),
  );
  const [pipelines, maintenance] = await Promise.all([
    pipelineOf.size === 0 ? Promise.resolve(ok<PipelineSummary[]>([])) : bounded(() => ports.pipelines.list()),
    bounded(() => ports.maintenance.upcoming({ from: at, until: at + MAINTENANCE_DAYS * 24 * 60 * 60_000 })),
  ]);
  const notices = maintenance.ok ? maintenance.value.notices : [];
  // Read once for the whole estate: opsbot's deploy records of the last days, and each environment's freeze.
  const since = new Date(at - 3 * 24 * 60 * 60_000).toISOString();
  const [records, freezes] = await Promise.all([
    ports.store.list<DeployRun>('deploys', { from: since }).catch(() => [] as DeployRun[]),
    Promise.all(
      [...new Set(targets.map((t) => t.environment))].map(
        async (environment) => [environment, await bounded(() => currentFreeze(environment, ports))] as const,
      ),
    ),
  ]);
  const freezeOf = new Map(freezes);
  const runsOf = (service: string, environment: string) =>
    records
      .filter((r) => r.service === service && r.environment === environment)
      .sort((a, b) => b.requestedAt - a.requestedAt);
  // Each account and region apart, a few places at a time (a 50 × 4 estate is hundreds of ECS calls, which ECS would
  // throttle at once); past the read's deadline a place is not asked at all, so an account that does not answer
  // costs the estate at most that long.
  const groups = new Map<string, typeof targets>();
  for (const t of targets)
    groups.set(`${t.account}:${t.region}`, [...(groups.get(`${t.account}:${t.region}`) ?? []), t]);
  const read = async (t: (typeof targets)[number]): Promise<Place> => {
    const left = Math.min(ESTATE_READ_MS, ESTATE_DEADLINE_MS - (Date.now() - started));
    const late = left <= 0;
    const [running, hold] = await Promise.all([
      late
        ? Promise.resolve<Read<ServiceRevision>>({ ok: false, why: 'too slow to answer' })
        : bounded(() => ports.deployments.current(t.service, t.environment), left),
      ports.store.get<Hold>(holdKey(t.service, t.environment)).catch(() => undefined),
    ]);
    const runs = runsOf(t.service, t.environment);
    const run = runs.find((r) => r.state !== 'ended');
    const rest = Math.min(ESTATE_READ_MS, ESTATE_DEADLINE_MS - (Date.now() - started));
    const deployment =
      run?.deploymentId !== undefined && rest > 0
        ? await bounded(() => ports.deployments.get(t.service, t.environment, run.deploymentId as string), rest)
        : undefined;
    const pipelineName = pipelineOf.get(t.service);
    const pipeline: Read<PipelineSummary> | undefined =
      pipelineName === undefined
        ? undefined
        : !pipelines.ok
          ? pipelines
          : ((p) => (p === undefined ? { ok: false as const, why: 'not found' } : ok(p)))(
              pipelines.value.find((p) => p.name === pipelineName),
            );
    const freeze = freezeOf.get(t.environment);
    const frozen = freeze?.ok === true ? freeze.value : undefined;
    const last = runs.find((r) => r.state === 'ended');
    return {
      service: t.service,
      environment: t.environment,
      account: t.account,
      region: t.region,
      running,
      ...(run !== undefined && {
        deploying: { run, ...(deployment?.ok === true && { deployment: deployment.value }) },
      }),
      ...(last !== undefined && { last }),
      ...(hold !== undefined && { hold }),
      ...(frozen !== undefined && {
        freeze: { reason: frozen.freeze.reason, ...(frozen.endsAt !== undefined && { endsAt: frozen.endsAt }) },
      }),
      ...(pipeline !== undefined && { pipeline }),
      maintenance: notices.filter((n) => affectedServices(n, ports.rules.maintenance).includes(t.service)),
    };
  };
  const byGroup = await Promise.all([...groups.values()].map((group) => mapLimit(group, ESTATE_CONCURRENCY, read)));
  const placed = new Map(byGroup.flat().map((p) => [`${p.service}:${p.environment}`, p]));
  const places = targets.map((t) => placed.get(`${t.service}:${t.environment}`) as Place);
  const maintenanceUnread = maintenance.ok
    ? maintenance.value.failures.map(
        (f) => `${f.source} in ${f.account.name}${f.region !== undefined ? `, ${f.region}` : ''} (${f.reason})`,
      )
    : [maintenance.why];
  return { at, places, maintenanceUnread };
}

const ok = <T>(value: T): Read<T> => ({ ok: true, value });

/** One read of an account, given at most {@link ESTATE_READ_MS}: its value, or why not ("too slow", the error's name). */
async function bounded<T>(read: () => Promise<T>, ms = ESTATE_READ_MS): Promise<Read<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Read<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, why: 'too slow to answer' }), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([read().then(ok, (error: unknown): Read<T> => ({ ok: false, why: whyOf(error) })), late]);
  } finally {
    clearTimeout(timer);
  }
}

function whyOf(error: unknown): string {
  const e = error as { userMessage?: unknown; name?: unknown; code?: unknown };
  if (typeof e?.code === 'string' && e.code === 'NOT_DEPLOYED') return 'not deployed';
  const name = typeof e?.name === 'string' && e.name !== 'Error' ? e.name : undefined;
  return name ?? (typeof e?.code === 'string' ? e.code : 'unreadable');
}
