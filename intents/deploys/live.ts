import { createHash, randomBytes } from 'node:crypto';
import type { AlarmState } from '../../integrations/alarms.port';
import { Claims, claimKey } from '../../integrations/claims';
import type { Deployment, DeploymentEngine, Gate } from '../../integrations/deployments.port';
import type { WatchResult } from '../../integrations/watcher.port';
import type { Actor, IntentPorts, PostedMessage, Refusal } from '../define-intent';
import { ago, plural, stepWords, trafficBar } from '../format';
import {
  type Button,
  code,
  type Line,
  link,
  mention,
  notice,
  type Reply,
  type Run,
  type StatusKind,
  status,
  strong,
} from '../reply';
import { type AlarmAlert, actedOnLine, alertKey } from './alarm-alerts';
import { alarmFacts } from './alarm-story';
import { approvalRefusal, approverRuns, changeRefusal } from './deploy.policy';
import { freezeRefusal } from './freeze';

/** How long a deploy's record is kept: its message is updated and its history read from it for a month. */
const RUN_TTL_SECONDS = 30 * 24 * 60 * 60;
/** How long an approval may be waited for. */
export const APPROVAL_WINDOW_MS = 30 * 60_000;
/** The message is updated at most this often (the end is always shown at once). */
export const UPDATE_EVERY_MS = 10_000;
/**
 * How long a deploy may hold its lock without the watcher releasing it: past this the lock expires by itself, so a
 * watcher that died never leaves a service locked for good.
 */
export const DEPLOY_TIMEOUT_MS = 2 * 60 * 60_000;
/** How often a poll renews a running deploy's lock for another `DEPLOY_TIMEOUT_MS`. */
const LOCK_RENEW_EVERY_MS = 10 * 60_000;

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
  /** Since when AWS says it does not know the run's deployment (it ends after {@link LOST_AFTER_MS}). */
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

/** The deploy lock of a service in an environment: held from Confirm until the deployment ends. */
export interface DeployLock {
  readonly holder: string;
  readonly version: string;
  readonly since: number;
  readonly runId: string;
  readonly message?: PostedMessage;
}

export const runKey = (id: string) => `deploy:${id}`;
/** What opsbot did about an alarm of a run (written once, under the `deploy-alarm:<id>` claim). */
const alarmKey = (id: string) => `deploy-alarm-action:${id}`;
export const lockKey = (service: string, environment: string) => `lock:${service}:${environment}`;

function newRunId(): string {
  return `r-${randomBytes(8).toString('hex')}`;
}

/** A link to a posted message (Slack redirects it to the workspace). */
export function messageLink(message: PostedMessage, label: string): Run {
  return link(`https://slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`, label);
}

/** "09:02 UTC". */
export function clockTime(at: number): string {
  return `${new Date(at).toISOString().slice(11, 16)} UTC`;
}

/** "4 min", "1 h 5 min", "40 s". */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

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

/**
 * Starts a confirmed deploy (or a rollback by deploying the earlier version): takes the lock, writes the audit
 * record, and either waits for a second person's approval or starts the deployment and its live message.
 */
export async function startRun(
  request: {
    readonly kind: DeployRun['kind'];
    readonly service: string;
    readonly environment: string;
    readonly version: string;
    /** The digest the Confirm card showed for the version (`pinnedDigest` of its slots). */
    readonly digest?: string;
    readonly override?: string;
  },
  actor: Actor,
  ports: IntentPorts,
): Promise<Reply> {
  return (await beginRun(request, actor, ports)).reply;
}

/** `startRun`, with the run when one began; a rollback opsbot starts on an alarm needs no approval. */
async function beginRun(
  request: {
    readonly kind: DeployRun['kind'];
    readonly service: string;
    readonly environment: string;
    readonly version: string;
    readonly digest?: string;
    readonly override?: string;
    readonly trigger?: DeployRun['trigger'];
  },
  actor: Actor,
  ports: IntentPorts,
): Promise<{ reply: Reply; run?: DeployRun }> {
  const { service, environment, version } = request;
  const current = await ports.deployments.current(service, environment);
  if (current.version === version) {
    return {
      reply: notice('none', [
        strong(service),
        ' already runs ',
        code(version),
        ' in ',
        strong(environment),
        '; nothing was deployed.',
      ]),
    };
  }
  const approval = request.trigger === undefined && ports.rules.environment(environment)?.approval === true;
  const now = ports.clock.now();
  const id = newRunId();
  const lock: DeployLock = { holder: actor.userId, version, since: now, runId: id };
  const lockSeconds = Math.ceil((DEPLOY_TIMEOUT_MS + (approval ? APPROVAL_WINDOW_MS : 0)) / 1000);
  if (!(await ports.store.putIfAbsent(lockKey(service, environment), lock, lockSeconds))) {
    // Someone confirmed a deploy of it between this card and this click.
    const refused = await lockRefusal(service, environment, ports);
    await ports.audit.record({
      action: request.kind === 'rollback' ? 'Rollback' : 'Deploy',
      outcome: 'refused',
      reason: 'locked',
      actor,
      target: { service, environment, version },
    });
    return { reply: refused?.reply ?? notice('refused', 'Another deploy of it just started; nothing was started.') };
  }
  const auditId = await ports.audit.record({
    action: request.kind === 'rollback' ? 'Rollback' : 'Deploy',
    outcome: approval ? 'awaiting-approval' : 'started',
    actor,
    target: {
      service,
      environment,
      version,
      previousVersion: current.version,
      ...(request.digest !== undefined && { digest: request.digest }),
    },
    ...(request.override !== undefined && { note: `freeze override: ${request.override}` }),
  });
  const run: DeployRun = {
    id,
    kind: request.kind,
    service,
    environment,
    version,
    ...(request.digest !== undefined && { digest: request.digest }),
    previousVersion: current.version,
    ...(digestOf(current.image) !== undefined && { previousDigest: digestOf(current.image) }),
    requestedBy: actor.userId,
    requestedAt: now,
    actor,
    auditId,
    ...(request.override !== undefined && { override: request.override }),
    ...(request.trigger !== undefined && { trigger: request.trigger }),
    state: approval ? 'awaiting-approval' : 'running',
    messages: [],
  };
  try {
    if (approval) {
      run.messages = await postMessages(run, approvalCard(run, ports), ports);
      await saveRun(run, ports);
      await holdLockWithMessage(run, ports);
      // Watched from now: an approval nobody gives in time ends the request by itself.
      await ports.watcher.watch(run.id);
      return {
        run,
        reply: inChannel(
          notice('waiting', [
            'Confirmed: ',
            ...describeRun(run),
            ' now waits for a second person to approve it',
            ...(run.messages[0] !== undefined ? [' — ', messageLink(run.messages[0], 'the request')] : []),
            '.',
          ]),
        ),
      };
    }
    await launch(run, ports);
    return {
      run,
      reply: inChannel(
        notice('running', [
          'Confirmed: ',
          ...describeRun(run),
          ' has started',
          ...(run.messages[0] !== undefined ? [' — ', messageLink(run.messages[0], 'follow it here')] : []),
          ...(run.messagesPending === true
            ? ['; Slack did not take its message yet, which will follow in the channel']
            : []),
          '.',
        ]),
      ),
    };
  } catch (error) {
    // Nothing started: the lock and the request go. A deployment that started is watched to its end instead.
    if (run.deploymentId === undefined) {
      await ports.store.delete(lockKey(service, environment));
      await ports.audit.update(auditId, { outcome: 'failed', note: errorNote(error), endedAt: ports.clock.now() });
    }
    throw error;
  }
}

/** The answer to Confirm replaces the confirmation card, which the channel saw. */
function inChannel(reply: Reply): Reply {
  return { ...reply, visibility: 'channel' };
}

/** "deploy of web v1.8.2 to prod", "rollback of web to v1.7.0 in prod". */
function describeRun(run: Pick<DeployRun, 'kind' | 'service' | 'environment' | 'version'>): Run[] {
  return run.kind === 'rollback'
    ? ['the rollback of ', strong(run.service), ' in ', strong(run.environment), ' to ', code(run.version)]
    : ['the deploy of ', strong(run.service), ' ', code(run.version), ' to ', strong(run.environment)];
}

function errorNote(error: unknown): string {
  const e = error as { code?: string; message?: string; userMessage?: unknown };
  return typeof e.code === 'string' ? e.code : error instanceof Error ? error.name : 'error';
}

