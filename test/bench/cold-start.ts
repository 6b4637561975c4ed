/**
 * Cold and warm figures of the Lambda functions in the shape they are deployed, each bundle run by plain node in a
 * fresh process (`cold-driver.mjs`) as a Lambda execution environment runs it:
 * - the slack function's **cold first ack**: load the bundle, answer the first signed slash command, with the
 *   DynamoDB Store on moto, the Slack secrets read from Secrets Manager on moto, and the hand-over to the worker
 *   (an async Lambda invoke) answered by a loopback stand-in; beside the same figure for the obvious Bolt app
 *   (`obvious-bolt-app.ts`: Bolt's AwsLambdaReceiver and the SDK clients, bundled plainly), interleaved in the same
 *   run, and their ratio; and two more in the same run: the floor under it (`floor-bolt-app.ts`: the same secrets,
 *   Bolt and hand-over with none of opsbot's code, bundled as the slack function is), and opsbot's figure with
 *   Secrets Manager {@link SECRETS_LATENCY_MS} away, as it is in a region rather than on loopback;
 * - the slack function's **warm ack** p50/p99 in that same process: commands (handed over, nothing written) and
 *   mentions (the message claimed in the Store on moto first);
 * - the worker's **cold first job**: understand "is the api pipeline green?" and answer it in Slack, reading the
 *   Store on moto and CodePipeline's GetPipelineState (which moto lacks) from a loopback stand-in that answers
 *   with AWS's published response.
 * The AWS SDK packages opsbot does not bundle are loaded from node_modules, as the Lambda runtime provides them.
 */
import '../../bot/node-support';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { build } from 'esbuild';
import { conversationKey, type InterpretJob } from '../../bot/jobs';
import { lambdaBundleOptions } from '../../infra/bundling/bundling';
import { SlackStandIn } from '../../integrations/slack/stand-in';
import { buildLambdaBundle } from '../support/bundle';
import { hasMoto, startMoto, storeTableInput } from '../support/moto';
import { signedEvent, signedMention, slashCommandBody, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../support/slack';

const ROOT = resolve(__dirname, '..', '..');
const DIST = join(ROOT, 'dist', 'bench-cold');
const DRIVER = join(__dirname, 'cold-driver.mjs');
const PIPELINE_STATE = join(
  ROOT,
  '..',
  'shared',
  'fixtures',
  'codepipeline-GetPipelineState-response__aws-cli-example.json',
);

/** How far away Secrets Manager is for the figure that reads it over a network: a request and its answer in a region. */
export const SECRETS_LATENCY_MS = 20;

const ms = (n: number) => Math.round(n * 10) / 10;
function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

interface DriverReport {
  readonly loadMs: number;
  readonly maxRssMb: number;
  readonly results: Array<{ ms: number; status: number | null }>;
}

function drive(bundle: string, inputs: unknown[], env: NodeJS.ProcessEnv): Promise<DriverReport> {
  const file = join(DIST, `inputs-${process.hrtime.bigint()}.json`);
  writeFileSync(file, JSON.stringify(inputs));
  return new Promise((done, fail) => {
    // BENCH_CPU_PROF=<dir>: a CPU profile of every run, for finding where a cold start goes.
    const profile = process.env.BENCH_CPU_PROF;
    const flags = profile !== undefined ? ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', profile] : [];
    const child = spawn(process.execPath, [...flags, DRIVER, bundle, file], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) =>
      status === 0 ? done(JSON.parse(stdout) as DriverReport) : fail(new Error(`${bundle}: ${stderr.slice(0, 2000)}`)),
    );
  });
}

/**
 * `target` behind a proxy that holds each answer for `delayMs`, as a service in a region keeps a caller waiting
 * (the connection set-up and TLS a region adds as well are not modelled). Requests pass unchanged, their signature
 * included; a failure upstream is answered 502.
 */
async function slowed(target: string, delayMs: number): Promise<Server> {
  const proxy = createServer((req, res) => {
    const failed = () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    };
    const chunks: Buffer[] = [];
    req.on('error', failed);
    res.on('error', () => undefined);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('error', failed);
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', () =>
          setTimeout(() => {
            if (res.headersSent) return;
            res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(body));
          }, delayMs),
        );
      });
      upstream.on('error', failed);
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return proxy;
}

