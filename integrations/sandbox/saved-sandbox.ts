import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Log } from '../log.port';
import type { SandboxAccount, SandboxSnapshot } from './account';
import { replaceFile } from './file-store';
import type { SandboxWorld } from './world';

/** The saved account, as `sandbox.json` holds it. */
interface SavedSandbox {
  readonly format: 1;
  /** The world and seed it was made from: a state saved for another configuration is not restored. */
  readonly world: string;
  /** The clock, as {@link SandboxClock.saved} gives it. */
  readonly clock: number;
  readonly twins: SandboxSnapshot;
}

/**
 * Keeps the sandbox account in a file beside the local store, so a restart of `npm start` continues where it
 * stopped: a deployment in flight goes on (its record, the clock it runs by), its id is never given again, a pushed
 * image or a tripped alarm stays. Restores what the file holds, when it was saved for the same world and seed, then
 * saves after every change (atomically: a new file renamed over the old). A file that cannot be read, or was saved
 * for another configuration, is set aside for a fresh account, and said so in the log.
 *
 * @returns whether a saved state was restored.
 */
export function keepSandbox(
  sandbox: SandboxAccount,
  path: string,
  made: { readonly world: SandboxWorld; readonly seed: number },
  log: Pick<Log, 'info' | 'warn'>,
): boolean {
  const world = createHash('sha256')
    .update(JSON.stringify([made.world, made.seed]))
    .digest('base64url');
  const restored = restore(sandbox, path, world, log);
  let last = '';
  let warned = false;
  const save = () => {
    const twins = JSON.stringify(sandbox.snapshot());
    const clock = sandbox.clock.saved();
    const key = `${clock}\n${twins}`;
    if (key === last) return;
    const text = `{"format":1,"world":${JSON.stringify(world)},"clock":${clock},"twins":${twins}}\n`;
    try {
      mkdirSync(dirname(path), { recursive: true });
      replaceFile({ writeFileSync, renameSync, unlinkSync }, path, text);
      last = key;
      warned = false;
    } catch (error) {
      // Said once until it works again: the account goes on in memory, as before this run kept it.
      if (!warned) log.warn('sandbox.save_failed', { error: (error as NodeJS.ErrnoException).code ?? 'unknown' });
      warned = true;
    }
  };
  sandbox.onChange(save);
  save();
  return restored;
}

function restore(sandbox: SandboxAccount, path: string, world: string, log: Pick<Log, 'info' | 'warn'>): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  let saved: SavedSandbox | undefined;
  try {
    saved = JSON.parse(text) as SavedSandbox;
  } catch {
    saved = undefined;
  }
  if (saved?.format !== 1 || typeof saved.clock !== 'number' || typeof saved.twins !== 'object') {
    log.warn('sandbox.saved_unreadable', { action: 'started a fresh sandbox account' });
    return false;
  }
  if (saved.world !== world) {
    log.info('sandbox.saved_for_another_world', { action: 'started a fresh sandbox account' });
    // A fresh account, but not fresh ids: the audit already names the earlier ones.
    const next = (saved.twins as { deployments?: { nextDeployment?: unknown } }).deployments?.nextDeployment;
    if (typeof next === 'number') sandbox.continueDeploymentIds(next);
    return false;
  }
  sandbox.clock.resume(saved.clock);
  if (!sandbox.restore(saved.twins)) {
    log.warn('sandbox.saved_unreadable', { action: 'started a fresh sandbox account' });
    return false;
  }
  return true;
}
