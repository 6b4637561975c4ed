// One fresh process, as a Lambda execution environment is: load the bundle, hand it the inputs one after the other,
// and report how long each took. The first figure is the cold one. Times are from this script's first line, so the
// node binary's own start (the same for every bundle, and the runtime's on Lambda) is left out.
const startMs = performance.now();
const { readFileSync } = require('node:fs');

const inputs = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const context = {
  functionName: 'opsbot-bench',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 60_000,
};

(async () => {
  // As the Lambda runtime loads a handler: an ES module (the slack function, `.mjs`) by import, CommonJS by require.
  const entry = process.argv[2];
  const { handler } = entry.endsWith('.mjs') ? await import(entry) : require(entry);
  const loadedMs = performance.now();
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
})().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
});
