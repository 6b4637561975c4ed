import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';
import { OpsbotError } from '../errors';
import type { Listing, ListRange, Store } from '../store.port';
import { MemoryStore, type StoredItem } from './memory-store';

/** Keys longer than this are stored by their hash: ids arrive from outside and can be any length. */
const MAX_KEY_LENGTH = 200;

/** One change, as a line of the journal: an item written, or a key deleted. */
type JournalLine =
  | { readonly k: string; readonly v: string; readonly e: number; readonly l?: Listing }
  | { readonly k: string; readonly d: 1 };

/** The file operations the store makes: node's, or (in tests) a disk that fills up or turns read-only. */
export type JournalFs = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'writeSync'
  | 'fstatSync'
  | 'ftruncateSync'
  | 'closeSync'
  | 'readFileSync'
  | 'writeFileSync'
  | 'renameSync'
  | 'mkdirSync'
  | 'unlinkSync'
>;

export interface FileStoreOptions {
  /**
   * Opens the journal to read it only: no lock taken, nothing appended, nothing compacted — what `opsbot audit`
   * does beside a running `npm start`, whose journal it must never rewrite.
   */
  readonly readOnly?: boolean;
  readonly fs?: JournalFs;
}

/**
 * The embedded default Store for `npm start`: the memory store, journalled to a file under the data directory so
 * conversations, confirmations and delivery ids survive a restart.
 *
 * - Each change appends one line before it takes effect: a write the disk refuses (full, read-only) fails and
 *   changes nothing, and the part of its line that did reach the file is cut off before the next append.
 * - The journal is compacted — rewritten with only the live items, atomically — when it holds twice as many lines
 *   as live items; a compaction the disk refuses is skipped, never a lost write.
 * - One process writes a journal: it holds `<journal>.lock` (its pid) while it runs. A second writer is refused
 *   with a message naming the first; a lock whose process is gone is taken over. Readers (`readOnly`) take no lock
 *   and never write, so the audit CLI can read while opsbot writes.
 */
export class FileStore extends MemoryStore implements Store {
  private lines: number;
  /** Live items at the last compaction: the journal is compacted again once it holds twice as many lines. */
  private liveAtCompaction = 0;
  /** The journal's length in bytes up to its last whole line: anything past it is a cut-short tail. */
  private bytes: number;
  private locked = false;
  private readonly fs: JournalFs;
  private readonly readOnly: boolean;

  constructor(
    private readonly path: string,
    now: () => number = Date.now,
    options: FileStoreOptions = {},
  ) {
    const fs = options.fs ?? nodeFs;
    const { items, lines, bytes } = readJournal(fs, path, now());
    super(now, { initial: items, onWrite: (key, item) => this.journal(key, item) });
    this.fs = fs;
    this.readOnly = options.readOnly === true;
    this.lines = lines;
    this.bytes = bytes;
    this.liveAtCompaction = items.size;
    if (this.readOnly) return;
    try {
      fs.mkdirSync(dirname(path), { recursive: true });
      this.lock();
    } catch (error) {
      // Another opsbot writes here: refused. A disk that refuses the lock (read-only, full) leaves the store
      // answering reads; each write tries the lock again and fails plainly until the disk takes it.
      if (error instanceof OpsbotError) throw error;
    }
    if (this.locked && lines > items.size) this.compact();
  }

  override async putIfAbsent(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    const wrote = await super.putIfAbsent(shortKey(key), value, ttlSeconds);
    this.compactWhenDue();
    return wrote;
  }

  override async put(key: string, value: unknown, ttlSeconds: number, listing?: Listing): Promise<void> {
    await super.put(shortKey(key), value, ttlSeconds, listing);
    this.compactWhenDue();
  }

  override list<T>(collection: string, range?: ListRange): Promise<T[]> {
    return super.list<T>(collection, range);
  }

  override get<T>(key: string): Promise<T | undefined> {
    return super.get<T>(shortKey(key));
  }

  override async delete(key: string): Promise<void> {
    await super.delete(shortKey(key));
    this.compactWhenDue();
  }

  /** Appends the change's line; throws (and nothing changes) when it cannot. */
  private journal(key: string, item: StoredItem | undefined): void {
    if (this.readOnly) {
      throw new OpsbotError(
        'STORE_READ_ONLY',
        'This store was opened to read only; nothing was changed.',
        'Make changes through the running opsbot.',
      );
    }
    const line: JournalLine =
      item === undefined ? { k: key, d: 1 } : { k: key, v: item.value, e: item.expiresAt, ...listed(item) };
    this.append(`${JSON.stringify(line)}\n`);
    this.lines++;
  }

  private append(text: string): void {
    const fs = this.fs;
    try {
      if (!this.locked) this.lock();
      const fd = fs.openSync(this.path, 'a');
      try {
        // A tail a failed write (or a crash) left is cut off first, so it cannot run into this line.
        const size = fs.fstatSync(fd).size;
        if (size !== this.bytes) fs.ftruncateSync(fd, Math.min(size, this.bytes));
        this.bytes = Math.min(size, this.bytes);
        const buffer = Buffer.from(text);
        let written = 0;
        try {
          while (written < buffer.length) written += fs.writeSync(fd, buffer, written, buffer.length - written);
        } catch (error) {
          try {
            fs.ftruncateSync(fd, this.bytes);
          } catch {
            // Cut off before the next append instead.
          }
          throw error;
        }
        this.bytes += buffer.length;
      } finally {
        fs.closeSync(fd);
      }
    } catch (error) {
      if (error instanceof OpsbotError) throw error;
      throw unwritable(error);
    }
  }