/** Starts the deployment itself, posts (or turns the approval card into) its live message, and starts watching it. */
async function launch(run: DeployRun, ports: IntentPorts): Promise<void> {
  const d = await ports.deployments.start({
    service: run.service,
    environment: run.environment,
    version: run.version,
    ...(run.digest !== undefined && { digest: run.digest }),
    requestedBy: run.requestedBy,
    ...(run.kind === 'rollback' && { rollback: true }),
  });
  run.state = 'running';
  run.deploymentId = d.id;
  run.engine = d.engine;
  run.startedAt = d.startedAt;
  // The deployment runs from here: whatever fails next, it is watched to its end (which releases the lock), and
  // no poll writes the run while its message is being posted.
  await withPollLease(run.id, ports, async () => {
    try {
      await saveRun(run, ports);
      await ports.audit.update(run.auditId, {
        outcome: 'started',
        deploymentId: d.id,
        ...(run.approvedBy !== undefined && { approvedBy: run.approvedBy }),
      });
      const reply = liveReply(run, d, ports.clock.now());
      try {
        if (run.messages.length === 0) {
          run.messages = await postMessages(run, reply, ports);
        } else {
          for (const message of run.messages) await ports.announcer.update(message, reply);
        }
        run.shown = digest(reply);
        run.shownAt = ports.clock.now();
      } catch (error) {
        // Slack is down: the deployment runs and is watched all the same; its message follows once Slack answers.
        ports.log.warn('deploy.message_pending', { runId: run.id, error: (error as Error).name });
        run.messagesPending = true;
      }
      await saveRun(run, ports);
      await holdLockWithMessage(run, ports);
      if (run.messagesPending !== true) await tellStart(run, d, ports);
      if (run.kind === 'rollback' && run.trigger === undefined) await answerAlarmAlerts(run, ports);
    } finally {
      await ports.watcher.watch(run.id);
    }
  });
}

/**
 * A person's rollback answers the alarm alerts of its service in its environment: each loses its Roll back now button
 * and says who is rolling back to what, linking the rollback's message (its recovery to OK is still told there).
 */
async function answerAlarmAlerts(run: DeployRun, ports: IntentPorts): Promise<void> {
  const [message] = run.messages;
  for (const place of ports.rules.rollbackAlarms(run.service, run.environment).alarms) {
    const key = alertKey(run.service, run.environment, place.name);
    const alert = await ports.store.get<AlarmAlert>(key);
    if (alert?.message === undefined || alert.actedOn !== undefined) continue;
    const acted: AlarmAlert = { ...alert, actedOn: { by: run.requestedBy, version: run.version } };
    await ports.store.put(key, acted, 7 * 24 * 60 * 60);
    const line = actedOnLine(acted, message !== undefined ? [' — ', messageLink(message, 'follow it here')] : []);
    await ports.announcer
      .update(alert.message, {
        title: `Alarm ${place.name}: ${run.service} in ${run.environment}`,
        summary: line,
        sections: [[['Alarm ', code(place.name), ' is in ALARM.'], line]],
        visibility: 'channel',
      })
      .catch((error: unknown) => ports.log.warn('alarm.alert_update_failed', { error: String(error) }));
  }
}

/** The thread's first lines: who started it, the deployment, and where it is. */
async function tellStart(run: DeployRun, d: Deployment, ports: IntentPorts): Promise<void> {
  await tellStory(run, `start`, ['Started by ', ...requester(run), ' · deployment ', code(d.id)], ports);
  await tellStory(run, `step:${d.step}`, stepStory(d), ports);
}

/** How long one poll may hold a run: longer than any poll takes (the worker's own timeout is 60 s). */
const POLL_LEASE_SECONDS = 90;

/**
 * One writer of a run at a time: the watcher's poll, an event's poll and a launch each hold a short lease on it, so
 * none saves over another's changes. Whoever finds it held leaves it to the holder (the next poll catches up).
 */
async function withPollLease<T>(runId: string, ports: IntentPorts, work: () => Promise<T>): Promise<T | undefined> {
  const claims = new Claims(ports.store);
  const key = `deploy-poll:${runId}`;
  if (!(await claims.claim(key, POLL_LEASE_SECONDS))) return undefined;
  try {
    return await work();
  } finally {
    await claims.release(key);
  }
}

/** The message goes to the channel it was asked from, and to the deploys channel when that is another. */
async function postMessages(run: DeployRun, reply: Reply, ports: IntentPorts): Promise<PostedMessage[]> {
  const channels = [run.actor.channelId, ports.announcer.channels.deploys].filter(
    (c, i, all): c is string => c !== undefined && c !== '' && all.indexOf(c) === i,
  );
  const posted: PostedMessage[] = [];
  for (const channel of channels) {
    const message = await ports.announcer.post({ channelId: channel }, reply, { key: `deploy:${run.id}:${channel}` });
    if (message !== undefined) posted.push(message);
  }
  return posted;
}

