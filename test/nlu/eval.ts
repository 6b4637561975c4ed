/**
 * `npm run nlu:eval`: scores the worker's understanding (the local matcher in every language, read for its meaning)
 * on opsbot's own evaluation sets (`test/nlu/eval*.jsonl`, written fresh: not the sample
 * utterances), or on the labelled sets given as arguments. Prints the intent and slot figures overall, by class and by language, the
 * confusion table of intents, every action taken on a negated, hypothetical, conceptual or past request (there must
 * be none), and the misses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { vocabularyOf } from '../../bot/vocabulary';
import { declarations } from '../../intents/declarations';
import { readMessage, understandingFor } from '../../intents/matcher/worker-understanding';

export interface Labelled {
  readonly text: string;
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
  readonly class?: string;
  readonly also?: string;
  readonly lang?: string;
}

export interface Scored {
  readonly rows: number;
  readonly intents: number;
  readonly slots: number;
  readonly byClass: Record<string, { rows: number; intents: number; slots: number }>;
  readonly confusion: Record<string, Record<string, number>>;
  /** Negated, hypothetical, conceptual or past requests read as an action. */
  readonly actedOn: string[];
  readonly misses: string[];
}

const ACTIONS = new Set(['Deploy', 'Promote', 'Rollback', 'Lock', 'Unlock']);
const NO_ACTION = new Set(['negated', 'hypothetical', 'conceptual', 'past', 'unsupported-language']);

export function readLabelled(path: string): Labelled[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Labelled);
}

export async function scoreSet(set: readonly Labelled[]): Promise<Scored> {
  const understanding = understandingFor(
    declarations,
    vocabularyOf(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'))),
  );
  const byClass: Scored['byClass'] = {};
  const confusion: Scored['confusion'] = {};
  const actedOn: string[] = [];
  const misses: string[] = [];
  let intents = 0;
  let slots = 0;
  for (const row of set) {
    const read = await readMessage(understanding, row.text);
    const intentOk = read.intent === row.intent;
    const slotsOk = same(read.slots, row.slots);
    intents += intentOk ? 1 : 0;
    slots += slotsOk ? 1 : 0;
    for (const key of new Set([row.class ?? 'all', ...(row.also !== undefined ? [row.also] : [])])) {
      const c = byClass[key] ?? { rows: 0, intents: 0, slots: 0 };
      byClass[key] = c;
      c.rows++;
      c.intents += intentOk ? 1 : 0;
      c.slots += slotsOk ? 1 : 0;
    }
    const line = confusion[row.intent] ?? {};
    confusion[row.intent] = line;
    line[read.intent] = (line[read.intent] ?? 0) + 1;
    const kind = [row.class, row.also].find((k) => k !== undefined && NO_ACTION.has(k));
    if (kind !== undefined && ACTIONS.has(read.intent)) actedOn.push(`[${kind}] ${row.text} → ${read.intent}`);
    if (!intentOk || !slotsOk) {
      misses.push(
        `[${row.class ?? '-'}] ${row.text} → ${read.intent} ${JSON.stringify(read.slots)} (expected ${row.intent} ${JSON.stringify(row.slots)})`,
      );
    }
  }
  return {
    rows: set.length,
    intents: intents / set.length,
    slots: slots / set.length,
    byClass,
    confusion,
    actedOn,
    misses,
  };
}

function same(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a).filter((k) => !k.startsWith('lock') && k !== 'override');
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

function report(name: string, scored: Scored): string {
  const out = [`${name}: ${scored.rows} utterances, intents ${pct(scored.intents)}, slots ${pct(scored.slots)}`, ''];
  out.push('By class:');
  for (const [key, c] of Object.entries(scored.byClass).sort()) {
    out.push(
      `  ${key.padEnd(22)} ${String(c.rows).padStart(4)}  intents ${pct(c.intents / c.rows).padStart(6)}  slots ${pct(c.slots / c.rows).padStart(6)}`,
    );
  }
  const names = [
    ...new Set([...Object.keys(scored.confusion), ...Object.values(scored.confusion).flatMap(Object.keys)]),
  ].sort();
  const short = (n: string) =>
    n.replace('Intent', '').replace('Status', 'St').replace('Maintenance', 'Maint').slice(0, 9);
  out.push(
    '',
    'Confusion (rows: expected, columns: understood):',
    `  ${''.padEnd(20)}${names.map((n) => short(n).padStart(10)).join('')}`,
  );
  for (const expected of names) {
    const line = scored.confusion[expected];
    if (line === undefined) continue;
    out.push(`  ${expected.padEnd(20)}${names.map((n) => String(line[n] ?? '.').padStart(10)).join('')}`);
  }
  out.push(
    '',
    `Actions taken on negated, hypothetical, conceptual, past or foreign requests: ${scored.actedOn.length}`,
  );
  out.push(...scored.actedOn.map((l) => `  ${l}`));
  out.push('', `Misses: ${scored.misses.length}`, ...scored.misses.map((l) => `  ${l}`));
  return out.join('\n');
}

if (require.main === module) {
  const files = process.argv.slice(2);
  void (async () => {
    // Every set in this folder: a set added is scored without being listed.
    const ownSets = readdirSync(__dirname)
      .filter((file) => /^eval.*\.jsonl$/.test(file))
      .sort()
      .map((file) => join(__dirname, file));
    for (const file of files.length > 0 ? files : ownSets) {
      process.stdout.write(`${report(file, await scoreSet(readLabelled(file)))}\n\n`);
    }
  })();
}
