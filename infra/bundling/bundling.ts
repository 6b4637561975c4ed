import { resolve } from 'node:path';

/** The stub that replaces modules a function never uses. */
export const UNUSED_MODULE = resolve(__dirname, 'unused-module.cjs');

/**
 * Modules Bolt requires at import time that the Lambda functions never call: Express and its body parsers (the
 * Express receiver), Socket Mode, OAuth, and raw-body (the HTTP receiver). Aliased to {@link UNUSED_MODULE}.
 */
export const LAMBDA_UNUSED_MODULES = ['express', '@slack/socket-mode', '@slack/oauth', 'raw-body'] as const;

/** esbuild options shared by the CDK functions and the benchmark, so what is measured is what ships. */
export const lambdaBundleOptions: {
  bundle: true;
  platform: 'node';
  target: string;
  format: 'cjs';
  minify: boolean;
  sourcemap: boolean;
  legalComments: 'none';
  external: string[];
  alias: Record<string, string>;
} = {
  bundle: true,
  platform: 'node',
  // The oldest Node.js opsbot runs on (local runs); the Lambda runtime is newer.
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // The Node.js runtime provides the AWS SDK v3 (as CDK's NodejsFunction assumes by default); the ack path loads
  // a client only when it first sends a job, so the SDK costs nothing at cold init.
  external: ['@aws-sdk/*'],
  alias: Object.fromEntries(LAMBDA_UNUSED_MODULES.map((m) => [m, UNUSED_MODULE])),
};
