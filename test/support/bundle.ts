import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { renderDeployedConfig } from '../../bot/deployed-config';
import { lambdaBundleOptions } from '../../infra/bundling/bundling';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Bundles a Lambda function with the options the CDK stack uses, beside the example world's configuration as
 * the function reads it (validated JSON): what the benchmark measures and the bundle test runs is what ships.
 */
export async function buildLambdaBundle(name: 'slack' | 'worker', dir: string) {
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.js');
  await build({
    ...lambdaBundleOptions(name),
    entryPoints: [join(ROOT, 'bot', 'lambdas', `${name}.lambda.ts`)],
    outfile,
    logLevel: 'error',
  });
  const configPath = join(dir, 'opsbot.config.json');
  writeFileSync(configPath, renderDeployedConfig(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'))));
  return { outfile, configPath, bytes: statSync(outfile).size };
}
