import { randomBytes } from 'node:crypto';
import { Claims } from '../../../integrations/claims';
import type { Deployment, DeploymentEngine } from '../../../integrations/deployments.port';
import type { Actor, IntentPorts, PostedMessage } from '../../define-intent';

/** How long a deploy's record is kept: its message is updated and its history read from it for a month. */
export const RUN_TTL_SECONDS = 30 * 24 * 60 * 60;

/** How long an approval may be waited for. */
export const APPROVAL_WINDOW_MS = 30 * 60_000;

/** The digest an image reference runs by (`repo@sha256:…`), if it names one. */
export function digestOf(image: string): string | undefined {
  return /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
}

/** Where a deploy opsbot runs is, from Confirm to its end. */
export type RunState = 'awaiting-approval' | 'running' | 'ended';
export type RunOutcome = 'succeeded' | 'failed' | 'stopped' | 'rejected' | 'expired';

/** A deploy opsbot runs, from Confirm to its end: what its message, lock, watcher and audit record read. */
export interface DeployRun {
  readonly id: string;
  readonly kind: 'deploy' | 'rollback';
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  /** The image's digest the Confirm card showed: the deployment runs the image by it. */
  readonly digest?: string;
  readonly previousVersion: string;
  /** The digest the replaced revision ran by, when it ran by one: a rollback deploys that image, not the tag's now. */
  readonly previousDigest?: string;
  readonly requestedBy: string;
  readonly requestedAt: number;
  readonly actor: Actor;
  readonly auditId: string;
  /** An admin's reason for deploying into a freeze. */
  readonly override?: string;
  /** A promotion: the environment whose running image it deploys. */
  readonly promotedFrom?: string;
  state: RunState;
  messages: PostedMessage[];
  approvedBy?: string;
  deploymentId?: string;
  engine?: DeploymentEngine;
  startedAt?: number;
  endedAt?: number;
  outcome?: RunOutcome;
  /** Who pressed Cancel, or rejected it. */
  endedBy?: string;
  /** The gate its thread asks about, while the engine waits there. */
  openGate?: string;
  /** Since when AWS says it does not know the run's deployment (it ends a minute later: `LOST_AFTER_MS`, in watch.ts). */
  unknownSince?: number;
  /** When a poll last renewed the deploy's lock. */
  lockRenewedAt?: number;
  /** Slack did not take the deploy's message when it started: each poll posts it until Slack does. */
  messagesPending?: boolean;
  /** What the message shows now (a digest), and when it was last updated. */
  shown?: string;
  shownAt?: number;
  /** The rollback alarm that ended it, or undid it during its bake, and what opsbot did about it. */
  alarm?: AlarmAction;
  /** A deploy that succeeded: until when its rollback alarms still redeploy the previous version. */
  bakeUntil?: number;
  /** How the deployment ended, for the message once the engine is no longer read. */
  final?: Pick<Deployment, 'step' | 'taskDefinition' | 'error'>;
  /** A rollback opsbot started by itself: the alarm, and the deploy it undoes. */
  readonly trigger?: { readonly alarm: string; readonly runId: string };
}

/** What opsbot did when a rollback alarm of a deploy went to ALARM. */
export interface AlarmAction {
  readonly name: string;
  readonly at: number;
  /**
   * `stopped`: opsbot stopped the deployment with rollback; `engine`: CodeDeploy or ECS was already rolling it back
   * (their own alarm configuration); `redeployed`: it had succeeded, and opsbot deployed the previous version again;
   * `failed`: it had succeeded, and opsbot could not deploy the previous version again (the thread says why).
   */
  readonly action: 'stopped' | 'engine' | 'redeployed' | 'failed';
  /** The rollback opsbot started (`redeployed`), and how it ended once it has. */
  readonly rollbackRunId?: string;
  readonly rollbackMessage?: PostedMessage;
  readonly rollbackOutcome?: RunOutcome;
}

/** Who opsbot is in its own records: the requester of the rollbacks it starts by itself. */
export const OPSBOT = 'opsbot';

export const runKey = (id: string) => `deploy:${id}`;

/** What opsbot did about an alarm of a run (written once, under the `deploy-alarm:<id>` claim). */
export const alarmKey = (id: string) => `deploy-alarm-action:${id}`;

export function newRunId(): string {
  return `r-${randomBytes(8).toString('hex')}`;
}

/** An error as the audit record and the logs name it: its code or its name, never AWS's raw message. */
export function errorNote(error: unknown): string {
  const e = error as { code?: string; message?: string; userMessage?: unknown };
  return typeof e.code === 'string' ? e.code : error instanceof Error ? error.name : 'error';
}

/** How long one poll may hold a run: longer than any poll takes (the worker's own timeout is 60 s). */
const POLL_LEASE_SECONDS = 90;

/**
 * One writer of a run at a time: the watcher's poll, an event's poll and a launch each hold a short lease on it, so
 * none saves over another's changes. Whoever finds it held leaves it to the holder (the next poll catches up).
 */
export async function withPollLease<T>(
  runId: string,
  ports: IntentPorts,
  work: () => Promise<T>,
): Promise<T | undefined> {
  const claims = new Claims(ports.store);
  const key = `deploy-poll:${runId}`;
  if (!(await claims.claim(key, POLL_LEASE_SECONDS))) return undefined;
  try {
    return await work();
  } finally {
    await claims.release(key);
  }
}

export async function loadRun(id: string, ports: Pick<IntentPorts, 'store'>): Promise<DeployRun | undefined> {
  return ports.store.get<DeployRun>(runKey(id));
}

export async function saveRun(run: DeployRun, ports: IntentPorts): Promise<void> {
  await ports.store.put(runKey(run.id), run, RUN_TTL_SECONDS, {
    collection: 'deploys',
    order: `${new Date(run.requestedAt).toISOString()}:${run.id}`,
  });
}

/** The deploys still running, for the events that may have ended one of them. */
export async function runningRuns(ports: IntentPorts): Promise<DeployRun[]> {
  return (await unfinishedRuns(ports)).filter((r) => r.state === 'running');
}

/** Deploys not yet ended (running, or waiting for approval) asked for in the last three days. */
export async function unfinishedRuns(ports: Pick<IntentPorts, 'store' | 'clock'>): Promise<DeployRun[]> {
  const since = new Date(ports.clock.now() - 3 * 24 * 60 * 60_000).toISOString();
  return (await ports.store.list<DeployRun>('deploys', { from: since })).filter((r) => r.state !== 'ended');
}

/** The runs of a service in an environment asked for in the last three days, newest first. */
export async function recentRuns(
  service: string,
  environment: string,
  ports: Pick<IntentPorts, 'store' | 'clock'>,
): Promise<DeployRun[]> {
  const since = new Date(ports.clock.now() - 3 * 24 * 60 * 60_000).toISOString();
  return (await ports.store.list<DeployRun>('deploys', { from: since }))
    .filter((r) => r.service === service && r.environment === environment)
    .sort((a, b) => b.requestedAt - a.requestedAt);
}
