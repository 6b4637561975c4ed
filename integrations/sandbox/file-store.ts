import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Listing, ListRange, Store } from '../store.port';
import { MemoryStore, type StoredItem } from './memory-store';

/** Keys longer than this are stored by their hash: ids arrive from outside and can be any length. */
const MAX_KEY_LENGTH = 200;

/** One change, as a line of the journal: an item written, or a key deleted. */
type JournalLine =
  | { readonly k: string; readonly v: string; readonly e: number; readonly l?: Listing }
  | { readonly k: string; readonly d: 1 };

/**
 * The embedded default Store for `npm start`: the memory store, journalled to a file under the data directory so
 * conversations, confirmations and delivery ids survive a restart. Each change appends one line (its cost does
 * not grow with the store); the journal is compacted — rewritten with only the live items, atomically — when it
 * holds twice as many lines as live items. One process owns the file; it is for local runs.
 */
export class FileStore extends MemoryStore implements Store {
  private lines: number;
  /** Live items at the last compaction: the journal is compacted again once it holds twice as many lines. */
  private liveAtCompaction = 0;

  constructor(
    private readonly path: string,
    now: () => number = Date.now,
  ) {
    const { items, lines } = readJournal(path, now());
    super(now, { initial: items, onWrite: (key, item) => this.journal(key, item) });
    this.lines = lines;
    this.liveAtCompaction = items.size;
    mkdirSync(dirname(path), { recursive: true });
    if (lines > items.size) this.compact();
  }

  override putIfAbsent(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    return super.putIfAbsent(shortKey(key), value, ttlSeconds);
  }

  override put(key: string, value: unknown, ttlSeconds: number, listing?: Listing): Promise<void> {
    return super.put(shortKey(key), value, ttlSeconds, listing);
  }

  override list<T>(collection: string, range?: ListRange): Promise<T[]> {
    return super.list<T>(collection, range);
  }

  override get<T>(key: string): Promise<T | undefined> {
    return super.get<T>(shortKey(key));
  }

  override delete(key: string): Promise<void> {
    return super.delete(shortKey(key));
  }

  private journal(key: string, item: StoredItem | undefined): void {
    const line: JournalLine =
      item === undefined ? { k: key, d: 1 } : { k: key, v: item.value, e: item.expiresAt, ...listed(item) };
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    this.lines++;
    if (this.lines > Math.max(1000, 2 * this.liveAtCompaction)) this.compact();
  }

  /** Rewrites the journal with the live items only: expired ones and overwritten lines are dropped. */
  private compact(): void {
    const live = this.sweep();
    const text = [...live]
      .map(([k, item]) => JSON.stringify({ k, v: item.value, e: item.expiresAt, ...listed(item) }))
      .join('\n');
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, text === '' ? '' : `${text}\n`);
    renameSync(temporary, this.path);
    this.lines = live.size;
    this.liveAtCompaction = live.size;
  }
}

function listed(item: StoredItem): { l?: Listing } {
  return item.listing !== undefined ? { l: item.listing } : {};
}

function shortKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `${key.slice(0, 40)}…${createHash('sha256').update(key).digest('hex')}`;
}

/** Replays the journal: the last line of each key wins; expired items are left out. */
function readJournal(path: string, now: number): { items: Map<string, StoredItem>; lines: number } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { items: new Map(), lines: 0 };
    throw error;
  }
  const items = new Map<string, StoredItem>();
  let lines = 0;
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    lines++;
    let line: JournalLine;
    try {
      line = JSON.parse(raw) as JournalLine;
    } catch {
      // A line cut short by a crash mid-write: what came before it stands.
      continue;
    }
    if ('d' in line) items.delete(line.k);
    else if (line.e > now)
      items.set(line.k, { value: line.v, expiresAt: line.e, ...(line.l !== undefined && { listing: line.l }) });
    else items.delete(line.k);
  }
  return { items, lines };
}