  private lock(): void {
    takeLock(this.fs, `${this.path}.lock`);
    this.locked = true;
  }

  private compactWhenDue(): void {
    if (this.lines > Math.max(1000, 2 * this.liveAtCompaction)) this.compact();
  }

  /** Rewrites the journal with the live items only: expired ones and overwritten lines are dropped. */
  private compact(): void {
    const live = this.sweep();
    const text = [...live]
      .map(([k, item]) => `${JSON.stringify({ k, v: item.value, e: item.expiresAt, ...listed(item) })}\n`)
      .join('');
    try {
      replaceFile(this.fs, this.path, text);
    } catch {
      // The disk refused: the journal as it stands is complete, only longer than it needs to be.
      return;
    }
    this.lines = live.size;
    this.liveAtCompaction = live.size;
    this.bytes = Buffer.byteLength(text);
  }
}

/** Locks this process holds, released when it exits. */
const held = new Set<string>();

/**
 * Takes `lock` for this process: created if absent; kept if this process already holds it (a store reopened, as a
 * restart in tests does); taken over if its process is gone; refused if another live process holds it.
 */
function takeLock(fs: JournalFs, lock: string): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      hold(fs, lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(readText(fs, lock) ?? '', 10);
    if (holder === process.pid) {
      hold(fs, lock);
      return;
    }
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
      throw new OpsbotError(
        'STORE_BUSY',
        `Another opsbot (process ${holder}) is using this data directory's store.`,
        'Stop that one first, or give this one a data directory of its own (OPSBOT_DATA_DIR).',
      );
    }
    // Its process is gone (killed, or the machine restarted): the lock is stale. Another process may take it over
    // first: the next attempt sees whose it is.
    tryUnlink(fs, lock);
  }
  throw new OpsbotError(
    'STORE_BUSY',
    "This data directory's store is being taken over by another opsbot.",
    'Start one opsbot per data directory (OPSBOT_DATA_DIR).',
  );
}

function hold(fs: JournalFs, lock: string): void {
  if (held.has(lock)) return;
  if (held.size === 0) {
    process.once('exit', () => {
      for (const path of held) if (readText(fs, path)?.trim() === String(process.pid)) tryUnlink(fs, path);
    });
  }
  held.add(lock);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readText(fs: JournalFs, path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8') as string;
  } catch {
    return undefined;
  }
}

/**
 * Writes `text` to `path` whole or not at all: a temporary file renamed over it, removed again when the disk refuses
 * (the error is thrown).
 */
export function replaceFile(
  fs: Pick<JournalFs, 'writeFileSync' | 'renameSync' | 'unlinkSync'>,
  path: string,
  text: string,
): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, path);
  } catch (error) {
    tryUnlink(fs, temporary);
    throw error;
  }
}

function tryUnlink(fs: Pick<JournalFs, 'unlinkSync'>, path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** The error a refused write gives: what happened, that nothing changed, and what to do. */
function unwritable(error: unknown): OpsbotError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the disk is full'
      : code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
        ? 'its directory is read-only'
        : `the disk refused it${code !== undefined ? ` (${code})` : ''}`;
  return new OpsbotError(
    'STORE_UNWRITABLE',
    `opsbot could not save this: ${why}. Nothing was changed.`,
    'Free some space in opsbot’s data directory (or make it writable), then try again.',
    { cause: error },
  );
}

function listed(item: StoredItem): { l?: Listing } {
  return item.listing !== undefined ? { l: item.listing } : {};
}

function shortKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `${key.slice(0, 40)}…${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * Replays the journal: the last line of each key wins; expired items are left out. `bytes` ends at its last whole
 * line: a line cut short by a crash or a full disk is not part of it.
 */
function readJournal(
  fs: JournalFs,
  path: string,
  now: number,
): { items: Map<string, StoredItem>; lines: number; bytes: number } {
  let data: Buffer;
  try {
    data = fs.readFileSync(path) as Buffer;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { items: new Map(), lines: 0, bytes: 0 };
    throw error;
  }
  const bytes = data.lastIndexOf(0x0a) + 1;
  const text = data.subarray(0, bytes).toString('utf8');
  const items = new Map<string, StoredItem>();
  let lines = 0;
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    lines++;
    let line: JournalLine;
    try {
      line = JSON.parse(raw) as JournalLine;
    } catch {
      // A line a crash left half-written in an older journal: what came before it stands.
      continue;
    }
    if ('d' in line) items.delete(line.k);
    else if (line.e > now)
      items.set(line.k, { value: line.v, expiresAt: line.e, ...(line.l !== undefined && { listing: line.l }) });
    else items.delete(line.k);
  }
  return { items, lines, bytes };
}