/** The lock names the deploy's message, so a second request can link to it. */
async function holdLockWithMessage(run: DeployRun, ports: IntentPorts): Promise<void> {
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

async function releaseLock(run: DeployRun, ports: IntentPorts): Promise<void> {
  const key = lockKey(run.service, run.environment);
  const lock = await ports.store.get<DeployLock>(key);
  if (lock?.runId === run.id) await ports.store.delete(key);
}

export async function loadRun(id: string, ports: Pick<IntentPorts, 'store'>): Promise<DeployRun | undefined> {
  return ports.store.get<DeployRun>(runKey(id));
}

async function saveRun(run: DeployRun, ports: IntentPorts): Promise<void> {
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

/**
 * One poll of a watched deploy (the watcher's poll step): reads the deployment, tells each new phase in the thread,
 * updates the message when what it shows changed (at most every 10 s), and at the end shows how it ended, writes the
 * outcome to the audit record and releases the lock — once, however many polls and events arrive. A poll after the
 * end changes nothing.
 */
export async function pollRun(id: string, ports: IntentPorts): Promise<WatchResult> {
  const result = await withPollLease(id, ports, async (): Promise<WatchResult> => {
    const run = await loadRun(id, ports);
    if (run === undefined) return { done: true };
    if (run.state === 'ended') return bake(run, ports);
    if (run.state === 'awaiting-approval') {
      if (ports.clock.now() - run.requestedAt <= APPROVAL_WINDOW_MS) return { done: false };
      await expire(run, ports);
      return { done: true };
    }
    let d: Deployment;
    try {
      d = await ports.deployments.get(run.service, run.environment, run.deploymentId as string);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'UNKNOWN_DEPLOYMENT') throw error;
      return lost(run, ports);
    }
    if (run.unknownSince !== undefined) delete run.unknownSince;
    if (run.messagesPending === true) {
      // The message Slack did not take when the deploy started (posts are keyed: never twice).
      const posted = await postMessages(run, liveReply(run, d, ports.clock.now()), ports).catch(() => undefined);
      if (posted !== undefined) {
        run.messages = posted;
        delete run.messagesPending;
        await saveRun(run, ports);
        await holdLockWithMessage(run, ports);
        await tellStart(run, d, ports);
      }
    }
    if (d.id !== run.deploymentId) {
      // The engine listed the deployment it had not yet when it started (ECS may take a while): its own id from here.
      run.deploymentId = d.id;
      await saveRun(run, ports);
      await ports.audit.update(run.auditId, { deploymentId: d.id });
    }
    // A step that ends the deployment is told by the end line ("Succeeded in 14 min"), not twice.
    if (d.status === 'InProgress') await tellStory(run, `step:${d.step}`, stepStory(d), ports);
    if (run.openGate !== undefined && d.gate?.id !== run.openGate) {
      // The engine moved on (a timeout, a rollback, an answer from elsewhere): the question keeps no live buttons.
      await closeGateAsk(run.id, run.openGate, [status('none'), ' No longer waiting here.'], ports);
      delete run.openGate;
    }
    if (d.gate !== undefined) {
      await askAtGate(run, d, d.gate, ports);
      run.openGate = d.gate.id;
    }
    // The safety net under the alarm events: a rollback alarm that went to ALARM since the deploy started.
    if (run.kind === 'deploy' && d.status === 'InProgress' && d.step !== 'RollingBack') {
      const fired = await firedAlarm(run, ports);
      if (fired !== undefined && (await stopOnAlarm(run, fired, ports, d)) !== 'none') {
        d = await ports.deployments.get(run.service, run.environment, run.deploymentId as string);
        await tellStory(run, `step:${d.step}`, stepStory(d), ports);
      }
    }
    run.alarm ??= await ports.store.get<AlarmAction>(alarmKey(run.id));
    if (d.status !== 'InProgress') {
      await end(run, d, ports);
      return { done: run.bakeUntil === undefined };
    }
    await show(run, d, ports, false);
    if (ports.clock.now() - (run.lockRenewedAt ?? run.requestedAt) >= LOCK_RENEW_EVERY_MS) {
      await holdLockWithMessage(run, ports);
      run.lockRenewedAt = ports.clock.now();
    }
    await saveRun(run, ports);
    return { done: false };
  });
  // Another poll holds the run: it is not done as far as this one knows.
  return result ?? { done: false };
}

/** How long AWS must deny knowing a run's deployment before opsbot ends the run (a moment's inconsistency is not it). */
export const LOST_AFTER_MS = 60_000;

/**
 * A run whose deployment AWS no longer knows (deleted with its service or account, or a sandbox that was reset): once
 * AWS has said so for a minute, the run ends as failed with a line in its thread that says why, the audit record says
 * so and the lock is released — rather than polled until the deploy timeout, holding the service.
 */
async function lost(run: DeployRun, ports: IntentPorts): Promise<WatchResult> {
  const now = ports.clock.now();
  run.unknownSince ??= now;
  if (now - run.unknownSince < LOST_AFTER_MS) {
    await saveRun(run, ports);
    return { done: false };
  }
  ports.log.warn('deploy.deployment_unknown', { runId: run.id, deploymentId: run.deploymentId });
  const d: Deployment = {
    id: run.deploymentId as string,
    service: run.service,
    environment: run.environment,
    version: run.version,
    previousVersion: run.previousVersion,
    status: 'Failed',
    step: 'Failed',
    trafficOnGreen: 0,
    startedAt: run.startedAt ?? run.requestedAt,
    endedAt: now,
    requestedBy: run.requestedBy,
    engine: run.engine ?? 'codedeploy',
    error: {
      code: 'UNKNOWN_DEPLOYMENT',
      message: `AWS no longer knows deployment ${run.deploymentId}, so opsbot stopped watching it and released the lock. Check what runs with \`/deploy status ${run.service} ${run.environment}\`.`,
    },
  };
  await end(run, d, ports);
  return { done: true };
}

/** The end, once: the audit outcome, the lock released, the final message and the story's last line. */
async function end(run: DeployRun, d: Deployment, ports: IntentPorts): Promise<void> {
  const claims = new Claims(ports.store);
  if (!(await claims.claim(`deploy-end:${run.id}`, RUN_TTL_SECONDS))) return;
  try {
    // Stopped by a person (Cancel, Roll back at a gate) reads the same on both engines, whatever each reports.
    const stoppedBy = await ports.store.get<string>(`deploy-stopped-by:${run.id}`);
    run.outcome =
      stoppedBy !== undefined || run.alarm?.action === 'stopped'
        ? 'stopped'
        : d.status === 'Succeeded'
          ? 'succeeded'
          : d.status === 'Failed'
            ? 'failed'
            : 'stopped';
    run.endedAt = d.endedAt ?? ports.clock.now();
    run.final = {
      step: d.step,
      ...(d.taskDefinition !== undefined && { taskDefinition: d.taskDefinition }),
      ...(d.error !== undefined && { error: d.error }),
    };
    const by = stoppedBy ?? d.stoppedBy;
    if (by !== undefined) run.endedBy = by;
    // A deploy that succeeded is watched a while longer: its rollback alarms may still undo it.
    const { alarms, bakeMinutes } = ports.rules.rollbackAlarms(run.service, run.environment);
    if (run.outcome === 'succeeded' && run.kind === 'deploy' && alarms.length > 0 && bakeMinutes > 0) {
      run.bakeUntil = run.endedAt + bakeMinutes * 60_000;
    }
    // What must happen even if Slack is down comes first: the record, then the lock.
    await ports.audit.update(run.auditId, {
      outcome: run.outcome,
      endedAt: run.endedAt,
      ...(run.endedBy !== undefined && { endedBy: run.endedBy }),
      ...((d.error !== undefined || run.alarm !== undefined) && {
        note: [
          ...(run.alarm !== undefined ? [`alarm ${run.alarm.name}`] : []),
          ...(d.error !== undefined ? [`${d.error.code}: ${d.error.message}`] : []),
        ]
          .join(' · ')
          .slice(0, 500),
      }),
    });
    await releaseLock(run, ports);
    run.state = 'ended';
    await show(run, d, ports, true);
    await tellStory(run, 'end', endStory(run, d), ports);
    await saveRun(run, ports);
    if (run.trigger !== undefined) await tellUndone(run, d, ports);
    await tellAlerts(run, d, ports);
  } catch (error) {
    // Not saved as ended: the next poll ends it again (each step above is safe to repeat).
    await claims.release(`deploy-end:${run.id}`);
    throw error;
  }
}

/**
 * What the alerts channel hears of a run's end (once, keyed): a deploy that failed, one an alarm stopped or rolled
 * back, and every rollback (opsbot's on an alarm, or a person's) — with a link to the deploy's message and thread.
 * A deploy that succeeded, or was cancelled by a person, is the deploys channel's news, not an alert.
 */
async function tellAlerts(run: DeployRun, d: Deployment, ports: IntentPorts): Promise<void> {
  const alarmed = run.alarm !== undefined && run.alarm.action !== 'redeployed';
  const worth = run.outcome === 'failed' || alarmed || run.kind === 'rollback';
  if (!worth || run.outcome === 'expired' || run.outcome === 'rejected') return;
  const [message] = run.messages;
  const kind: StatusKind =
    run.outcome === 'failed' ? 'failed' : run.kind === 'rollback' || alarmed ? 'rolledBack' : 'stopped';
  const line: Run[] = [
    status(kind),
    ' ',
    strong(endedTitle(run)),
    ...(d.error !== undefined && run.outcome === 'failed' ? [': ', code(d.error.code)] : []),
    ...(run.trigger !== undefined ? [' · on alarm ', code(run.trigger.alarm)] : []),
    ...(message !== undefined ? [' · ', messageLink(message, 'the deploy and its thread')] : []),
  ];
  await ports.announcer
    .post(
      { channel: 'alerts' },
      { summary: [endedTitle(run)], sections: [[line]], visibility: 'channel' },
      {
        key: `deploy-alert:${run.id}`,
      },
    )
    .catch((error: unknown) => ports.log.warn('deploy.alert_failed', { runId: run.id, error: String(error) }));
}

/** Updates the message when what it shows changed: at most every 10 s, unless forced (the end). */
async function show(run: DeployRun, d: Deployment | undefined, ports: IntentPorts, force: boolean): Promise<void> {
  const now = ports.clock.now();
  const reply = run.state === 'awaiting-approval' ? approvalCard(run, ports) : liveReply(run, d, now);
  const shown = digest(reply);
  if (shown === run.shown) return;
  if (!force && run.shownAt !== undefined && now - run.shownAt < UPDATE_EVERY_MS) return;
  const messages: PostedMessage[] = [];
  for (const message of run.messages) {
    try {
      await ports.announcer.update(message, reply);
      messages.push(message);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'MESSAGE_GONE') throw error;
      // Someone deleted the deploy's message: it is posted again in its channel (the deploy, its alarms and its lock go
      // on either way); one that cannot be posted again is dropped.
      ports.log.warn('deploy.message_gone', { runId: run.id, channel: message.channel });
      // Keyed, so a post whose answer Slack lost is not made twice at the next poll.
      const again = await ports.announcer
        .post({ channelId: message.channel }, reply, { key: `deploy:${run.id}:${message.channel}:after:${message.ts}` })
        .catch(() => undefined);
      if (again !== undefined) messages.push(again);
    }
  }
  run.messages = messages;
  run.shown = shown;
  run.shownAt = now;
}

function digest(reply: Reply): string {
  return createHash('sha256').update(JSON.stringify(reply)).digest('base64url');
}

/** A line in the message's thread, once per key (a phase, the end), with its time. */
async function tellStory(
  run: DeployRun,
  key: string,
  line: Line,
  ports: IntentPorts,
  more: readonly Line[] = [],
): Promise<void> {
  if (run.messages.length === 0) return;
  const claims = new Claims(ports.store);
  if (!(await claims.claim(`deploy-story:${run.id}:${key}`, RUN_TTL_SECONDS))) return;
  const runs = Array.isArray(line) ? line : [line];
  const reply: Reply = {
    summary: [`${clockTime(ports.clock.now())} · `, ...runs],
    sections: [[[`${clockTime(ports.clock.now())} · `, ...runs], ...more]],
    visibility: 'channel',
  };
  try {
    for (const message of run.messages) {
      await ports.announcer.post({ thread: message }, reply, {
        key: `deploy-story:${run.id}:${key}:${message.channel}`,
      });
    }
  } catch (error) {
    await claims.release(`deploy-story:${run.id}:${key}`);
    throw error;
  }
}

