import { Claims } from '../../../integrations/claims';
import type { Deployment, Gate } from '../../../integrations/deployments.port';
import type { IntentPorts, PostedMessage } from '../../define-intent';
import { code, type Line, type Reply, type Run, status, strong } from '../../reply';
import { gateTimeout } from './message';
import { type DeployRun, RUN_TTL_SECONDS } from './record';
import { clockTime } from './words';

/** The gate's question, once, in the deploy's thread: Shift traffic or Roll back, for the environment's deployers. */
export async function askAtGate(run: DeployRun, d: Deployment, gate: Gate, ports: IntentPorts): Promise<void> {
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

/** A gate's question in a deploy's thread: where it was posted and what it said. */
interface GateAsk {
  readonly message: PostedMessage;
  readonly text: Run[];
}

const gateAskKey = (runId: string, gateId: string) => `deploy-gate-ask:${runId}:${gateId}`;

/** The gate's question, its buttons replaced by how it was answered. */
export async function closeGateAsk(runId: string, gateId: string, answer: Line, ports: IntentPorts): Promise<void> {
  const ask = await ports.store.get<GateAsk>(gateAskKey(runId, gateId));
  if (ask === undefined) return;
  await ports.store.delete(gateAskKey(runId, gateId));
  await ports.announcer
    .update(ask.message, { summary: ask.text, sections: [[ask.text, answer]], visibility: 'channel' })
    .catch((error: unknown) => ports.log.warn('deploy.gate_close_failed', { runId, error: String(error) }));
}
