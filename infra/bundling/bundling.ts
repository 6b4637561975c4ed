import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { declarations } from '../../intents/declarations';
import { compileGrammar, EDGE_LANGUAGES } from '../../intents/matcher/tables';
import { IntentRegistry } from '../../intents/registry';

/** The stub that replaces modules a function never uses. */
export const UNUSED_MODULE = resolve(__dirname, 'unused-module.cjs');

/**
 * Modules Bolt requires at import time that the Lambda functions never call: Express and its body parsers (the
 * Express receiver), Socket Mode, OAuth, and raw-body (the HTTP receiver). Aliased to {@link UNUSED_MODULE}.
 */
export const LAMBDA_UNUSED_MODULES = ['express', '@slack/socket-mode', '@slack/oauth', 'raw-body'] as const;

/**
 * The AWS SDK clients on the slack function's acknowledgement path: the Store (DynamoDB), the hand-over to the
 * worker (Lambda) and the Slack secrets (Secrets Manager). They are bundled into that function, minified, with the
 * SDK core they share: loading them from the runtime's node_modules (hundreds of files resolved and compiled one by
 * one) costs more than the rest of the cold start (`npm run bench`, cold first ack).
 */
export const EDGE_SDK_CLIENTS = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-secrets-manager',
] as const;

/**
 * Packages the worker ships as files beside its bundle (in `node_modules/`) instead of inlining them: eld's n-gram
 * table and wink-nlp's English model are megabytes of data, which inlined would be parsed at every cold start (the
 * worker's first job went from 236 to 629 ms, `npm run bench`). As files they are read by the first message that
 * needs them. No package here has dependencies of its own.
 */
export const WORKER_FILE_PACKAGES = ['eld', 'wink-nlp', 'wink-eng-lite-web-model'] as const;

/** eld's larger n-gram tables, which opsbot never imports (it reads `eld/extrasmall`): left out of the copy. */
const UNUSED_PACKAGE_FILES = ['eld/src/ngrams/small.js', 'eld/src/ngrams/medium.js', 'eld/src/ngrams/large.js'];

/**
 * The shell commands that copy {@link WORKER_FILE_PACKAGES} from the project's `node_modules` into a bundle's
 * directory: for CDK's NodejsFunction (`afterBundling`) and the benchmark alike.
 */
export function workerFilePackageCommands(outputDir: string): string[] {
  const modules = resolve(__dirname, '..', '..', 'node_modules');
  return [
    `mkdir -p "${outputDir}/node_modules"`,
    ...WORKER_FILE_PACKAGES.map((p) => `cp -R "${modules}/${p}" "${outputDir}/node_modules/"`),
    ...UNUSED_PACKAGE_FILES.map((f) => `rm -f "${outputDir}/node_modules/${f}"`),
  ];
}

export type LambdaName = 'slack' | 'worker';

export interface LambdaBundleOptions {
  bundle: true;
  platform: 'node';
  target: string;
  format: 'cjs' | 'esm';
  minify: boolean;
  sourcemap: boolean;
  sourcesContent: boolean;
  legalComments: 'none';
  external: string[];
  alias: Record<string, string>;
  /** Globals replaced at bundling time: `OPSBOT_MATCHER_TABLES`, the matcher's grammar compiled (JSON). */
  define?: Record<string, string>;
  /** ESM only: code behind a dynamic `import()` goes to a chunk of its own, read when first imported. */
  splitting?: boolean;
  mainFields?: string[];
  outExtension?: Record<string, string>;
  banner?: { js: string };
}

/** The file a function's bundle starts from, as Lambda's handler setting names it (`index.handler`). */
export function lambdaEntryFile(name: LambdaName): string {
  return name === 'slack' ? 'index.mjs' : 'index.js';
}

/**
 * What Node.js gives CommonJS modules and an ES module lacks: the bundled packages written as CommonJS (Bolt and
 * its dependencies) call `require` for Node's own modules and read `__dirname`.
 */
const ESM_COMMONJS_SHIM = [
  "import { createRequire as __opsbotRequire } from 'node:module';",
  "import { fileURLToPath as __opsbotPath } from 'node:url';",
  "import { dirname as __opsbotDir } from 'node:path';",
  'const require = __opsbotRequire(import.meta.url);',
  'const __filename = __opsbotPath(import.meta.url);',
  'const __dirname = __opsbotDir(__filename);',
].join(' ');

/** The AWS SDK packages opsbot depends on directly (package.json), each one the runtime also provides. */
function sdkPackages(): string[] {
  const manifest = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return Object.keys(manifest.dependencies).filter((name) => name.startsWith('@aws-sdk/'));
}

/**
 * esbuild options shared by the CDK functions and the benchmark, so what is measured is what ships.
 * - The worker loads the AWS SDK the Node.js runtime provides (as CDK's NodejsFunction assumes by default), as
 *   one CommonJS file.
 * - The slack function bundles the three clients of its acknowledgement path and leaves out the rest, which only
 *   the worker calls. It is an ES module split into chunks at each dynamic `import()`: a cold start reads what a
 *   first slash command runs (Bolt, the edge and the listeners, and the SDK core with the Secrets Manager and Lambda
 *   clients, which its entry imports at init), while the Store's DynamoDB client and the worker's adapters are read
 *   when first used, so V8 never parses what the request does not run. Packages are resolved through their
 *   `module` entry (ES modules) so that esbuild can leave out what is never imported. `npm run bench` (cold first
 *   ack) measures the difference.
 * - The slack function carries the local matcher's grammar prebuilt (`intents/matcher/tables.ts`), so its cold
 *   start compiles only what depends on the configured names. The worker, which CDK's NodejsFunction bundles through
 *   a shell command line (where the tables' `$Service` features would be expanded), compiles it at start, as `npm
 *   start` and the tests do.
 */
export function lambdaBundleOptions(name: LambdaName): LambdaBundleOptions {
  const edge = new Set<string>(EDGE_SDK_CLIENTS);
  const shared: LambdaBundleOptions = {
    bundle: true,
    platform: 'node',
    // The oldest Node.js opsbot runs on (local runs); the Lambda runtime is newer.
    target: 'node20',
    format: 'cjs',
    minify: true,
    // As deployed: a source map beside the bundle, read by `--enable-source-maps` (NODE_OPTIONS) for stack traces.
    sourcemap: true,
    // Mappings only: stack traces need no sources, and a smaller map is read faster at cold start.
    sourcesContent: false,
    legalComments: 'none',
    external: name === 'worker' ? ['@aws-sdk/*', ...WORKER_FILE_PACKAGES] : sdkPackages().filter((p) => !edge.has(p)),
    alias: Object.fromEntries(LAMBDA_UNUSED_MODULES.map((m) => [m, UNUSED_MODULE])),
  };
  if (name === 'worker') return shared;
  return {
    ...shared,
    // The matcher's grammar depends on the intent declarations only: checked and compiled here, not at every cold
    // start.
    define: { OPSBOT_MATCHER_TABLES: JSON.stringify(compileGrammar(checked(declarations), EDGE_LANGUAGES)) },
    format: 'esm',
    splitting: true,
    mainFields: ['module', 'main'],
    outExtension: { '.js': '.mjs' },
    banner: { js: ESM_COMMONJS_SHIM },
  };
}

/** The declarations, once {@link IntentRegistry.check} has passed them: a bundle is never built from bad ones. */
function checked<T extends Parameters<typeof IntentRegistry.check>[0]>(intents: T): T {
  IntentRegistry.check(intents);
  return intents;
}