function stepStory(d: Deployment): Line {
  if (d.step === 'RollingBack')
    return [status('rolledBack'), ' Rolling back', ...(d.error ? [': ', code(d.error.code)] : [])];
  return [stepWords(d.step)];
}

function endStory(run: DeployRun, d: Deployment): Line {
  const took = duration((run.endedAt ?? 0) - (run.startedAt ?? run.requestedAt));
  if (run.alarm !== undefined && run.outcome !== 'succeeded') {
    return d.step === 'RolledBack'
      ? [
          status('rolledBack'),
          ' Rolled back after alarm ',
          code(run.alarm.name),
          ` in ${took}; the previous version `,
          code(run.previousVersion),
          ' is serving.',
        ]
      : rollbackUnfinished(run, d);
  }
  switch (run.outcome) {
    case 'succeeded':
      return [
        status('ok'),
        ` Succeeded in ${took}`,
        ...(d.taskDefinition !== undefined ? [' · task definition ', code(d.taskDefinition)] : []),
      ];
    case 'failed':
      return [
        status('failed'),
        ' Failed',
        ...(d.error !== undefined ? [': ', code(d.error.code), ` ${d.error.message}`] : []),
        d.step === 'RolledBack' ? ' · AWS rolled it back; the previous version is serving.' : '',
      ];
    default:
      return [
        status('stopped'),
        ' Stopped',
        ...(run.endedBy !== undefined ? [' by ', mention(run.endedBy)] : []),
        d.step === 'RolledBack' ? ' · rolled back; the previous version is serving.' : '.',
      ];
  }
}

const OUTCOME_STATUS: Record<RunOutcome, StatusKind> = {
  succeeded: 'ok',
  failed: 'failed',
  stopped: 'stopped',
  rejected: 'refused',
  expired: 'none',
};

/** Who asked for a run: a person, or opsbot on an alarm. */
function requester(run: DeployRun): Run[] {
  return run.trigger !== undefined ? ['opsbot, on alarm ', code(run.trigger.alarm)] : [mention(run.requestedBy)];
}

/** Who asked, who approved, and when: the line every state of the message ends with. */
function people(run: DeployRun): Run[] {
  return [
    'Asked by ',
    ...requester(run),
    ...(run.approvedBy !== undefined ? [' · approved by ', mention(run.approvedBy)] : []),
    ...(run.override !== undefined ? [' · freeze overridden: ', run.override] : []),
  ];
}

function title(run: DeployRun): string {
  return run.kind === 'rollback'
    ? `Rolling ${run.service} in ${run.environment} back to ${run.version}`
    : `Deploying ${run.service} ${run.version} to ${run.environment}`;
}

/** The header of a run that ended: how it ended, never "Deploying …" above a deploy that is over. */
function endedTitle(run: DeployRun): string {
  const what =
    run.kind === 'rollback'
      ? `rollback of ${run.service} in ${run.environment} to ${run.version}`
      : `deploy of ${run.service} ${run.version} to ${run.environment}`;
  const alarm = run.alarm;
  if (alarm !== undefined && run.kind === 'deploy') {
    const undone =
      (alarm.action === 'redeployed' && alarm.rollbackOutcome === 'succeeded') ||
      ((alarm.action === 'stopped' || alarm.action === 'engine') && run.final?.step === 'RolledBack');
    return undone
      ? `Rolled back: ${run.service} ${run.version} in ${run.environment} (alarm ${alarm.name})`
      : `Alarm ${alarm.name} on the ${what}`;
  }
  switch (run.outcome) {
    case 'succeeded':
      return run.kind === 'rollback'
        ? `Rolled ${run.service} in ${run.environment} back to ${run.version}`
        : `Deployed ${run.service} ${run.version} to ${run.environment}`;
    case 'failed':
      return `The ${what} failed`;
    case 'stopped':
      return `The ${what} was stopped`;
    case 'rejected':
      return `The ${what} was rejected`;
    default:
      return `The ${what} expired before it was approved`;
  }
}

/** "web `v1.6.0` → `v1.8.2` in prod". */
function changeOf(run: DeployRun): Run[] {
  return [
    strong(run.service),
    ' ',
    code(run.previousVersion),
    ' → ',
    code(run.version),
    ' in ',
    strong(run.environment),
  ];
}

/** The deploy's one message: its step, traffic on green, tasks, elapsed time, who asked and approved, and buttons. */
export function liveReply(run: DeployRun, deployment: Deployment | undefined, now: number): Reply {
  let d = deployment;
  const started = run.startedAt ?? run.requestedAt;
  const change = changeOf(run);
  if (run.state === 'ended' && run.outcome !== undefined) {
    const ended = run.endedAt ?? now;
    d ??= run.final as Deployment | undefined;
    const alarm = run.alarm;
    const outcome: Line =
      alarm !== undefined
        ? alarmOutcome(run, alarm, d)
        : run.outcome === 'succeeded'
          ? [
              `Succeeded in ${duration(ended - started)}`,
              ...(d?.taskDefinition ? [' · task definition ', code(d.taskDefinition)] : []),
            ]
          : run.outcome === 'failed'
            ? [
                'Failed',
                ...(d?.error !== undefined ? [': ', code(d.error.code), ` ${d.error.message}`] : []),
                d?.step === 'RolledBack' ? ' · AWS rolled it back' : '',
              ]
            : run.outcome === 'stopped'
              ? [
                  'Stopped',
                  ...(run.endedBy !== undefined ? [' by ', mention(run.endedBy)] : []),
                  d?.step === 'RolledBack' ? ' · rolled back' : '',
                ]
              : run.outcome === 'rejected'
                ? ['Rejected', ...(run.endedBy !== undefined ? [' by ', mention(run.endedBy)] : [])]
                : ['Approval expired: nothing was deployed'];
    const watching: Line[] =
      run.bakeUntil === undefined || alarm !== undefined
        ? []
        : run.bakeUntil > now
          ? [[`Watching its rollback alarms until ${clockTime(run.bakeUntil)}`]]
          : [[`No rollback alarm in the ${duration(run.bakeUntil - ended)} after`]];
    const buttons: Button[] =
      run.outcome === 'succeeded' && alarm === undefined
        ? [
            {
              label: 'Roll back',
              style: 'danger',
              payload: {
                kind: 'request',
                intent: 'Rollback',
                slots: { service: run.service, environment: run.environment, version: run.previousVersion },
              },
            },
          ]
        : [];
    return {
      title: endedTitle(run),
      summary: [...change, ': ', ...(Array.isArray(outcome) ? outcome : [outcome])],
      sections: [
        [
          [
            status(
              alarm === undefined
                ? OUTCOME_STATUS[run.outcome]
                : alarm.action === 'failed' || alarm.rollbackOutcome === 'failed'
                  ? 'failed'
                  : 'rolledBack',
            ),
            ' ',
            ...change,
          ],
          outcome,
          ...(run.alarm?.rollbackMessage !== undefined
            ? [
                [
                  messageLink(run.alarm.rollbackMessage, 'The rollback'),
                  ' deploys ',
                  code(run.previousVersion),
                  ' again',
                ],
              ]
            : []),
          ...watching,
          people(run),
        ],
      ],
      ...(buttons.length > 0 && { buttons }),
      context: [
        [
          ...(run.deploymentId !== undefined ? ['Deployment ', code(run.deploymentId), ' · '] : []),
          `ended ${clockTime(ended)}`,
        ],
      ],
      visibility: 'channel',
    };
  }
  const step: Line =
    d === undefined
      ? ['Starting']
      : d.gate !== undefined
        ? [
            status('waiting'),
            ' Green is up on the test listener, waiting for someone to shift production traffic (in the thread)',
            ...gateTimeout(d.gate),
          ]
        : d.step === 'ShiftingTraffic' || d.step === 'Baking' || d.step === 'TestTraffic'
          ? [`${stepWords(d.step)} · `, trafficBar(d.trafficOnGreen)]
          : [stepWords(d.step), ...(d.error !== undefined ? [': ', code(d.error.code)] : [])];
  const tasks: Line | undefined =
    d?.tasks !== undefined
      ? [
          `Tasks: ${d.tasks.running}/${d.tasks.desired} running`,
          ...(d.tasks.pending > 0 ? [` · ${plural(d.tasks.pending, 'pending task')}`] : []),
        ]
      : undefined;
  return {
    title: title(run),
    summary: [...change, ': ', ...(Array.isArray(step) ? step : [step])],
    sections: [
      [
        [status(d?.step === 'RollingBack' ? 'rolledBack' : 'running'), ' ', ...change],
        step,
        ...(tasks !== undefined ? [tasks] : []),
        [
          ...people(run),
          // Whole minutes, so the message changes once a minute; under one, said as such rather than "0 s".
          ` · started ${clockTime(started)}, running ${now - started < 60_000 ? 'under a minute' : duration(Math.floor((now - started) / 60_000) * 60_000)}`,
        ],
      ],
    ],
    ...(d?.step !== 'RollingBack' && {
      buttons: [{ label: 'Cancel', style: 'danger', payload: { kind: 'deploy-cancel', runId: run.id } }],
    }),
    ...((run.deploymentId !== undefined || d?.step !== 'RollingBack') && {
      context: [
        [
          ...(run.deploymentId !== undefined ? ['Deployment ', code(run.deploymentId)] : []),
          // Said only beside the button it explains.
          ...(d?.step !== 'RollingBack'
            ? [...(run.deploymentId !== undefined ? [' · '] : []), 'Cancel stops it and rolls back']
            : []),
        ],
      ],
    }),
    visibility: 'channel',
  };
}

