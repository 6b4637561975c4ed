import { type AccessPorts, type AccessRule, access, accessRefusal } from '../access';
import type { Actor, IntentPorts, Refusal } from '../define-intent';
import { strong } from '../reply';

/**
 * Who may retry a pipeline's failed stage: its `retriers` (everyone when none are configured). A retry ships
 * whatever the pipeline deploys, so a guest may retry only when listed by their own user id.
 */
export function retryRule(pipeline: string, ports: Pick<IntentPorts, 'rules'>): AccessRule {
  return { allowed: ports.rules.retriers(pipeline), configuredAt: `pipelines.${pipeline}.retriers`, guests: 'listed' };
}

/** The refusal for someone who may not retry a pipeline, or nothing when they may. */
export async function retryRefusal(pipeline: string, actor: Actor, ports: AccessPorts): Promise<Refusal | undefined> {
  const rule = retryRule(pipeline, ports);
  const allowed = await access(actor, rule, ports);
  return allowed.ok ? undefined : accessRefusal(allowed, ['retry ', strong(pipeline)], rule, ports);
}

/**
 * The claim that makes a stage's retry start once, however often Retry is clicked: the Retry button takes it, the
 * worker gives it up when the retry was refused, and the end of the retry gives it up.
 */
export function retryClaimKey(retry: {
  readonly pipeline: string;
  readonly executionId: string;
  readonly stage: string;
}): string {
  return `retry:${retry.pipeline}:${retry.executionId}:${retry.stage}`;
}
