import type { Listing, ListRange, Store } from '../store.port';

/** A stored item: the value as JSON (copied in and out, like a real store) and when it expires. */
export interface StoredItem {
  readonly value: string;
  readonly expiresAt: number;
  /** The collection it is listed in, and its order there. */
  readonly listing?: Listing;
}

export interface MemoryStoreOptions {
  /** Items to start with (a file's content, for the file store). */
  readonly initial?: ReadonlyMap<string, StoredItem>;
  /**
   * Called with each change before it takes effect, the item written or undefined for a delete (the file store
   * journals it): when it throws, nothing changes and the call fails.
   */
  readonly onWrite?: (key: string, item: StoredItem | undefined) => void;
}

/** An in-memory Store for tests and single-process runs; expired items are absent. */
export class MemoryStore implements Store {
  private readonly items: Map<string, StoredItem>;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly options: MemoryStoreOptions = {},
  ) {
    this.items = new Map(options.initial ?? []);
  }

  async putIfAbsent(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    if (this.live(key) !== undefined) return false;
    this.write(key, value, ttlSeconds);
    return true;
  }

  async put(key: string, value: unknown, ttlSeconds: number, listing?: Listing): Promise<void> {
    this.write(key, value, ttlSeconds, listing);
  }

  async list<T>(collection: string, range: ListRange = {}): Promise<T[]> {
    const listed = [...this.sweep().values()]
      .filter(
        (item) =>
          item.listing?.collection === collection &&
          (range.from === undefined || item.listing.order >= range.from) &&
          (range.to === undefined || item.listing.order <= range.to),
      )
      .sort((a, b) => ((a.listing?.order ?? '') < (b.listing?.order ?? '') ? -1 : 1));
    if (range.newestFirst === true) listed.reverse();
    return listed.slice(0, range.limit ?? listed.length).map((item) => JSON.parse(item.value) as T);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const item = this.live(key);
    return item === undefined ? undefined : (JSON.parse(item.value) as T);
  }

  async delete(key: string): Promise<void> {
    if (!this.items.has(key)) return;
    this.options.onWrite?.(key, undefined);
    this.items.delete(key);
  }

  /** The live keys, in the order they were first written. */
  keys(): string[] {
    return [...this.sweep().keys()];
  }

  /** Drops expired items and returns the live ones (the file store compacts to them). */
  protected sweep(): ReadonlyMap<string, StoredItem> {
    const now = this.now();
    for (const [key, item] of this.items) if (item.expiresAt <= now) this.items.delete(key);
    return this.items;
  }

  private live(key: string): StoredItem | undefined {
    const item = this.items.get(key);
    if (item !== undefined && item.expiresAt <= this.now()) {
      this.items.delete(key);
      return undefined;
    }
    return item;
  }

  private write(key: string, value: unknown, ttlSeconds: number, listing?: Listing): void {
    const item: StoredItem = {
      value: JSON.stringify(value ?? null),
      expiresAt: this.now() + ttlSeconds * 1000,
      ...(listing !== undefined && { listing }),
    };
    this.options.onWrite?.(key, item);
    this.items.set(key, item);
  }
}
