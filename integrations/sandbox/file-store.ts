import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store } from '../store.port';

interface Item {
  readonly value: unknown;
  readonly expiresAt: number;
}

/**
 * The embedded default Store: one JSON file under the data directory, rewritten atomically (temporary file, then
 * rename) after every change, so `npm start` keeps conversations, confirmations and delivery ids across restarts.
 * One process owns the file; it is for local runs, not for several writers.
 */
export class FileStore implements Store {
  private readonly items: Map<string, Item>;

  constructor(
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {
    this.items = new Map(Object.entries(readItems(path)));
  }

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
    return item === undefined ? undefined : (structuredClone(item.value) as T);
  }

  async delete(key: string): Promise<void> {
    if (this.items.delete(key)) this.flush();
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
    this.items.set(key, { value: structuredClone(value ?? null), expiresAt: this.now() + ttlSeconds * 1000 });
    this.flush();
  }

  private flush(): void {
    const now = this.now();
    const live = Object.fromEntries([...this.items].filter(([, item]) => item.expiresAt > now));
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(live));
    renameSync(temporary, this.path);
  }
}

function readItems(path: string): Record<string, Item> {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, Item>) : {};
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(
      `opsbot: the local store ${path} is unreadable (${(error as Error).message}); delete it to start afresh`,
    );
  }
}
