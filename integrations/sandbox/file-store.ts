import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MemoryStore, type StoredItem } from './memory-store';

/**
 * The embedded default Store: the memory store, kept in one JSON file under the data directory and rewritten
 * atomically (temporary file, then rename) after every change, so `npm start` keeps conversations,
 * confirmations and delivery ids across restarts. One process owns the file; it is for local runs.
 */
export class FileStore extends MemoryStore {
  constructor(path: string, now: () => number = Date.now) {
    super(now, { initial: readItems(path), onChange: (items) => writeItems(path, items) });
  }
}

function readItems(path: string): Record<string, StoredItem> {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, StoredItem>) : {};
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(
      `opsbot: the local store ${path} is unreadable (${(error as Error).message}); delete it to start afresh`,
    );
  }
}

function writeItems(path: string, items: Readonly<Record<string, StoredItem>>): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(items));
  renameSync(temporary, path);
}