/** The card a second person approves: who asked, what, until when, and Approve / Reject. */
export function approvalCard(run: DeployRun, ports: Pick<IntentPorts, 'rules'>): Reply {
  const who = approverRuns(ports.rules.environment(run.environment)?.approvers);
  const change = changeOf(run);
  return {
    title: `Approval needed: ${title(run)}`,
    // The notification names the approvers, so Slack tells them.
    summary: [...change, ': waiting for approval', ...(who !== undefined ? [' by ', ...who] : [])],
    sections: [
      [
        [status('waiting'), ' ', ...change],
        [
          'Asked by ',
          mention(run.requestedBy),
          '. ',
          ...(who !== undefined
            ? ['Needs one of ', ...who, ' to approve (not the person who asked).']
            : ['Anyone who may deploy there, other than the person who asked, can approve it.']),
        ],
        ...(run.override !== undefined ? [['Freeze overridden: ', run.override]] : []),
      ],
    ],
    buttons: [
      { label: 'Approve', style: 'primary', payload: { kind: 'approve', runId: run.id } },
      { label: 'Reject', style: 'danger', payload: { kind: 'reject', runId: run.id } },
    ],
    context: [[`Asked ${clockTime(run.requestedAt)}; expires ${clockTime(run.requestedAt + APPROVAL_WINDOW_MS)}`]],
    visibility: 'channel',
  };
}

/** An approval nobody gave in time: the lock is released, the card says so. Decided once with Approve and Reject. */
async function expire(run: DeployRun, ports: IntentPorts): Promise<void> {
  const claims = new Claims(ports.store);
  if (!(await claims.claim(`approval:${run.id}`, RUN_TTL_SECONDS, 'expired'))) return;
  try {
    run.state = 'ended';
    run.outcome = 'expired';
    run.endedAt = run.requestedAt + APPROVAL_WINDOW_MS;
    await ports.audit.update(run.auditId, { outcome: 'expired', endedAt: run.endedAt });
    await releaseLock(run, ports);
    await show(run, undefined, ports, true);
    await saveRun(run, ports);
  } catch (error) {
    await claims.release(`approval:${run.id}`);
    throw error;
  }
}

/** What a stale click is told: how the deploy stands now. */
function alreadyDecided(run: DeployRun): Reply {
  const state: Run[] =
    run.outcome === 'rejected'
      ? ['was rejected', ...(run.endedBy !== undefined ? [' by ', mention(run.endedBy)] : [])]
      : run.outcome === 'expired'
        ? ['expired before anyone approved it']
        : run.approvedBy !== undefined
          ? ['was already approved by ', mention(run.approvedBy)]
          : run.state === 'ended'
            ? ['has already ended']
            : ['is already running'];
  return notice('none', ['This request for ', ...describeRun(run), ' ', ...state, '; nothing more was done.']);
}

/**
 * Approve or Reject pressed: only while the request waits and has not expired; approval by a second, different
 * person among the environment's approvers. Approving starts the deployment; rejecting ends the request. The answer
 * for the clicker alone, or nothing when the card itself shows what happened.
 */
export async function decideApproval(
  runId: string,
  approve: boolean,
  actor: Actor,
  ports: IntentPorts,
): Promise<Reply | undefined> {
  const run = await loadRun(runId, ports);
  if (run === undefined) return notice('none', 'I no longer know that request; nothing was done.');
  const target = { service: run.service, environment: run.environment, version: run.version };
  const action = approve ? 'Approve' : 'Reject';
  if (run.state !== 'awaiting-approval') return alreadyDecided(run);
  if (ports.clock.now() - run.requestedAt > APPROVAL_WINDOW_MS) {
    await expire(run, ports);
    await ports.audit.record({ action, outcome: 'refused', reason: 'expired', actor, target });
    return notice(
      'none',
      ['This request expired; nothing was deployed.'],
      ['Ask again: ', code(`/deploy ${run.service} ${run.environment} ${run.version}`), '.'],
    );
  }
  // The person who asked may withdraw their request; anyone else must be an approver.
  const withdrawing = !approve && actor.userId === run.requestedBy;
  const refused = withdrawing ? undefined : await approvalRefusal(run.environment, run.requestedBy, actor, ports);
  if (refused !== undefined) {
    await ports.audit.record({ action, outcome: 'refused', reason: refused.reason, actor, target });
    return refused.reply;
  }
  if (approve) {
    // A freeze that began while the request waited holds it back too (the requester's override, if any, counts).
    const frozen = await freezeRefusal(
      { ...target, ...(run.override !== undefined && { override: run.override }) },
      run.actor,
      ports,
    );
    if (frozen !== undefined) {
      await ports.audit.record({ action, outcome: 'refused', reason: 'frozen', actor, target });
      return frozen.reply;
    }
  }
  const claims = new Claims(ports.store);
  if (!(await claims.claim(`approval:${run.id}`, RUN_TTL_SECONDS, actor.userId))) {
    return alreadyDecided((await loadRun(runId, ports)) ?? run);
  }
  await ports.audit.record({ action, outcome: 'done', actor, target });
  if (approve) {
    run.approvedBy = actor.userId;
    try {
      await launch(run, ports);
    } catch (error) {
      // Nothing started: the request ends here. A deployment that started is watched to its end instead.
      if (run.deploymentId === undefined) {
        run.state = 'ended';
        run.outcome = 'failed';
        run.endedAt = ports.clock.now();
        await ports.audit.update(run.auditId, { outcome: 'failed', approvedBy: actor.userId, note: errorNote(error) });
        await releaseLock(run, ports);
        await saveRun(run, ports);
      }
      throw error;
    }
    return undefined;
  }
  run.state = 'ended';
  run.outcome = 'rejected';
  run.endedBy = actor.userId;
  run.endedAt = ports.clock.now();
  await show(run, undefined, ports, true);
  await saveRun(run, ports);
  await ports.audit.update(run.auditId, { outcome: 'rejected', endedBy: actor.userId, endedAt: run.endedAt });
  await releaseLock(run, ports);
  return undefined;
}

/**
 * Cancel pressed on a running deploy: by someone who may change that environment, it is stopped with rollback and
 * the message shows it at once. The answer for the clicker alone, or nothing.
 */
