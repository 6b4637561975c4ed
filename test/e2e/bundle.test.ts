import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLambdaBundle } from '../support/bundle';
import { signedEvent, slashCommandBody, TEST_SIGNING_SECRET } from '../support/slack';

/**
 * Runs the bundle as the Lambda runtime does, from an ES module in a fresh node process (no CommonJS `require` in
 * scope, as in the runtime): imports the entry (an ES module), then
 * hands it one signed `/deploy help`. The bundle sits in a temporary directory with no node_modules above it, so
 * any package it did not bundle (a worker-only SDK client) fails to load rather than loading unseen.
 */
function answerHelp(outfile: string, env: NodeJS.ProcessEnv) {
  const event = signedEvent(
    slashCommandBody('help', { responseUrl: 'http://127.0.0.1:9/r' }),
    'application/x-www-form-urlencoded',
  );
  const script = `import(${JSON.stringify(outfile)}).then(({ handler }) => handler(${JSON.stringify(event)}, {})).then((r) => process.stdout.write(JSON.stringify(r)))`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8', cwd: tmpdir() });
}

describe('the bundled slack function, as it ships', () => {
  it('loads with the unused modules left out and answers a signed /deploy help', async () => {
    // Prepare
    const { outfile, configPath, bytes, coldBytes, files } = await buildLambdaBundle(
      'slack',
      mkdtempSync(join(tmpdir(), 'opsbot-bundle-')),
    );
    const env = {
      PATH: process.env.PATH,
      OPSBOT_CONFIG: configPath,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bundle',
    };

    // Act
    const run = answerHelp(outfile, env);

    // Assess
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).blocks[0].text.text).toBe('What opsbot can do');
    const bundle = files.map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(bundle).not.toMatch(/from"express"|require\("express"\)|body-parser/);
    // The function reads validated JSON: neither the YAML parser nor the configuration schema (full zod) ships.
    expect(bundle).not.toMatch(/YAMLParseError|ZodISODateTime/);
    // The acknowledgement path's three SDK clients (DynamoDB, Lambda, Secrets Manager) with the SDK core are bundled
    // in (loading them from node_modules costs more than the rest of the cold start); the clients only the worker
    // calls are not. A cold start reads about half of it: the Store's client and the worker's adapters are chunks
    // read on first use.
    expect(bundle).toContain('DynamoDBClient');
    expect(bundle).toMatch(/from"@aws-sdk\/client-ecs"/);
    expect(bytes).toBeLessThan(1.2 * 1024 * 1024);
    expect(coldBytes).toBeLessThan(0.7 * 1024 * 1024);
  });

  it('answers with the AWS backend, as deployed, without loading an SDK client it did not bundle', async () => {
    // Prepare
    const { outfile, configPath } = await buildLambdaBundle('slack', mkdtempSync(join(tmpdir(), 'opsbot-bundle-')));
    const env = {
      PATH: process.env.PATH,
      OPSBOT_CONFIG: configPath,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bundle',
      OPSBOT_BACKEND: 'aws',
      OPSBOT_TABLE: 'opsbot',
      OPSBOT_WORKER_FUNCTION: 'opsbot-worker',
      AWS_REGION: 'eu-west-1',
    };

    // Act
    const run = answerHelp(outfile, env);

    // Assess
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).statusCode).toBe(200);
  });

  it('tells the person nothing was started, within Slack’s 3 s, when the worker hand-over hangs', async () => {
    // Prepare: a Lambda endpoint that takes the request and never answers
    const sockets: Socket[] = [];
    const lambda = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((r) => lambda.listen(0, '127.0.0.1', r));
    const { outfile, configPath } = await buildLambdaBundle('slack', mkdtempSync(join(tmpdir(), 'opsbot-bundle-')));
    const event = signedEvent(
      slashCommandBody('pipelines api', { responseUrl: 'http://127.0.0.1:9/r' }),
      'application/x-www-form-urlencoded',
    );
    const script = `const { handler } = await import(${JSON.stringify(outfile)}); const t = performance.now(); const r = await handler(${JSON.stringify(event)}, {}); process.stdout.write('\\nRESULT ' + JSON.stringify({ ms: performance.now() - t, r }))`;

    // Act
    const stdout = await new Promise<string>((done) => {
      let out = '';
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: tmpdir(),
        env: {
          PATH: process.env.PATH,
          OPSBOT_CONFIG: configPath,
          SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
          SLACK_BOT_TOKEN: 'xoxb-bundle',
          OPSBOT_BACKEND: 'aws',
          OPSBOT_TABLE: 'opsbot',
          OPSBOT_WORKER_FUNCTION: 'opsbot-worker',
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`,
          LOG_LEVEL: 'ERROR',
        },
      });
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.on('close', () => done(out));
    });
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => lambda.close(r));

    // Assess: the hand-over was tried twice, then the acknowledgement said so
    const { ms, r } = JSON.parse(stdout.slice(stdout.indexOf('\nRESULT ') + 8)) as {
      ms: number;
      r: { statusCode: number; body: string };
    };
    expect(sockets).toHaveLength(2);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('I could not start that, so nothing was done.');
    expect(ms).toBeLessThan(3_000);
  }, 20_000);
});
