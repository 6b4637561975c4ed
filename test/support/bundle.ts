import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { renderDeployedConfig } from '../../bot/deployed-config';
import { lambdaBundleOptions, lambdaEntryFile } from '../../infra/bundling/bundling';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Bundles a Lambda function with the options the CDK stack uses, beside the example world's configuration as
 * the function reads it (validated JSON): what the benchmark measures and the bundle test runs is what ships.
 * - `bytes`: every file of the bundle (source maps aside);
 * - `coldBytes`: what a cold start reads: the entry, the chunks it imports, and those it imports while starting.
 */
export async function buildLambdaBundle(name: 'slack' | 'worker', dir: string) {
  mkdirSync(dir, { recursive: true });
  const options = lambdaBundleOptions(name);
  const outfile = join(dir, lambdaEntryFile(name));
  const { metafile } = await build({
    ...options,
    entryPoints: { index: join(ROOT, 'bot', 'lambdas', `${name}.lambda.ts`) },
    // Chunks need a directory; a single file is written as the one entry.
    ...(options.splitting === true ? { outdir: dir } : { outfile }),
    metafile: true,
    logLevel: 'error',
  });
  const configPath = join(dir, 'opsbot.config.json');
  writeFileSync(configPath, renderDeployedConfig(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'))));
  const code = Object.entries(metafile.outputs).filter(([file]) => !file.endsWith('.map'));
  return {
    outfile,
    configPath,
    bytes: code.reduce((sum, [, output]) => sum + output.bytes, 0),
    coldBytes: coldBytes(metafile, relative(process.cwd(), outfile)),
    files: code.map(([file]) => resolve(process.cwd(), file)),
  };
}

/** The entry's bytes and those of every chunk it reaches by static import, or by dynamic import from the entry. */
function coldBytes(metafile: Metafile, entry: string): number {
  const seen = new Set<string>();
  const visit = (file: string, fromEntry: boolean) => {
    if (seen.has(file) || metafile.outputs[file] === undefined) return;
    seen.add(file);
    for (const imported of metafile.outputs[file].imports) {
      if (imported.external) continue;
      if (imported.kind === 'import-statement' || (fromEntry && imported.kind === 'dynamic-import')) {
        visit(imported.path, false);
      }
    }
  };
  visit(entry, true);
  return [...seen].reduce((sum, file) => sum + (metafile.outputs[file]?.bytes ?? 0), 0);
}