export async function cancelRun(runId: string, actor: Actor, ports: IntentPorts): Promise<Reply | undefined> {
  const run = await loadRun(runId, ports);
  if (run === undefined) return notice('none', 'I no longer know that deploy; nothing was done.');
  const target = { service: run.service, environment: run.environment, version: run.version };
  if (run.state !== 'running') return alreadyDecided(run);
  const refused = await changeRefusal({ service: run.service, environment: run.environment }, actor, ports);
  if (refused !== undefined) {
    await ports.audit.record({ action: 'Cancel', outcome: 'refused', reason: refused.reason, actor, target });
    return refused.reply;
  }
  const claims = new Claims(ports.store);
  if (!(await claims.claim(`deploy-cancel:${run.id}`, RUN_TTL_SECONDS, actor.userId))) {
    return notice('none', ['That deploy is already being cancelled; nothing more was done.']);
  }
  try {
    await ports.deployments.stop(run.service, run.environment, run.deploymentId as string, {
      rollback: true,
      reason: 'cancelled from Slack',
      by: actor.userId,
    });
  } catch (error) {
    await claims.release(`deploy-cancel:${run.id}`);
    throw error;
  }
  await ports.store.put(`deploy-stopped-by:${run.id}`, actor.userId, RUN_TTL_SECONDS);
  await ports.audit.record({
    action: 'Cancel',
    outcome: 'done',
    actor,
    target,
    ...(run.deploymentId !== undefined && { deploymentId: run.deploymentId }),
  });
  await tellStory(run, 'cancel', ['Cancel pressed by ', mention(actor.userId), ': stopping and rolling back'], ports);
  // The thread says it at once; the message follows within the 10 s its updates are spaced by.
  await pollRun(run.id, ports);
  return undefined;
}

/** "; times out 10:32 UTC, then AWS rolls back". */
function gateTimeout(gate: Gate): string[] {
  const then =
    gate.onTimeout === 'continue'
      ? 'shifts traffic itself'
      : gate.onTimeout === 'stop'
        ? 'stops the deploy and rolls back'
        : 'rolls back';
  if (gate.expiresAt !== undefined) return [`; times out ${clockTime(gate.expiresAt)}, then AWS ${then}`];
  if (gate.waitMinutes !== undefined) return [`; times out after ${gate.waitMinutes} min, then AWS ${then}`];
  return [];
}

/** The gate's question, once, in the deploy's thread: Shift traffic or Roll back, for the environment's deployers. */
async function askAtGate(run: DeployRun, d: Deployment, gate: Gate, ports: IntentPorts): Promise<void> {
  const [message] = run.messages;
  if (message === undefined) return;
  const claims = new Claims(ports.store);
  const key = `deploy-gate:${run.id}:${gate.id}`;
  if (!(await claims.claim(key, RUN_TTL_SECONDS))) return;
  const text: Run[] = [
    status('waiting'),
    ' Green is up on the test listener: ',
    strong(run.service),
    ' ',
    code(run.version),
    ' in ',
    strong(run.environment),
    ` runs ${d.tasks !== undefined ? `${d.tasks.running}/${d.tasks.desired} tasks` : 'its tasks'}, with no production traffic yet`,
    ...gateTimeout(gate),
    '.',
  ];
  const reply: Reply = {
    summary: [`${clockTime(ports.clock.now())} · `, ...text],
    sections: [[[`${clockTime(ports.clock.now())} · `, ...text]]],
    buttons: [
      {
        label: 'Shift traffic',
        style: 'primary',
        payload: { kind: 'gate', runId: run.id, gateId: gate.id, action: 'continue' },
      },
      {
        label: 'Roll back',
        style: 'danger',
        payload: { kind: 'gate', runId: run.id, gateId: gate.id, action: 'rollback' },
      },
    ],
    context: [['For those who may deploy to ', strong(run.environment), '.']],
    visibility: 'channel',
  };
  try {
    const asked = await ports.announcer.post({ thread: message }, reply, { key });
    // Kept, so the question loses its buttons once answered (or once the deploy moved on without an answer).
    if (asked !== undefined)
      await ports.store.put(gateAskKey(run.id, gate.id), { message: asked, text } satisfies GateAsk, RUN_TTL_SECONDS);
  } catch (error) {
    await claims.release(key);
    throw error;
  }
}

/**
 * Shift traffic or Roll back pressed at a gate: by someone who may deploy there, once, while the engine still waits at
 * that gate; the engine is told, the thread says who answered, and the message moves on at once.
 */
/** A gate's question in a deploy's thread: where it was posted and what it said. */
interface GateAsk {
  readonly message: PostedMessage;
  readonly text: Run[];
}

const gateAskKey = (runId: string, gateId: string) => `deploy-gate-ask:${runId}:${gateId}`;

/** The gate's question, its buttons replaced by how it was answered. */
async function closeGateAsk(runId: string, gateId: string, answer: Line, ports: IntentPorts): Promise<void> {
  const ask = await ports.store.get<GateAsk>(gateAskKey(runId, gateId));
  if (ask === undefined) return;
  await ports.store.delete(gateAskKey(runId, gateId));
  await ports.announcer
    .update(ask.message, { summary: ask.text, sections: [[ask.text, answer]], visibility: 'channel' })
    .catch((error: unknown) => ports.log.warn('deploy.gate_close_failed', { runId, error: String(error) }));
}

export async function answerGate(
  runId: string,
  gateId: string,
  action: 'continue' | 'rollback',
  actor: Actor,
  ports: IntentPorts,
): Promise<Reply | undefined> {
  const run = await loadRun(runId, ports);
  if (run === undefined) return notice('none', 'I no longer know that deploy; nothing was done.');
  if (run.state !== 'running') return alreadyDecided(run);
  const target = { service: run.service, environment: run.environment, version: run.version };
  const name = action === 'continue' ? 'ShiftTraffic' : 'GateRollback';
  const refused = await changeRefusal({ service: run.service, environment: run.environment }, actor, ports);
  if (refused !== undefined) {
    await ports.audit.record({ action: name, outcome: 'refused', reason: refused.reason, actor, target });
    return refused.reply;
  }
  const claims = new Claims(ports.store);
  const key = `deploy-gate-answer:${run.id}:${gateId}`;
  if (!(await claims.claim(key, RUN_TTL_SECONDS, actor.userId))) {
    return notice('none', 'That gate was already answered; nothing more was done.');
  }
  try {
    const d = await ports.deployments.get(run.service, run.environment, run.deploymentId as string);
    if (d.gate === undefined || d.gate.id !== gateId) {
      await claims.release(key);
      return notice('none', 'The deploy is no longer waiting at that gate; nothing was done.');
    }
    await ports.deployments.proceed(run.service, run.environment, run.deploymentId as string, d.gate, action);
    if (action === 'rollback') await ports.store.put(`deploy-stopped-by:${run.id}`, actor.userId, RUN_TTL_SECONDS);
  } catch (error) {
    await claims.release(key);
    throw error;
  }
  await ports.audit.record({
    action: name,
    outcome: 'done',
    actor,
    target,
    ...(run.deploymentId !== undefined && { deploymentId: run.deploymentId }),
  });
  const answered: Run[] =
    action === 'continue'
      ? [mention(actor.userId), ' shifted production traffic to green']
      : [mention(actor.userId), ' rolled back at the gate'];
  await closeGateAsk(run.id, gateId, [status(action === 'continue' ? 'ok' : 'rolledBack'), ' ', ...answered], ports);
  await tellStory(run, `gate-answer:${gateId}`, answered, ports);
  // The thread says it at once; the message follows within the 10 s its updates are spaced by.
  await pollRun(run.id, ports);
  return undefined;
}

/** "The rollback after alarm … did not finish": said plainly, with what to do. */
function rollbackUnfinished(run: DeployRun, d: Pick<Deployment, 'step' | 'error'>): Line {
  return [
    status('failed'),
    ' The rollback after alarm ',
    code(run.alarm?.name ?? ''),
    ' did not finish',
    ...(d.error !== undefined ? [': ', code(d.error.code), ` ${d.error.message}`] : []),
    '. The new version may still take traffic: check the service, then roll back by hand with ',
    code(`/deploy rollback ${run.service} ${run.environment} ${run.previousVersion}`),
    '.',
  ];
}

/**
 * The watch of a deploy that ended: while its bake window lasts (a deploy that succeeded, with rollback alarms), its
 * alarms are read at each poll, and one that went to ALARM since it started deploys the previous version again; at
 * the window's end the message says the alarms stayed quiet.
 */
async function bake(run: DeployRun, ports: IntentPorts): Promise<WatchResult> {
  if (run.bakeUntil === undefined) return { done: true };
  run.alarm ??= await ports.store.get<AlarmAction>(alarmKey(run.id));
  const now = ports.clock.now();
  // A newer deploy of the service took over: what its alarms say now is about that one.
  const [newest] = await recentRuns(run.service, run.environment, ports);
  if (run.alarm === undefined && newest !== undefined && newest.id !== run.id) {
    run.bakeUntil = undefined;
    await show(run, undefined, ports, true);
    await saveRun(run, ports);
    return { done: true };
  }
  if (run.alarm === undefined && now < run.bakeUntil) {
    const fired = await firedAlarm(run, ports);
    if (fired !== undefined) {
      await redeployOnAlarm(run, fired, ports);
      run.alarm ??= await ports.store.get<AlarmAction>(alarmKey(run.id));
    }
  }
  const done = run.alarm !== undefined || now >= run.bakeUntil;
  await show(run, undefined, ports, done);
  await saveRun(run, ports);
  return { done };
}

