/**
 * The one error base: a stable `code`, a message a person can act on, and a hint naming what to try next.
 * Adapters translate SDK errors into these; the dispatcher turns them into replies.
 */
export class OpsbotError extends Error {
  constructor(
    /** Stable, machine-readable (`ACCESS_DENIED`, `UNKNOWN_SERVICE`). */
    readonly code: string,
    /** Shown to the person, as is. */
    readonly userMessage: string,
    /** The next command to try, shown under the message. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(userMessage, options);
    this.name = 'OpsbotError';
  }
}

/** True for errors opsbot raised on purpose, whose message is safe to show. */
export function isOpsbotError(error: unknown): error is OpsbotError {
  return error instanceof OpsbotError;
}

/** The answer for a service that is not configured in an environment: the same from every adapter and twin. */
export function unknownTarget(service: string, environment: string): OpsbotError {
  return new OpsbotError(
    'UNKNOWN_TARGET',
    `${service} is not deployed to ${environment} in this account.`,
    'Try `/deploy status` to see what runs where.',
  );
}

/** ECS stops a service deployment only by rolling it back: a stop that would leave it half-way is refused plainly. */
export function ecsStopsOnlyByRollingBack(service: string, environment: string): OpsbotError {
  return new OpsbotError(
    'STOP_NEEDS_ROLLBACK',
    `ECS can stop the deployment of ${service} in ${environment} only by rolling it back; nothing was stopped.`,
    'Cancel it (which rolls it back), or let it finish and roll back with `/deploy rollback`.',
  );
}
