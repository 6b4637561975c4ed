/** Helpers every AWS adapter shares: reading SDK errors, retrying throttled calls, bounded concurrency. */

import { mapLimit } from '../map-limit';

export { mapLimit };

export interface AwsErrorInfo {
  readonly name: string;
  readonly status?: number;
  readonly throttled: boolean;
  /** AWS having a bad minute: a 5xx, a timeout, a connection reset. The same request may well work a moment later. */
  readonly transient: boolean;
}

/** Errors of AWS's side or of the way there, by name (SDK v3 and Node's network errors). */
const TRANSIENT = new Set([
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RateExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
]);

/** The name, HTTP status and throttling of an SDK v3 error; undefined for anything else. */
export function awsError(error: unknown): AwsErrorInfo | undefined {
  if (typeof error !== 'object' || error === null || !('name' in error)) return undefined;
  const e = error as {
    name: string;
    code?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  const status = e.$metadata?.httpStatusCode;
  return {
    name: e.name,
    ...(status !== undefined && { status }),
    throttled: THROTTLING.has(e.name) || e.$retryable?.throttling === true || status === 429,
    transient:
      TRANSIENT.has(e.name) ||
      (e.code !== undefined && TRANSIENT.has(e.code)) ||
      e.$fault === 'server' ||
      (status !== undefined && status >= 500),
  };
}

export interface RetryOptions {
  /** Attempts in all, the first included. @default 4 */
  readonly attempts?: number;
  /** First back-off; doubled each time, with full jitter. @default 200 ms */
  readonly baseDelayMs?: number;
  /** Replaced in tests so back-off takes no time. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Retries a call that AWS throttled, backing off exponentially with full jitter. Clients are built with one SDK
 * attempt and adaptive rate limiting, so this is the only retry layer and calls are never retried twice over. A
 * throttled request was refused before it did anything, so any call may be retried so; a call that changes something
 * is retried for nothing else, since a 5xx or a timeout may come after it took effect.
 */
export async function retryThrottled<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return retrying(fn, options, (e) => e.throttled);
}

/**
 * Retries a read that AWS throttled or failed on its side (a 5xx, a timeout, a reset connection), as
 * {@link retryThrottled} does: four attempts in all, about 1.4 s of waiting at most, so a poll or a digest source
 * rides out AWS's bad minute rather than failing on it.
 */
export async function retryRead<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return retrying(fn, options, (e) => e.throttled || e.transient);
}

/**
 * A call that changes something, asked once more only when it failed on AWS's side (a server fault or a timeout may
 * come after AWS took it) and `taken` finds it did not take effect: never twice over.
 * @returns what `ask` answered, or what `taken` found.
 */
export async function changeOnce<T>(ask: () => Promise<T>, taken: () => Promise<T | undefined>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (awsError(error)?.transient !== true) throw error;
    return (await taken()) ?? (await ask());
  }
}

async function retrying<T>(
  fn: () => Promise<T>,
  options: RetryOptions,
  worthRetrying: (error: AwsErrorInfo) => boolean,
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const e = awsError(error);
      if (attempt >= attempts || e === undefined || !worthRetrying(e)) throw error;
      await sleep(Math.floor(random() * base * 2 ** (attempt - 1)));
    }
  }
}

/** Every page of a paginated call: `fetch` gets the previous page's token (none first), `next` reads the next one. */
export async function allPages<P>(
  fetch: (token: string | undefined) => Promise<P>,
  next: (page: P) => string | undefined,
): Promise<P[]> {
  const pages: P[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    pages.push(page);
    token = next(page);
  } while (token !== undefined);
  return pages;
}