/**
 * A rollback alarm of the run's service that went to ALARM since the run started, read from CloudWatch (the poll's
 * safety net under the alarm events). One already in ALARM when it started is told once, and left alone: the deploy
 * may be the fix for it.
 */
async function firedAlarm(run: DeployRun, ports: IntentPorts): Promise<AlarmState | undefined> {
  if (ports.rules.rollbackAlarms(run.service, run.environment).alarms.length === 0) return undefined;
  let states: AlarmState[];
  try {
    states = await ports.alarms.states(run.service, run.environment);
  } catch (error) {
    ports.log.warn('deploy.alarms_unreadable', { runId: run.id, error: errorNote(error) });
    const why = (error as { userMessage?: unknown }).userMessage;
    await tellStory(
      run,
      'alarms-unreadable',
      [
        status('failed'),
        ' ',
        typeof why === 'string' ? why : 'I could not read the rollback alarms.',
        ' Until I can, only their CloudWatch events can roll this deploy back.',
      ],
      ports,
    );
    // The alarms that could be read (in the other accounts and regions) still count.
    const readable = (error as { readable?: unknown }).readable;
    if (!Array.isArray(readable)) return undefined;
    states = readable as AlarmState[];
  }
  const since = run.startedAt ?? run.requestedAt;
  for (const alarm of states) {
    if (alarm.state === 'ALARM' && (alarm.updatedAt ?? since) < since) {
      await tellStory(
        run,
        `alarm-before:${alarm.name}`,
        [
          status('waiting'),
          ' Alarm ',
          code(alarm.name),
          ' was already in ALARM when this deploy started; it rolls the deploy back only if it goes to ALARM again.',
        ],
        ports,
      );
    }
  }
  return states.find((a) => a.state === 'ALARM' && (a.updatedAt ?? 0) >= since);
}

/** What opsbot did about a rollback alarm. */
export type AlarmOutcome = 'stopped' | 'engine' | 'redeployed' | 'failed' | 'none';

/** The claim that makes an alarm act on a run once, whichever alarm, event or poll comes first. */
const alarmClaim = (runId: string) => `deploy-alarm:${runId}`;

/**
 * A rollback alarm went to ALARM while the run deploys: the deployment is stopped with rollback (CodeDeploy
 * `StopDeployment` with auto-rollback, ECS `StopServiceDeployment` ROLLBACK), once per run whatever arrives after
 * (the same event again, the alarm flapping, a second alarm); when CodeDeploy or ECS is already rolling back by
 * itself, nothing more is asked of it. Either way the thread gets the story and the message follows.
 */
export async function stopOnAlarm(
  run: DeployRun,
  alarm: AlarmState,
  ports: IntentPorts,
  known?: Deployment,
): Promise<AlarmOutcome> {
  const claims = new Claims(ports.store);
  if (!(await claims.claim(alarmClaim(run.id), RUN_TTL_SECONDS, alarm.name))) {
    await tellAlsoInAlarm(run, alarm, ports);
    return 'none';
  }
  const now = ports.clock.now();
  let action: AlarmAction['action'];
  try {
    // A person's Cancel (or Roll back at a gate) is already rolling it back: theirs, not AWS's or opsbot's.
    const stoppedBy = await ports.store.get<string>(`deploy-stopped-by:${run.id}`);
    if (stoppedBy !== undefined) {
      await tellAlarmIgnored(run, alarm, 'the rollback already asked for goes on, nothing more was done.', ports);
      return 'none';
    }
    let d = known ?? (await ports.deployments.get(run.service, run.environment, run.deploymentId as string));
    // AWS is rolling it back already (the engine's own alarms), unless opsbot's stop below is what does it.
    action = 'engine';
    if (d.status === 'InProgress' && d.step !== 'RollingBack') {
      try {
        await ports.deployments.stop(run.service, run.environment, run.deploymentId as string, {
          rollback: true,
          reason: `alarm ${alarm.name} went to ALARM`,
        });
        action = 'stopped';
      } catch (error) {
        d = await ports.deployments.get(run.service, run.environment, run.deploymentId as string);
        if (d.status === 'InProgress' && d.step !== 'RollingBack') {
          await stopFailed(run, alarm, error, ports);
          // The next poll (or event) tries again; the story of the failure is told once.
          await claims.release(alarmClaim(run.id));
          return 'failed';
        }
      }
    }
    if (action === 'engine' && d.status === 'Succeeded') {
      // It ended before the alarm was acted on (or while the stop was on its way): the bake window's case.
      await claims.release(alarmClaim(run.id));
      await pollRun(run.id, ports);
      const ended = await loadRun(run.id, ports);
      return ended?.state === 'ended' && ended.outcome === 'succeeded' ? redeployOnAlarm(ended, alarm, ports) : 'none';
    }
    await ports.store.put(
      alarmKey(run.id),
      { name: alarm.name, at: now, action } satisfies AlarmAction,
      RUN_TTL_SECONDS,
    );
  } catch (error) {
    await claims.release(alarmClaim(run.id));
    throw error;
  }
  return told(run, alarm, action, now, ports);
}

/** What was done about an alarm during a deploy: audited, told in the thread, and the message moved on. */
async function told(
  run: DeployRun,
  alarm: AlarmState,
  action: AlarmAction['action'],
  now: number,
  ports: IntentPorts,
): Promise<AlarmOutcome> {
  await ports.audit.record({
    action: 'AlarmRollback',
    outcome: 'done',
    actor: { userId: OPSBOT },
    target: { service: run.service, environment: run.environment, version: run.version },
    ...(run.deploymentId !== undefined && { deploymentId: run.deploymentId }),
    note: `alarm ${alarm.name}: ${action === 'engine' ? 'AWS was already rolling back' : 'stopped with rollback'}`,
  });
  await tellStory(run, `alarm:${alarm.name}`, alarmFacts(alarm)[0] as Line, ports, [
    ...alarmFacts(alarm).slice(1),
    action === 'engine'
      ? [
          `${run.engine === 'codedeploy' ? 'CodeDeploy' : 'ECS'} was already rolling it back (its own alarm configuration); opsbot asked nothing more of it.`,
        ]
      : [`opsbot stopped the deployment at ${clockTime(now)} and is rolling back to `, code(run.previousVersion), '.'],
  ]);
  // The thread says it at once; the message follows within the 10 s its updates are spaced by.
  await pollRun(run.id, ports);
  return action === 'engine' ? 'engine' : 'stopped';
}

/**
 * Another alarm than the one being acted on went to ALARM: one line in the thread, once per alarm. The same alarm
 * again (a redelivered event, the poll seeing what the event said) adds nothing.
 */
async function tellAlsoInAlarm(run: DeployRun, alarm: AlarmState, ports: IntentPorts): Promise<void> {
  const first = await ports.store.get<string>(claimKey(alarmClaim(run.id)));
  if (first === alarm.name) return;
  await tellStory(run, `alarm-also:${alarm.name}`, alsoInAlarm(alarm), ports);
}

/** A stop that failed, told once in the thread with what to do. */
async function stopFailed(run: DeployRun, alarm: AlarmState, error: unknown, ports: IntentPorts): Promise<void> {
  ports.log.error('deploy.alarm_stop_failed', { runId: run.id, alarm: alarm.name, error: errorNote(error) });
  const why = (error as { userMessage?: unknown }).userMessage;
  await tellStory(run, `alarm-stop-failed:${alarm.name}`, alarmFacts(alarm)[0] as Line, ports, [
    ...alarmFacts(alarm).slice(1),
    [
      status('failed'),
      ' opsbot could not stop the deployment',
      typeof why === 'string' ? `: ${why}` : ` (${errorNote(error)})`,
      '. Press Cancel on the deploy’s message, or roll back with ',
      code(`/deploy rollback ${run.service} ${run.environment}`),
      '; opsbot tries again at its next look.',
    ],
  ]);
}

/** "`p99-latency` also went to ALARM; the rollback is already under way." */
function alsoInAlarm(alarm: AlarmState): Line {
  return [
    status('failed'),
    ' Alarm ',
    code(alarm.name),
    ' also went to ALARM',
    ...(alarm.updatedAt !== undefined ? [` at ${clockTime(alarm.updatedAt)}`] : []),
    '; one rollback is under way, nothing more was done.',
  ];
}

