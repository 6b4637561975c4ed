import { Claims } from '../../../integrations/claims';
import type { Actor, IntentPorts } from '../../define-intent';
import { mention, notice, type Reply, type Run, status } from '../../reply';
import { changeRefusal } from '../deploy.policy';
import { closeGateAsk } from './gate-ask';
import { alreadyDecided } from './message';
import { loadRun, RUN_TTL_SECONDS } from './record';
import { tellStory } from './story';
import { pollRun } from './watch';

/**
 * Shift traffic or Roll back pressed at a gate: by someone who may deploy there, once, while the engine still waits at
 * that gate; the engine is told, the thread says who answered, and the message moves on at once.
 */
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
