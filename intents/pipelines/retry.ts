import type { Actor, IntentPorts, Rules } from '../define-intent';
import { code, mention, notice, type Reply, status, strong } from '../reply';

/** Who may retry a pipeline's failed stage: its `retriers`, or everyone when none are configured. */
export function mayRetry(rules: Rules, pipeline: string, userId: string): boolean {
  const retriers = rules.retriers(pipeline);
  return retriers.length === 0 || retriers.includes(userId);
}

/** The refusal for someone who may not retry a pipeline. */
export function retryRefusal(pipeline: string): Reply {
  return notice(
    'refused',
    ['You are not allowed to retry ', strong(pipeline), '.'],
    ['Ask whoever runs opsbot to add you under ', code(`pipelines.${pipeline}.retriers`), '.'],
  );
}

/** Retries the failed actions of a stage, for someone allowed to, and says so in the channel. */
export async function retryStage(
  request: { readonly pipeline: string; readonly stage: string; readonly executionId: string },
  actor: Actor,
  ports: IntentPorts,
): Promise<{ readonly reply: Reply; readonly outcome: 'started' | 'refused' }> {
  if (!mayRetry(ports.rules, request.pipeline, actor.userId)) {
    return { reply: retryRefusal(request.pipeline), outcome: 'refused' };
  }
  await ports.pipelines.retryStage(request.pipeline, request.stage, request.executionId);
  return {
    outcome: 'started',
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