/** AWS's side of the loopback: the worker's async invoke, and CodePipeline for the worker's question. */
function awsStandIn(pipelineState: unknown) {
  let invokes = 0;
  const handle = (req: IncomingMessage, body: string, res: ServerResponse) => {
    if (req.method === 'POST' && /^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(req.url ?? '')) {
      invokes++;
      res.writeHead(202, { 'content-type': 'application/json' }).end();
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(value));
    if (target === 'CodePipeline_20150709.GetPipelineState') {
      const { name } = JSON.parse(body) as { name: string };
      json(200, { ...(pipelineState as object), pipelineName: name });
    } else if (target === 'CodePipeline_20150709.ListPipelineExecutions') {
      json(200, { pipelineExecutionSummaries: [] });
    } else {
      json(400, { __type: 'UnknownOperationException', message: `the bench stand-in does not serve ${target}` });
    }
  };
  return { handle, invokes: () => invokes };
}

export interface ColdStartFigures {
  readonly runs: number;
  readonly firstAck: {
    readonly opsbotMs: number;
    readonly opsbotLoadMs: number;
    readonly obviousBoltMs: number;
    readonly obviousBoltLoadMs: number;
    readonly ratio: number;
    /** The least Bolt and the SDK cost for the same command, and that as a ratio to the obvious app. */
    readonly floorMs: number;
    readonly floorRatio: number;
    /** opsbot's cold first ack as a multiple of the floor's, same run: what opsbot's own code costs on top. */
    readonly toFloor: number;
    /** opsbot's cold first ack with Secrets Manager {@link SECRETS_LATENCY_MS} away. */
    readonly opsbotSecretsAwayMs: number;
    /** Every file of the slack bundle, and what its cold start reads of it (the entry and the chunks it loads). */
    readonly opsbotBundleBytes: number;
    readonly opsbotColdBytes: number;
    readonly obviousBundleBytes: number;
  };
  /** Commands (a hand-over, nothing in the Store) and mentions (the message claimed in the Store on moto). */
  readonly warmAck: {
    readonly requests: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly mentionP50Ms: number;
    readonly mentionP99Ms: number;
    /** The slack function's peak RSS after them: what its memory size must hold. */
    readonly maxRssMb: number;
  };
  readonly workerFirstJob?: {
    readonly firstJobMs: number;
    readonly loadMs: number;
    readonly bundleBytes: number;
    readonly maxRssMb: number;
  };
  readonly notes: string[];
}

