import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { renderDeployedConfig } from '../../bot/deployed-config';
import type { HttpLambdaEvent, HttpLambdaResult } from '../../bot/edge/lambda-edge';
import { lambdaBundleOptions } from '../../infra/bundling/bundling';
import { signedEvent, slashCommandBody, TEST_SIGNING_SECRET } from '../support/slack';

const ROOT = resolve(__dirname, '..', '..');

describe('the bundled slack function, as it ships', () => {
  it('loads with the unused modules left out and answers a signed /deploy help', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-bundle-'));
    const outfile = join(dir, 'index.js');
    await build({
      ...lambdaBundleOptions,
      entryPoints: [join(ROOT, 'bot', 'lambdas', 'slack.lambda.ts')],
      outfile,
      logLevel: 'error',
    });
    writeFileSync(
      join(dir, 'config.json'),
      renderDeployedConfig(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'))),
    );
    const saved = { ...process.env };
    Object.assign(process.env, {
      OPSBOT_CONFIG: join(dir, 'config.json'),
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
  });
});
