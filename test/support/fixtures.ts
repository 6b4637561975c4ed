import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The team's shared folder of real third-party payloads, beside this repository. */
export const SHARED_FIXTURES = resolve(__dirname, '..', '..', '..', 'shared', 'fixtures');
export const SHARED_EXAMPLES = resolve(__dirname, '..', '..', '..', 'shared', 'examples');
export const hasShared = existsSync(SHARED_FIXTURES);

const noticed = new Set<string>();

/**
 * `describe` for tests that read `../shared`: where it is absent (a user's clone) the tests are skipped and a
 * notice says so; CI always has it.
 */
export const describeShared = (name: string, fn: () => void): void => {
  if (!hasShared && !noticed.has(name)) {
    noticed.add(name);
    process.stderr.write(`NOTICE: skipping "${name}": ../shared/fixtures is not present in this checkout.\n`);
  }
  (hasShared ? describe : describe.skip)(name, fn);
};

/** A shared fixture's text, byte for byte. */
export function sharedText(file: string): string {
  return readFileSync(join(SHARED_FIXTURES, file), 'utf8');
}

/** A shared fixture, parsed. */
export function sharedJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(sharedText(file)) as T;
}

/** One of opsbot's own payload fixtures: `test/events/<source>/<variant>.json`. */
export function loadEvent<T = Record<string, unknown>>(source: string, variant: string): T {
  return JSON.parse(readFileSync(resolve(__dirname, '..', 'events', source, `${variant}.json`), 'utf8')) as T;
}
