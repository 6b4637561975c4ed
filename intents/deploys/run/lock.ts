import type { IntentPorts, PostedMessage, Refusal } from '../../define-intent';
import { ago, stepWords } from '../../format';
import { code, mention, notice, type Run, strong } from '../../reply';
import { type DeployRun, loadRun, OPSBOT } from './record';
import { clockTime, messageLink } from './words';

/**
 * How long a deploy may hold its lock without the watcher releasing it: past this the lock expires by itself, so a
 * watcher that died never leaves a service locked for good.
 */
export const DEPLOY_TIMEOUT_MS = 2 * 60 * 60_000;
/** How often a poll renews a running deploy's lock for another `DEPLOY_TIMEOUT_MS`. */
export const LOCK_RENEW_EVERY_MS = 10 * 60_000;

/** The deploy lock of a service in an environment: held from Confirm until the deployment ends. */
export interface DeployLock {
  readonly holder: string;
  readonly version: string;
  readonly since: number;
  readonly runId: string;
  readonly message?: PostedMessage;
}

export const lockKey = (service: string, environment: string) => `lock:${service}:${environment}`;

/** "@ana is deploying web `v1.8.2` to prod". */
export function deployingWords(lock: DeployLock, service: string, environment: string): Run[] {
  return [
    lock.holder === OPSBOT ? 'opsbot (on a rollback alarm)' : mention(lock.holder),
    ' is deploying ',
    strong(service),
    ' ',
    code(lock.version),
    ' to ',
    strong(environment),
  ];
}

/** The running deploy of a service in an environment, refused before any Confirm card: who, which version, since. */
export async function lockRefusal(
  service: string,
  environment: string,
  ports: Pick<IntentPorts, 'store' | 'clock'> & Partial<Pick<IntentPorts, 'deployments'>>,
): Promise<Refusal | undefined> {
  const lock = await ports.store.get<DeployLock>(lockKey(service, environment));
  if (lock === undefined) return undefined;
  return {
    reason: 'locked',
    reply: notice(
      'refused',
      [
        ...deployingWords(lock, service, environment),
        ...(await progressWords(lock, ports)),
        ` since ${clockTime(lock.since)} (${ago(lock.since, ports.clock.now())})`,
        ...(lock.message !== undefined ? [' — ', messageLink(lock.message, 'see that deploy')] : []),
        '. One deploy at a time: nothing was started.',
      ],
      ['Ask again once it has finished, or ask them to cancel it.'],
    ),
  };
}

/** " (installing the new task set, 0% of traffic moved)": how far the deploy holding a lock has got, when it can be read. */
async function progressWords(
  lock: DeployLock,
  ports: Pick<IntentPorts, 'store'> & Partial<Pick<IntentPorts, 'deployments'>>,
): Promise<Run[]> {
  if (ports.deployments === undefined) return [];
  try {
    const run = await loadRun(lock.runId, ports);
    if (run === undefined) return [];
    if (run.state === 'awaiting-approval') return [' (waiting for approval)'];
    if (run.deploymentId === undefined) return [];
    const d = await ports.deployments.get(run.service, run.environment, run.deploymentId);
    const step = stepWords(d.step)
      .replace(/\s*\(.*?\)/g, '')
      .toLowerCase();
    return [` (${step}, ${d.trafficOnGreen}% on the new version)`];
  } catch {
    // What it is at is a courtesy: the refusal stands without it.
    return [];
  }
}

/** The lock names the deploy's message, so a second request can link to it. */
export async function holdLockWithMessage(run: DeployRun, ports: IntentPorts): Promise<void> {
  const key = lockKey(run.service, run.environment);
  const lock = await ports.store.get<DeployLock>(key);
  if (lock?.runId !== run.id) return;
  // Two hours from now: kept alive by every poll of a deploy still running (a long bake, a gate waiting for days),
  // gone by itself within two hours of the watcher's last poll.
  await ports.store.put(
    key,
    { ...lock, ...(run.messages[0] !== undefined && { message: run.messages[0] }) } satisfies DeployLock,
    Math.ceil(DEPLOY_TIMEOUT_MS / 1000),
  );
}

export async function releaseLock(run: DeployRun, ports: IntentPorts): Promise<void> {
  const key = lockKey(run.service, run.environment);
  const lock = await ports.store.get<DeployLock>(key);
  if (lock?.runId === run.id) await ports.store.delete(key);
}
