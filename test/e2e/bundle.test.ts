import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpLambdaEvent, HttpLambdaResult } from '../../bot/edge/lambda-edge';
import { buildLambdaBundle } from '../support/bundle';
import { signedEvent, slashCommandBody, TEST_SIGNING_SECRET } from '../support/slack';

describe('the bundled slack function, as it ships', () => {
  it('loads with the unused modules left out and answers a signed /deploy help', async () => {
    // Prepare
    const { outfile, configPath, bytes } = await buildLambdaBundle(
      'slack',
      mkdtempSync(join(tmpdir(), 'opsbot-bundle-')),
    );
    const saved = { ...process.env };
    Object.assign(process.env, {
      OPSBOT_CONFIG: configPath,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bundle',
    });

    // Act
    let result: HttpLambdaResult;
    try {
      const { handler } = require(outfile) as {
        handler: (e: HttpLambdaEvent, c: unknown) => Promise<HttpLambdaResult>;
      };
      result = await handler(
        signedEvent(
          slashCommandBody('help', { responseUrl: 'http://127.0.0.1:9/r' }),
          'application/x-www-form-urlencoded',
        ),
        {},
      );
    } finally {
      process.env = saved;
    }

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).blocks[0].text.text).toBe('What opsbot can do');
    const bundle = readFileSync(outfile, 'utf8');
    expect(bundle).not.toMatch(/require\("express"\)|body-parser/);
    // The function reads validated JSON: neither the YAML parser nor the configuration schema (full zod) ships.
    expect(bundle).not.toMatch(/YAMLParseError|ZodISODateTime/);
    // 1.15 MiB: the acknowledgement path's three SDK clients (DynamoDB, Lambda, Secrets Manager) with the SDK core
    // are bundled in (loading them from node_modules costs more than the rest of the cold start); the clients only
    // the worker calls are not.
    expect(bytes).toBeLessThan(1.15 * 1024 * 1024);
    expect(bundle).toContain('DynamoDBClient');
    expect(bundle).toMatch(/require\("@aws-sdk\/client-ecs"\)/);
  });

  it('loads no AWS SDK module at cold start with the AWS backend, as deployed', async () => {
    // Prepare
    const { outfile, configPath } = await buildLambdaBundle('slack', mkdtempSync(join(tmpdir(), 'opsbot-bundle-')));
    const env = {
      ...process.env,
      OPSBOT_CONFIG: configPath,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bundle',
      OPSBOT_BACKEND: 'aws',
      OPSBOT_TABLE: 'opsbot',
      OPSBOT_WORKER_FUNCTION: 'opsbot-worker',
      AWS_REGION: 'eu-west-1',
    };

    // Act
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(outfile)}); console.log(Object.keys(require.cache).filter((k) => k.includes('@aws-sdk')).length)`,
      ],
      { env, encoding: 'utf8' },
    );

    // Assess
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('0');
  });
});
