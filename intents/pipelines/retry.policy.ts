import type { Rules } from '../define-intent';
import { code, notice, type Reply, strong } from '../reply';

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
