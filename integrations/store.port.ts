/**
 * Small durable key-value state: idempotency keys, conversations, confirmations.
 * Every adapter treats an item past its expiry as absent, whether or not the backend has removed it yet.
 */
export interface Store {
  /** Writes `value` under `key` only if no live item is there; true when this call wrote it. */
  putIfAbsent(key: string, value: unknown, ttlSeconds: number): Promise<boolean>;
  put(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  get<T>(key: string): Promise<T | undefined>;
  delete(key: string): Promise<void>;
}