/**
 * A rollback alarm went to ALARM within the bake window of a deploy that succeeded: the previous version is deployed
 * again, as a rollback opsbot asks for itself (no approval: it undoes a change, as a rollback at a freeze does), once
 * per deploy. The deploy's thread tells why and links the rollback, whose own message shows its progress.
 */
export async function redeployOnAlarm(run: DeployRun, alarm: AlarmState, ports: IntentPorts): Promise<AlarmOutcome> {
  const claims = new Claims(ports.store);
  if (!(await claims.claim(alarmClaim(run.id), RUN_TTL_SECONDS, alarm.name))) {
    await tellAlsoInAlarm(run, alarm, ports);
    return 'none';
  }
  const now = ports.clock.now();
  if (!known(run.previousVersion)) {
    const unknown = new Error('I can’t tell which version this deploy replaced');
    unknown.name = 'UnknownVersion';
    await redeployFailed(run, alarm, unknown, ports);
    return notRedeployed(run, alarm, now, ports);
  }
  let started: { reply: Reply; run?: DeployRun };
  try {
    started = await beginRun(
      {
        kind: 'rollback',
        service: run.service,
        environment: run.environment,
        version: run.previousVersion,
        // The image that ran before, by digest when it ran by one (the tag may have been pushed again since).
        ...(run.previousDigest !== undefined && { digest: run.previousDigest }),
        trigger: { alarm: alarm.name, runId: run.id },
      },
      { userId: OPSBOT, ...(run.actor.channelId !== undefined && { channelId: run.actor.channelId }) },
      ports,
    );
  } catch (error) {
    // Said once, with what to do; not tried again at every poll (each try would be a deploy, and an audit record).
    await redeployFailed(run, alarm, error, ports);
    return notRedeployed(run, alarm, now, ports);
  }
  if (started.run === undefined) {
    // Refused: another deploy holds the service, or the previous version already runs. Told, not retried.
    await tellStory(run, `alarm:${alarm.name}`, alarmFacts(alarm)[0] as Line, ports, [
      ...alarmFacts(alarm).slice(1),
      [
        'opsbot did not deploy ',
        code(run.previousVersion),
        ' again: ',
        ...(Array.isArray(started.reply.summary) ? started.reply.summary : [started.reply.summary]),
      ],
    ]);
    return notRedeployed(run, alarm, now, ports);
  }
  const record: AlarmAction = {
    name: alarm.name,
    at: now,
    action: 'redeployed',
    rollbackRunId: started.run.id,
    ...(started.run.messages[0] !== undefined && { rollbackMessage: started.run.messages[0] }),
  };
  await ports.store.put(alarmKey(run.id), record, RUN_TTL_SECONDS);
  await ports.audit.record({
    action: 'AlarmRollback',
    outcome: 'done',
    actor: { userId: OPSBOT },
    target: { service: run.service, environment: run.environment, version: run.previousVersion },
    note: `alarm ${alarm.name} within ${duration(now - (run.endedAt ?? now))} of the deploy of ${run.version}: deploying ${run.previousVersion} again`,
  });
  await tellStory(run, `alarm:${alarm.name}`, alarmFacts(alarm)[0] as Line, ports, [
    ...alarmFacts(alarm).slice(1),
    [
      `${duration(now - (run.endedAt ?? now))} after this deploy succeeded: opsbot is deploying `,
      code(run.previousVersion),
      ' again',
      ...(record.rollbackMessage !== undefined ? [' — ', messageLink(record.rollbackMessage, 'follow it here')] : []),
      '.',
    ],
  ]);
  await pollRun(run.id, ports);
  return 'redeployed';
}

/** The deploy's message says the alarm fired and opsbot could not roll back (the thread says why). */
async function notRedeployed(run: DeployRun, alarm: AlarmState, now: number, ports: IntentPorts): Promise<'failed'> {
  await ports.store.put(
    alarmKey(run.id),
    { name: alarm.name, at: now, action: 'failed' } satisfies AlarmAction,
    RUN_TTL_SECONDS,
  );
  await pollRun(run.id, ports);
  return 'failed';
}

async function redeployFailed(run: DeployRun, alarm: AlarmState, error: unknown, ports: IntentPorts): Promise<void> {
  ports.log.error('deploy.alarm_redeploy_failed', { runId: run.id, alarm: alarm.name, error: errorNote(error) });
  const why =
    error instanceof Error && error.name === 'UnknownVersion'
      ? error.message
      : (error as { userMessage?: unknown }).userMessage;
  await tellStory(run, `alarm-redeploy-failed:${alarm.name}`, alarmFacts(alarm)[0] as Line, ports, [
    ...alarmFacts(alarm).slice(1),
    [
      status('failed'),
      ' opsbot did not roll back',
      typeof why === 'string' ? `: ${why}` : ` (${errorNote(error)})`,
      '. Roll back by hand with ',
      code(
        `/deploy rollback ${run.service} ${run.environment}${known(run.previousVersion) ? ` ${run.previousVersion}` : ' <version>'}`,
      ),
      '.',
    ],
  ]);
}

/** A rollback opsbot started on an alarm ended: the deploy it undoes hears how. */
async function tellUndone(run: DeployRun, d: Deployment, ports: IntentPorts): Promise<void> {
  const undone = run.trigger === undefined ? undefined : await loadRun(run.trigger.runId, ports);
  if (undone === undefined) return;
  // The undone deploy's message says how its rollback ended.
  const record = await ports.store.get<AlarmAction>(alarmKey(undone.id));
  if (record !== undefined && run.outcome !== undefined) {
    const ended: AlarmAction = { ...record, rollbackOutcome: run.outcome };
    await ports.store.put(alarmKey(undone.id), ended, RUN_TTL_SECONDS);
    await withPollLease(undone.id, ports, async () => {
      const latest = (await loadRun(undone.id, ports)) ?? undone;
      latest.alarm = ended;
      await show(latest, undefined, ports, true);
      await saveRun(latest, ports);
    });
  }
  const took = duration((run.endedAt ?? 0) - (run.startedAt ?? run.requestedAt));
  await tellStory(
    undone,
    `alarm-rollback-end:${run.id}`,
    run.outcome === 'succeeded'
      ? [status('ok'), ' The rollback succeeded in ', took, ': ', code(run.version), ' is serving again.']
      : [
          status('failed'),
          ' The rollback to ',
          code(run.version),
          ' did not succeed',
          ...(d.error !== undefined ? [': ', code(d.error.code), ` ${d.error.message}`] : []),
          '. Check the service, then deploy a known good version with ',
          code(`/deploy ${run.service} ${run.environment} <version>`),
          '.',
        ],
    ports,
  );
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

/** Says in a run's thread that an alarm went to ALARM and nothing was done about it (once per alarm). */
export async function tellAlarmIgnored(
  run: DeployRun,
  alarm: AlarmState,
  why: string,
  ports: IntentPorts,
): Promise<void> {
  await tellStory(
    run,
    `alarm:${alarm.name}`,
    [
      status('failed'),
      ' Alarm ',
      code(alarm.name),
      ' went to ALARM',
      ...(alarm.updatedAt !== undefined ? [` at ${clockTime(alarm.updatedAt)}`] : []),
      `; ${why}`,
    ],
    ports,
  );
}

/** A version opsbot could read (the engine may not say what a revision ran). */
function known(version: string): boolean {
  return version !== '?' && version !== '';
}

/** How a deploy an alarm concerned ended, in its message. */
function alarmOutcome(run: DeployRun, alarm: AlarmAction, d: Pick<Deployment, 'step'> | undefined): Line {
  const name = code(alarm.name);
  switch (alarm.action) {
    case 'redeployed':
      return alarm.rollbackOutcome === undefined
        ? ['Alarm ', name, ': rolling back to ', code(run.previousVersion)]
        : alarm.rollbackOutcome === 'succeeded'
          ? ['Rolled back — alarm ', name]
          : ['Alarm ', name, ': the rollback to ', code(run.previousVersion), ' did not succeed (see the thread)'];
    case 'failed':
      return ['Alarm ', name, ': opsbot could not roll back (see the thread)'];
    default:
      return d?.step === 'RolledBack'
        ? ['Rolled back — alarm ', name]
        : ['Stopped on alarm ', name, ': the rollback did not finish'];
  }
}
