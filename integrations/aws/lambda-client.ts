import { LambdaClient } from '@aws-sdk/client-lambda';
import { recordCalls } from './call-ledger';
import { callLimits } from './call-limits';

/**
 * The Lambda client and the one command opsbot sends with it (the worker hand-over), named rather than imported
 * whole: the slack function's bundle then carries only what they need of `@aws-sdk/client-lambda`, loaded on
 * first use through a dynamic import of this module.
 */
export { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

/**
 * How long handing a job to the worker may take: an async invoke is accepted in tens of milliseconds, and Slack
 * gives up on an acknowledgement after 3 s, so a call that hangs is abandoned after 1 s and tried once more, which
 * leaves the acknowledgement time to say that nothing was started. A retry of a call that did arrive is harmless:
 * the worker claims each delivery once.
 */
export const HANDOVER_CALL = { timeoutMs: 1_000, attempts: 2 } as const;

/** The client the hand-over uses, with {@link HANDOVER_CALL}'s limits. */
export function handoverClient(): LambdaClient {
  return recordCalls(new LambdaClient(callLimits(HANDOVER_CALL)), { caller: 'slack' });
}
