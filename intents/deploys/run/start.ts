import type { Actor, IntentPorts } from '../../define-intent';
import { code, notice, type Reply, strong } from '../../reply';
import { answerAlarmAlerts } from './alerts';
import { tellChangesSafely } from './change-list';
import { DEPLOY_TIMEOUT_MS, type DeployLock, holdLockWithMessage, lockKey, lockRefusal } from './lock';
import { approvalCard, liveReply } from './message';
import { APPROVAL_WINDOW_MS, type DeployRun, digestOf, errorNote, newRunId, saveRun, withPollLease } from './record';
import { digest, postMessages } from './show';
import { tellStart } from './story';
import { describeRun, inChannel, messageLink } from './words';

/** What a run is asked to do: a deploy or a rollback of a service in an environment to a version. */
export interface RunRequest {
  readonly kind: DeployRun['kind'];
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  /** The digest the Confirm card showed for the version (`pinnedDigest` of its slots). */
  readonly digest?: string;
  readonly override?: string;
  /** A promotion: the environment whose running image it deploys. */
  readonly promotedFrom?: string;
  /** A rollback opsbot starts by itself on an alarm (it needs no approval). */
  readonly trigger?: DeployRun['trigger'];
}

/**
 * Starts a confirmed deploy (or a rollback by deploying the earlier version): takes the lock, writes the audit
 * record, and either waits for a second person's approval or starts the deployment and its live message.
 */
export async function startRun(request: Omit<RunRequest, 'trigger'>, actor: Actor, ports: IntentPorts): Promise<Reply> {
  return (await beginRun(request, actor, ports)).reply;
}

/** `startRun`, with the run when one began; a rollback opsbot starts on an alarm needs no approval. */
export async function beginRun(
  request: RunRequest,
  actor: Actor,
  ports: IntentPorts,
): Promise<{ reply: Reply; run?: DeployRun }> {
  const { service, environment, version } = request;
  const current = await ports.deployments.current(service, environment);
  // By the image where the card pinned one: a tag that moves (`latest`) names another image than the one running.
  const runningDigest =
    request.digest === undefined
      ? undefined
      : (digestOf(current.image) ??
        (await ports.images.find(service, environment, current.version).catch(() => undefined))?.digest);
  if (request.digest !== undefined ? runningDigest === request.digest : current.version === version) {
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
    ...((request.override !== undefined || request.promotedFrom !== undefined) && {
      note: [
        ...(request.promotedFrom !== undefined ? [`promoted from ${request.promotedFrom}`] : []),
        ...(request.override !== undefined ? [`freeze override: ${request.override}`] : []),
      ].join('; '),
    }),
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
    ...(request.promotedFrom !== undefined && { promotedFrom: request.promotedFrom }),
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

/** Starts the deployment itself, posts (or turns the approval card into) its live message, and starts watching it. */
export async function launch(run: DeployRun, ports: IntentPorts): Promise<void> {
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
  // Watched first; then the changes its card had no room for, in its thread (a list not read in time is left out).
  if (run.messagesPending !== true) await tellChangesSafely(run, ports);
}
