import { Claims } from '../../../integrations/claims';
import type { Actor, IntentPorts } from '../../define-intent';
import { mention, notice, type Reply } from '../../reply';
import { changeRefusal } from '../deploy.policy';
import { alreadyDecided } from './message';
import { loadRun, RUN_TTL_SECONDS } from './record';
import { tellStory } from './story';
import { pollRun } from './watch';

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
