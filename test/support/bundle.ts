import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { renderDeployedConfig } from '../../bot/deployed-config';
import { lambdaBundleOptions, lambdaEntryFile, workerFilePackageCommands } from '../../infra/bundling/bundling';
import { TEST_SIGNING_SECRET } from './slack';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Bundles a Lambda function with the options the CDK stack uses, beside the example world's configuration as
 * the function reads it (validated JSON): what the benchmark measures and the bundle test runs is what ships.
 * - `bytes`: every file of the bundle (source maps aside);
 * - `coldBytes`: what a cold start reads: the entry, the chunks it imports, and those it imports while starting;
 * - `modules`: the source modules it holds.
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
  if (name === 'worker') {
    // The packages the worker ships as files beside its bundle, copied as the stack copies them.
    const copied = spawnSync('sh', ['-c', workerFilePackageCommands(dir).join(' && ')], { encoding: 'utf8' });
    if (copied.status !== 0) throw new Error(`copying the worker's packages failed: ${copied.stderr}`);
  }
  const configPath = join(dir, 'opsbot.config.json');
  writeFileSync(configPath, renderDeployedConfig(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'))));
  const code = Object.entries(metafile.outputs).filter(([file]) => !file.endsWith('.map'));
  return {
    outfile,
    configPath,
    bytes: code.reduce((sum, [, output]) => sum + output.bytes, 0),
    coldBytes: coldBytes(metafile, relative(process.cwd(), outfile)),
    files: code.map(([file]) => resolve(process.cwd(), file)),
    /** The source modules bundled, relative to the repository (`intents/declarations.ts`, `node_modules/…`). */
    modules: Object.keys(metafile.inputs).map((input) => relative(ROOT, resolve(process.cwd(), input))),
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

/** The slack function's environment as the stack sets it (the AWS backend), with the Slack secrets given directly. */
export function deployedSlackEnv(configPath: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    OPSBOT_CONFIG: configPath,
    OPSBOT_BACKEND: 'aws',
    OPSBOT_TABLE: 'opsbot',
    OPSBOT_WORKER_FUNCTION: 'opsbot-worker',
    AWS_REGION: 'eu-west-1',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-bundle',
    ...extra,
  };
}

/**
 * Runs a Lambda entry as the runtime does, from an ES module in a fresh node process (no CommonJS `require` in
 * scope): imports the entry, hands its handler one event, and reports the result and how long the call took. Run
 * from the temporary directory, with no node_modules above it, a package the bundle left out fails to load rather
 * than loading unseen. Anything the function logs stays apart from the result.
 */
export function invokeAsLambda(entry: string, event: unknown, env: NodeJS.ProcessEnv, exported = 'handler') {
  const script = [
    `const handler = (await import(${JSON.stringify(entry)}))[${JSON.stringify(exported)}];`,
    'const started = performance.now();',
    `const result = await handler(${JSON.stringify(event)}, {});`,
    `process.stdout.write('\\n${RESULT}' + JSON.stringify({ ms: performance.now() - started, result }));`,
  ].join(' ');
  return new Promise<{ result?: { statusCode: number; body: string }; ms: number; stderr: string }>((done) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env, cwd: tmpdir() });
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', () => {
      const at = stdout.lastIndexOf(`\n${RESULT}`);
      const reported = at < 0 ? { ms: Number.NaN } : JSON.parse(stdout.slice(at + RESULT.length + 1));
      done({ ...reported, stderr });
    });
  });
}

const RESULT = 'OPSBOT-LAMBDA-RESULT ';
