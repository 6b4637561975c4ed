/**
 * An SDK client's limits for a call on a deadline (Slack gives up on an acknowledgement after 3 s): each attempt is
 * abandoned after `timeoutMs` to connect and as long again to answer, and tried `attempts` times in all. This
 * module imports nothing, so whatever uses it at cold start loads nothing more.
 */
export function callLimits(limits: { readonly timeoutMs: number; readonly attempts: number }) {
  return {
    maxAttempts: limits.attempts,
    requestHandler: {
      connectionTimeout: limits.timeoutMs,
      requestTimeout: limits.timeoutMs,
      // Without it the SDK only warns when the request timeout passes, and goes on waiting.
      throwOnRequestTimeout: true,
    },
  };
}