export async function coldStartFigures(runs = 11, warmRequests = 1000): Promise<ColdStartFigures | undefined> {
  if (!hasMoto) {
    process.stderr.write('NOTICE: cold-start figures skipped: moto_server is not installed on this machine.\n');
    return undefined;
  }
  mkdirSync(DIST, { recursive: true });
  const notes: string[] = [];
  const moto = await startMoto();
  const pipelineState = existsSync(PIPELINE_STATE) ? JSON.parse(readFileSync(PIPELINE_STATE, 'utf8')) : undefined;
  if (pipelineState === undefined) notes.push('worker first job skipped: ../shared/fixtures is absent');
  const slack = new SlackStandIn('http://127.0.0.1:0', TEST_BOT_TOKEN);
  const aws = awsStandIn(pipelineState);
  const server = createServer((req, res) => {
    void slack.handle(req, res).then((handled) => {
      if (handled) return;
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => aws.handle(req, body, res));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const standIn = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  slack.baseUrl = standIn;
  let secretsAway: Server | undefined;
  try {
    // The Store's table as the stack declares it, and the two Slack secrets.
    const dynamo = new DynamoDBClient(moto.clientConfig);
    await dynamo.send(new CreateTableCommand(storeTableInput('opsbot-store')));
    await dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: 'opsbot-store',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
    dynamo.destroy();
    const secrets = new SecretsManagerClient(moto.clientConfig);
    const signing = await secrets.send(
      new CreateSecretCommand({ Name: 'opsbot-signing-secret', SecretString: TEST_SIGNING_SECRET }),
    );
    const token = await secrets.send(
      new CreateSecretCommand({ Name: 'opsbot-bot-token', SecretString: TEST_BOT_TOKEN }),
    );
    secrets.destroy();

    const ours = await buildLambdaBundle('slack', join(DIST, 'slack'));
    const floorDir = join(DIST, 'floor');
    // The slack function's options, less opsbot's prebuilt matcher tables, which the floor has no use for.
    const { define: _opsbotTables, ...floorOptions } = lambdaBundleOptions('slack');
    await build({
      ...floorOptions,
      entryPoints: { index: join(__dirname, 'floor-bolt-app.ts') },
      outdir: floorDir,
      logLevel: 'error',
    });
    const floorFile = join(floorDir, 'index.mjs');
    const worker = await buildLambdaBundle('worker', join(DIST, 'worker'));
    // The obvious app: bundled plainly, as CDK's NodejsFunction does by default (the SDK left to the runtime).
    const obviousFile = join(DIST, 'obvious', 'index.js');
    await build({
      entryPoints: [join(__dirname, 'obvious-bolt-app.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile: obviousFile,
      external: ['@aws-sdk/*'],
      logLevel: 'error',
    });

    const awsEnv = {
      ...process.env,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_SESSION_TOKEN: 'testing',
      // As in Lambda: no shared config files, credentials from the environment.
      AWS_CONFIG_FILE: join(DIST, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(DIST, 'no-aws-credentials'),
      AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: standIn,
      AWS_ENDPOINT_URL_CODEPIPELINE: standIn,
      AWS_LAMBDA_FUNCTION_NAME: 'opsbot-bench',
      SLACK_API_URL: `${standIn}/api/`,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      LOG_LEVEL: 'ERROR',
    };
    const opsbotEnv = (configPath: string, sourceMaps = false) => ({
      ...awsEnv,
      OPSBOT_CONFIG: configPath,
      // As the stack sets it: the worker reads its source map at start, the slack function does not.
      ...(sourceMaps && { NODE_OPTIONS: '--enable-source-maps' }),
      OPSBOT_BACKEND: 'aws',
      OPSBOT_TABLE: 'opsbot-store',
      OPSBOT_WORKER_FUNCTION: 'opsbot-worker',
      SLACK_SIGNING_SECRET_ARN: signing.ARN,
      SLACK_BOT_TOKEN_SECRET_ARN: token.ARN,
    });
    const obviousEnv = {
      ...awsEnv,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      OPSBOT_TABLE: 'opsbot-store',
      OPSBOT_WORKER_FUNCTION: 'opsbot-worker',
    };
    const slash = () =>
      signedEvent(
        slashCommandBody('pipelines api', { responseUrl: `${standIn}/local/response/none` }),
        'application/x-www-form-urlencoded',
      );

    secretsAway = await slowed(moto.endpoint, SECRETS_LATENCY_MS);
    const secretsAwayEnv = {
      ...opsbotEnv(ours.configPath),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secretsAway.address() as AddressInfo).port}`,
    };
    const floorFirst: number[] = [];
    const awayFirst: number[] = [];
    const opsbotFirst: number[] = [];
    const opsbotLoad: number[] = [];
    const obviousFirst: number[] = [];
    const obviousLoad: number[] = [];
    const invokesBefore = aws.invokes();
    // Interleaved, so drift in the machine's load affects both alike; the first pair warms the disk cache.
    for (let i = 0; i <= runs; i++) {
      const mine = await drive(ours.outfile, [slash()], opsbotEnv(ours.configPath));
      const theirs = await drive(obviousFile, [slash()], obviousEnv);
      const floor = await drive(floorFile, [slash()], opsbotEnv(ours.configPath));
      const away = await drive(ours.outfile, [slash()], secretsAwayEnv);
      for (const [name, report] of [
        ['opsbot', mine],
        ['obvious Bolt app', theirs],
        ['floor', floor],
        ['opsbot, Secrets Manager away', away],
      ] as const) {
        if (report.results[0]?.status !== 200) throw new Error(`${name}: HTTP ${report.results[0]?.status}`);
      }
      if (i === 0) continue;
      opsbotFirst.push(mine.results[0]?.ms as number);
      opsbotLoad.push(mine.loadMs);
      obviousFirst.push(theirs.results[0]?.ms as number);
      obviousLoad.push(theirs.loadMs);
      floorFirst.push(floor.results[0]?.ms as number);
      awayFirst.push(away.results[0]?.ms as number);
    }
    if (aws.invokes() - invokesBefore !== 4 * (runs + 1)) {
      throw new Error(`expected every first ack to hand its job to the worker; saw ${aws.invokes() - invokesBefore}`);
    }

    // Warm: the same process answers on, commands and mentions in turn. A command's acknowledgement only hands its
    // job over (the worker claims the delivery); a mention's first claims the message in the Store on moto.
    const warmup = 100;
    const mention = () => signedMention('is the api pipeline green?');
    const inputs = Array.from({ length: 1 + 2 * (warmup + warmRequests) }, (_, i) =>
      i % 2 === 0 ? slash() : mention(),
    );
    const warm = await drive(ours.outfile, inputs, opsbotEnv(ours.configPath));
    if (warm.results.some((r) => r.status !== 200)) throw new Error('warm ack: a request was not answered 200');
    const after = warm.results.slice(1 + 2 * warmup);
    const commandMs = after.filter((_, i) => i % 2 === 1).map((r) => r.ms);
    const mentionMs = after.filter((_, i) => i % 2 === 0).map((r) => r.ms);

    let workerFirstJob: ColdStartFigures['workerFirstJob'];
    if (pipelineState !== undefined) {
      const firstJobs: number[] = [];
      const loads: number[] = [];
      let rss = 0;
      for (let i = 0; i <= runs; i++) {
        const before = slack.messages.length;
        const job: InterpretJob = {
          kind: 'interpret',
          text: 'is the api pipeline green?',
          actor: { userId: 'U0ALICE001', teamId: 'T0LOCAL001', channelId: 'C0DEPLOYS01' },
          replyTo: { channel: 'C0DEPLOYS01' },
          conversationKey: conversationKey('T0LOCAL001', 'C0DEPLOYS01', undefined),
        };
        const report = await drive(worker.outfile, [job], opsbotEnv(worker.configPath, true));
        const answer = slack.messages.slice(before).find((m) => /api-pipeline/.test(JSON.stringify(m)));
        if (answer === undefined) throw new Error('worker first job: no answer about api-pipeline reached Slack');
        if (i === 0) continue;
        firstJobs.push(report.results[0]?.ms as number);
        loads.push(report.loadMs);
        rss = Math.max(rss, report.maxRssMb);
      }
      workerFirstJob = {
        firstJobMs: ms(percentile(firstJobs, 50)),
        loadMs: ms(percentile(loads, 50)),
        bundleBytes: worker.bytes,
        maxRssMb: Math.round(rss),
      };
    }

    const opsbotMs = percentile(opsbotFirst, 50);
    const obviousMs = percentile(obviousFirst, 50);
    return {
      runs,
      firstAck: {
        opsbotMs: ms(opsbotMs),
        opsbotLoadMs: ms(percentile(opsbotLoad, 50)),
        obviousBoltMs: ms(obviousMs),
        obviousBoltLoadMs: ms(percentile(obviousLoad, 50)),
        ratio: Math.round((opsbotMs / obviousMs) * 100) / 100,
        floorMs: ms(percentile(floorFirst, 50)),
        floorRatio: Math.round((percentile(floorFirst, 50) / obviousMs) * 100) / 100,
        toFloor: Math.round((opsbotMs / percentile(floorFirst, 50)) * 100) / 100,
        opsbotSecretsAwayMs: ms(percentile(awayFirst, 50)),
        opsbotBundleBytes: ours.bytes,
        opsbotColdBytes: ours.coldBytes,
        obviousBundleBytes: readFileSync(obviousFile).length,
      },
      warmAck: {
        requests: commandMs.length,
        p50Ms: ms(percentile(commandMs, 50)),
        p99Ms: ms(percentile(commandMs, 99)),
        mentionP50Ms: ms(percentile(mentionMs, 50)),
        mentionP99Ms: ms(percentile(mentionMs, 99)),
        maxRssMb: Math.round(warm.maxRssMb),
      },
      ...(workerFirstJob !== undefined && { workerFirstJob }),
      notes,
    };
  } finally {
    server.close();
    secretsAway?.close();
    await moto.stop();
  }
}

if (require.main === module) {
  void coldStartFigures().then((figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`));
}
