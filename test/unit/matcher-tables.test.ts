import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { vocabularyOf } from '../../bot/vocabulary';
import { lambdaBundleOptions } from '../../infra/bundling/bundling';
import { declarations } from '../../intents/declarations';
import { LocalMatcher } from '../../intents/matcher/local-matcher';
import { compileGrammar, EDGE_LANGUAGES, type GrammarTables } from '../../intents/matcher/tables';
import { SHARED_EXAMPLES } from '../support/fixtures';

const ROOT = resolve(__dirname, '..', '..');
const vocabulary = vocabularyOf(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')));

/** The tables a deployed bundle carries, as the bundler hands them over: JSON. */
const shippedTables = (): GrammarTables =>
  JSON.parse(lambdaBundleOptions('slack').define?.OPSBOT_MATCHER_TABLES as string) as GrammarTables;

/** Every phrasing opsbot knows of: sample utterances, examples, its own NLU set and the team's, if present. */
function everyPhrasing(): string[] {
  const jsonl = (path: string) =>
    existsSync(path)
      ? readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => (JSON.parse(l) as { text: string }).text)
      : [];
  return [
    ...declarations.flatMap((i) => [...i.utterances, ...Object.keys(i.examples)]),
    ...jsonl(join(ROOT, 'test', 'nlu', 'utterances.jsonl')),
    ...jsonl(join(SHARED_EXAMPLES, 'nlu-examples.jsonl')),
  ];
}

describe('the matcher’s grammar, prebuilt into the slack function’s bundle', () => {
  it('is what the intent declarations compile to now, so stale tables cannot ship', () => {
    // Act
    const slack = shippedTables();

    // Assess
    expect(slack).toEqual(compileGrammar(declarations, EDGE_LANGUAGES));
  });

  it('understands every known phrasing exactly as a grammar compiled at start-up does', () => {
    // Prepare
    const prebuilt = new LocalMatcher(declarations, vocabulary, shippedTables());
    const compiled = new LocalMatcher(declarations, vocabulary, compileGrammar(declarations, EDGE_LANGUAGES));
    const phrasings = everyPhrasing();

    // Act
    const understood = phrasings.map((text) => prebuilt.classify(text));
    const differences = phrasings.filter(
      (text, i) => JSON.stringify(understood[i]) !== JSON.stringify(compiled.classify(text)),
    );

    // Assess
    expect(differences).toEqual([]);
    expect(new Set(understood.map((c) => c.intent))).toEqual(new Set(declarations.map((i) => i.name)));
  });

  it('is what the bundled matcher uses, and only for the declarations it was compiled from', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-matcher-tables-'));
    writeFileSync(
      join(dir, 'entry.ts'),
      [
        `import { declarations } from ${JSON.stringify(join(ROOT, 'intents', 'declarations'))};`,
        `import { LocalMatcher } from ${JSON.stringify(join(ROOT, 'intents', 'matcher', 'local-matcher'))};`,
        `import { prebuiltTables } from ${JSON.stringify(join(ROOT, 'intents', 'matcher', 'tables'))};`,
        'const matcher = new LocalMatcher(declarations, JSON.parse(process.env.VOCABULARY), prebuiltTables(declarations, ["en"]));',
        'process.stdout.write(JSON.stringify({',
        '  tables: prebuiltTables(declarations, ["en"]),',
        '  forOtherDeclarations: prebuiltTables(declarations.slice(1), ["en"]) ?? null,',
        "  understood: matcher.classify('ship web 1.4.2 to prod'),",
        '}));',
      ].join('\n'),
    );
    buildSync({
      ...lambdaBundleOptions('slack'),
      entryPoints: { index: join(dir, 'entry.ts') },
      outdir: dir,
      absWorkingDir: ROOT,
      logLevel: 'error',
    });

    // Act
    const run = spawnSync(process.execPath, [join(dir, 'index.mjs')], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, VOCABULARY: JSON.stringify(vocabulary) },
    });

    // Assess
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout);
    expect(report.tables).toEqual(compileGrammar(declarations, EDGE_LANGUAGES));
    expect(report.forOtherDeclarations).toBeNull();
    expect(report.understood).toEqual(
      new LocalMatcher(declarations, vocabulary, compileGrammar(declarations, EDGE_LANGUAGES)).classify(
        'ship web 1.4.2 to prod',
      ),
    );
  });
});
