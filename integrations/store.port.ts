/**
 * Small durable key-value state: idempotency keys, conversations, confirmations.
 * Every adapter treats an item past its expiry as absent, whether or not the backend has removed it yet.
 */
export interface Store {
  /** Writes `value` under `key` only if no live item is there; true when this call wrote it. */
  putIfAbsent(key: string, value: unknown, ttlSeconds: number): Promise<boolean>;
  /** Writes `value` under `key`; with a listing, the item is also found by `list` in that collection. */
  put(key: string, value: unknown, ttlSeconds: number, listing?: Listing): Promise<void>;
  get<T>(key: string): Promise<T | undefined>;
  delete(key: string): Promise<void>;
  /** The live items of a collection whose order lies within the range, oldest first unless `newestFirst`. */
  list<T>(collection: string, range?: ListRange): Promise<T[]>;
}

/** Where an item is listed: its collection, and its place in it (an ISO time, so a collection runs in time order). */
export interface Listing {
  readonly collection: string;
  readonly order: string;
}

export interface ListRange {
  /** Orders from this one (inclusive). */
  readonly from?: string;
  /** Orders up to this one (inclusive). */
  readonly to?: string;
  readonly newestFirst?: boolean;
  /** At most this many items. */
  readonly limit?: number;
}

/** The DynamoDB table's index of listed items: partition `lc` (the collection), sort `lo` (the order in it). */
export const LISTING_INDEX = 'listing';
