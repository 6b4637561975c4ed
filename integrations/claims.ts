import { createHash } from 'node:crypto';
import type { Store } from './store.port';

/** Keys longer than this are hashed: ids arrive from outside and can be any length. */
const MAX_KEY_LENGTH = 200;

/**
 * The one idempotency helper: whatever must happen once (a Slack delivery, a message seen as both a mention and a
 * DM, a confirmation answered, a stage retried, an EventBridge event) is claimed here first. The first caller
 * wins; a caller whose work then fails releases the claim so a redelivery can do it.
 *
 * @example
 * if (!(await claims.claim(`delivery:${eventId}`, 3600))) return; // a repeat: nothing to do
 * try { await work(); } catch (error) { await claims.release(`delivery:${eventId}`); throw error; }
 */
export class Claims {
  constructor(private readonly store: Store) {}

  /** True when this call made the claim; false when someone made it before (and it has not expired). */
  claim(key: string, ttlSeconds: number, holder: unknown = 1): Promise<boolean> {
    return this.store.putIfAbsent(claimKey(key), holder, ttlSeconds);
  }

  /**
   * Marks claimed work done for `ttlSeconds`: a claim taken as a short lease (so work cut off by a timeout can be
   * taken over) is kept, once done, as long as repeats may arrive.
   */
  async settle(key: string, ttlSeconds: number): Promise<void> {
    await this.store.put(claimKey(key), 'done', ttlSeconds);
  }

  /** Gives the claim up, so the work can be tried again. */
  release(key: string): Promise<void> {
    return this.store.delete(claimKey(key));
  }
}

/** `claim:<key>`, with long keys hashed so a crafted id cannot bloat the Store. */
export function claimKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return `claim:${key}`;
  return `claim:${key.slice(0, 40)}…${createHash('sha256').update(key).digest('hex')}`;
}
