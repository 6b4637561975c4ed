import type { Actor, IntentPorts } from '../define-intent';
import { code, mention, type Reply, status, strong } from '../reply';
import { pipelineCard } from './pipeline-card';
import { retryRefusal } from './retry.policy';

/** Retries the failed actions of a stage, for someone allowed to, and says so in the channel. */
export async function retryStage(
  request: { readonly pipeline: string; readonly stage: string; readonly executionId: string },
  actor: Actor,
  ports: IntentPorts,
): Promise<{ readonly reply: Reply; readonly outcome: 'started' | 'refused'; readonly card?: Reply }> {
  const refusal = await retryRefusal(request.pipeline, actor, ports);
  if (refusal !== undefined) {
    await ports.audit.record({
      action: 'RetryStage',
      outcome: 'refused',
      reason: refusal.reason,
      actor,
      target: { pipeline: request.pipeline, stage: request.stage },
    });
    return { reply: refusal.reply, outcome: 'refused' };
  }
  await ports.pipelines.retryStage(request.pipeline, request.stage, request.executionId);
  await ports.audit.record({
    action: 'RetryStage',
    outcome: 'started',
    actor,
    target: { pipeline: request.pipeline, stage: request.stage, execution: request.executionId },
  });
  // The pipeline's card as it is now, showing the new attempt; the retry has started whether or not it can be read.
  const card = await pipelineCard(request.pipeline, ports, actor).catch(() => undefined);
  return {
    outcome: 'started',
    ...(card !== undefined && { card }),
    reply: {
      summary: `Retrying ${request.stage} of ${request.pipeline}.`,
      sections: [
        [
          [
            status('retrying'),
            ' Retrying the failed actions of ',
            strong(request.stage),
            ' in ',
            strong(request.pipeline),
            ' (execution ',
            code(request.executionId.slice(0, 8)),
            '), for ',
            mention(actor.userId),
            '.',
          ],
        ],
      ],
      context: [`Ask “is the ${request.pipeline} pipeline green?” in a few minutes.`],
      visibility: 'channel',
    },
  };
}
