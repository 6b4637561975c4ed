import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SLACK_FUNCTION_MODULES from '../../infra/bundling/slack-function-modules.cjs';
import { buildLambdaBundle, deployedSlackEnv, invokeAsLambda } from '../support/bundle';
import { startSilentServer } from '../support/silent-server';
import { signedEvent, slashCommandBody } from '../support/slack';

/** One signed slash command, as Slack sends it to the request URL. */
function command(text: string) {
  return signedEvent(
    slashCommandBody(text, { responseUrl: 'http://127.0.0.1:9/r' }),
    'application/x-www-form-urlencoded',
  );
}

describe('the bundled slack function, as it ships', () => {
  it('loads with the unused modules left out and answers a signed /deploy help', async () => {
    // Prepare
    const { outfile, configPath, bytes, coldBytes, files } = await buildLambdaBundle(
      'slack',
      mkdtempSync(join(tmpdir(), 'opsbot-bundle-')),
    );
    const env = deployedSlackEnv(configPath);

    // Act
    const run = await invokeAsLambda(outfile, command('help'), env);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.result?.statusCode).toBe(200);
    expect(JSON.parse(run.result?.body ?? '{}').blocks[0].text.text).toBe('What opsbot can do');
    const bundle = files.map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(bundle).not.toMatch(/from"express"|require\("express"\)|body-parser/);
    // The function reads validated JSON: neither the YAML parser nor the configuration schema (full zod) ships.
    expect(bundle).not.toMatch(/YAMLParseError|ZodISODateTime/);
    // The acknowledgement path's three SDK clients (DynamoDB, Lambda, Secrets Manager) with the SDK core are bundled
    // in (loading them from node_modules costs more than the rest of the cold start); no client only the worker
    // calls is even referred to. The Store's client is a chunk read on first use.
    expect(bundle).toContain('DynamoDBClient');
    // Slash commands are English: the intents' sample utterances in other languages are the worker's and Lex's.
    expect(bundle).not.toContain('despliega {service}');
    expect(bundle).not.toContain('{service}를 배포해줘');
    expect(bundle).not.toMatch(/@aws-sdk\/client-(ecs|codedeploy|codepipeline|cloudwatch|ecr|health|lex-runtime-v2)/);
    expect(bytes).toBeLessThan(1.2 * 1024 * 1024);
    expect(coldBytes).toBeLessThan(0.7 * 1024 * 1024);
  });

  it('holds the intents as declared and nothing of what they do: no handler, reaction, deploy run or worker', async () => {
    // Act
    const { modules } = await buildLambdaBundle('slack', mkdtempSync(join(tmpdir(), 'opsbot-bundle-')));

    // Assess: every module of opsbot's own is one the edge may load (the list dependency-cruiser checks too) …
    const own = modules.filter((module) => /^(bot|intents|integrations)\/.+\.ts$/.test(module));
    const allowed = SLACK_FUNCTION_MODULES.map((pattern) => new RegExp(pattern));
    expect(own.filter((module) => !allowed.some((pattern) => pattern.test(module)))).toEqual([]);
    // … the declarations are there, and what runs an intent, a reaction or a job is not
    expect(own).toEqual(expect.arrayContaining(['intents/declarations.ts', 'intents/deploys/deploy.intent.ts']));
    for (const behaviour of [
      'intents/index.ts',
      'intents/deploys/deploy.handler.ts',
      'intents/deploys/run/start.ts',
      'bot/worker/dispatcher.ts',
      'bot/deps.ts',
    ]) {
      expect(own).not.toContain(behaviour);
    }
  });

  it('refuses to start without the worker it hands its jobs to, saying what to set', async () => {
    // Prepare: the deployed environment without the worker function's name
    const { outfile, configPath } = await buildLambdaBundle('slack', mkdtempSync(join(tmpdir(), 'opsbot-bundle-')));
    const { OPSBOT_WORKER_FUNCTION: _, ...env } = deployedSlackEnv(configPath);

    // Act
    const run = await invokeAsLambda(outfile, command('help'), env);

    // Assess
    expect(run.result?.statusCode).not.toBe(200);
    expect(run.stderr).toContain('OPSBOT_WORKER_FUNCTION');
  });

  it('answers with the AWS backend, as deployed, without loading an SDK client it did not bundle', async () => {
    // Prepare
    const { outfile, configPath } = await buildLambdaBundle('slack', mkdtempSync(join(tmpdir(), 'opsbot-bundle-')));

    // Act
    const run = await invokeAsLambda(outfile, command('help'), deployedSlackEnv(configPath));

    // Assess
    expect(run.stderr).toBe('');
    expect(run.result?.statusCode).toBe(200);
  });

  it('tells the person nothing was started, within Slack’s 3 s, when the worker hand-over hangs', async () => {
    // Prepare: a Lambda endpoint that takes the request and never answers
    const lambda = await startSilentServer();
    const { outfile, configPath } = await buildLambdaBundle('slack', mkdtempSync(join(tmpdir(), 'opsbot-bundle-')));
    const env = deployedSlackEnv(configPath, {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      LOG_LEVEL: 'ERROR',
    });

    // Act
    const run = await invokeAsLambda(outfile, command('pipelines api'), env);
    const attempts = lambda.connections();
    await lambda.close();

    // Assess: the hand-over was tried twice, then the acknowledgement said so
    expect(attempts).toBe(2);
    expect(run.result?.statusCode).toBe(200);
    expect(run.result?.body).toContain('I could not start that, so nothing was done.');
    expect(run.ms).toBeLessThan(3_000);
  }, 20_000);
});

describe('the bundled worker, as it ships', () => {
  it('keeps the language detector and the English model out of its bundle, and reads them from the files beside it', async () => {
    // Prepare: built outside the repository, so nothing resolves from the project's own node_modules
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-worker-bundle-'));
    const { bytes } = await buildLambdaBundle('worker', dir);
    writeFileSync(
      join(dir, 'reads.mjs'),
      [
        "import { createRequire } from 'node:module';",
        'const require = createRequire(import.meta.url);',
        "const { eld } = await import('eld/extrasmall');",
        "const nlp = require('wink-nlp')(require('wink-eng-lite-web-model'), ['sbd', 'negation', 'pos']);",
        "const negated = nlp.readDoc('do not deploy api').tokens().out(nlp.its.negationFlag);",
        "process.stdout.write(JSON.stringify({ language: eld.detect('despliega la api en producción, por favor').language, negated }));",
      ].join('\n'),
    );

    // Act
    const run = spawnSync(process.execPath, [join(dir, 'reads.mjs')], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });

    // Assess
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ language: 'es', negated: [false, false, true, true] });
    expect(bytes).toBeLessThan(1024 * 1024);
    expect(existsSync(join(dir, 'node_modules', 'eld', 'src', 'ngrams', 'large.js'))).toBe(false);
  });
});
