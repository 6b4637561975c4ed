import { Claims } from '../../../integrations/claims';
import type { Actor, IntentPorts } from '../../define-intent';
import { code, notice, type Reply } from '../../reply';
import { approvalRefusal } from '../deploy.policy';
import { freezeRefusal } from '../freeze';
import { expire } from './end';
import { releaseLock } from './lock';
import { alreadyDecided } from './message';
import { APPROVAL_WINDOW_MS, errorNote, loadRun, RUN_TTL_SECONDS, saveRun } from './record';
import { show } from './show';
import { launch } from './start';

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
