import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

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

export type LambdaName = 'slack' | 'worker';

export interface LambdaBundleOptions {
  bundle: true;
  platform: 'node';
  target: string;
  format: 'cjs';
  minify: boolean;
  sourcemap: boolean;
  sourcesContent: boolean;
  legalComments: 'none';
  external: string[];
  alias: Record<string, string>;
}

/** The AWS SDK packages opsbot depends on directly (package.json), each one the runtime also provides. */
function sdkPackages(): string[] {
  const manifest = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return Object.keys(manifest.dependencies).filter((name) => name.startsWith('@aws-sdk/'));
}

/**
 * esbuild options shared by the CDK functions and the benchmark, so what is measured is what ships. The worker
 * loads the AWS SDK the Node.js runtime provides (as CDK's NodejsFunction assumes by default); the slack function
 * bundles the three clients of its acknowledgement path and leaves out the rest, which only the worker calls.
 */
export function lambdaBundleOptions(name: LambdaName): LambdaBundleOptions {
  const edge = new Set<string>(EDGE_SDK_CLIENTS);
  return {
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
    external: name === 'worker' ? ['@aws-sdk/*'] : sdkPackages().filter((p) => !edge.has(p)),
    alias: Object.fromEntries(LAMBDA_UNUSED_MODULES.map((m) => [m, UNUSED_MODULE])),
  };
}
