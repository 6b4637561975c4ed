// One fresh process, as a Lambda execution environment is: load the bundle, hand it the inputs one after the other,
// and report how long each took. The first figure is the cold one. Times are from this script's first line, so the
// node binary's own start (the same for every bundle, and the runtime's on Lambda) is left out. Like the Lambda
// Node.js runtime, which is itself an ES module, this script is one: it imports an ES module handler (`.mjs`) and
// requires a CommonJS one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const startMs = performance.now();
const require = createRequire(import.meta.url);
const entry = process.argv[2];
const { handler } = entry.endsWith('.mjs') ? await import(entry) : require(entry);
const loadedMs = performance.now();
const inputs = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const context = {
  functionName: 'opsbot-bench',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 60_000,
};

try {
  const results = [];
  let last = startMs;
  for (const input of inputs) {
    const result = await handler(input, context, () => {});
    const now = performance.now();
    results.push({ ms: now - last, status: result?.statusCode ?? null });
    last = now;
  }
  process.stdout.write(
    JSON.stringify({ loadMs: loadedMs - startMs, results, maxRssMb: process.resourceUsage().maxRSS / 1024 }),
  );
  process.exit(0);
} catch (error) {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
}
