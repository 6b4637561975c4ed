import type { Store } from '../store.port';

interface Item {
  readonly value: string;
  readonly expiresAt: number;
}

/** An in-memory Store for tests and single-process runs; values are copied in and out like a real store. */
export class MemoryStore implements Store {
  private readonly items = new Map<string, Item>();

  constructor(private readonly now: () => number = Date.now) {}

  async putIfAbsent(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    if (this.live(key) !== undefined) return false;
    this.write(key, value, ttlSeconds);
    return true;
  }

  async put(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.write(key, value, ttlSeconds);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const item = this.live(key);
    return item === undefined ? undefined : (JSON.parse(item.value) as T);
  }

  async delete(key: string): Promise<void> {
    this.items.delete(key);
  }

  private live(key: string): Item | undefined {
    const item = this.items.get(key);
    if (item !== undefined && item.expiresAt <= this.now()) {
      this.items.delete(key);
      return undefined;
    }
    return item;
  }

  private write(key: string, value: unknown, ttlSeconds: number): void {
    this.items.set(key, { value: JSON.stringify(value ?? null), expiresAt: this.now() + ttlSeconds * 1000 });
  }
}
