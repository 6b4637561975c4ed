/**
 * `npm run bench`: figures, not pass/fail. Writes bench/results.json and prints a table.
 * - the functions as deployed (`cold-start.ts`): the slack function's cold first ack beside the obvious Bolt app's,
 *   its warm ack on the DynamoDB Store on moto, and the worker's cold first job;
 * - the local matcher: throughput and per-utterance p99;
 * - the deploy message on the sandbox clock: updates per deployment, and the delay from a phase to the message.
 */
import '../../bot/node-support';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { messageKey } from '../../bot/jobs';
import { vocabularyOf } from '../../bot/vocabulary';
import { lambdaBundleOptions } from '../../infra/bundling/bundling';
import { CodePipelinePipelines } from '../../integrations/aws/codepipeline.adapter';
import { Claims } from '../../integrations/claims';
import { ClockWatcher, WATCH_INTERVAL_MS } from '../../integrations/clock-watcher';
import type { DeploymentStep } from '../../integrations/deployments.port';
import { FileStore } from '../../integrations/sandbox/file-store';
import type { Store } from '../../integrations/store.port';
import { intents } from '../../intents';
import { type DeployRun, loadRun } from '../../intents/deploys/run/record';
import { startRun } from '../../intents/deploys/run/start';
import { pollRun } from '../../intents/deploys/run/watch';
import { stepWords } from '../../intents/format';
import { understandingFor } from '../../intents/matcher/worker-understanding';
import { plainText } from '../../intents/reply';
import { sandboxPorts } from '../support/ports';
import { type ColdStartFigures, coldStartFigures, SECRETS_LATENCY_MS } from './cold-start';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'bench');
const DIST = join(ROOT, 'dist', 'bench-slack');

const median = (xs: number[]) => percentile(xs, 50);
function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}
const ms = (n: number) => Math.round(n * 100) / 100;

/**
 * The local FileStore as it fills: the claim the worker takes of each message (a mention's first write), p50 and
 * p99, on an empty store and on one holding 100,000 claims (each change is one appended line, so the cost must not
 * grow with the store).
 */
async function fileStoreAck(stored = 100_000, samples = 2000) {
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-bench-store-'));
  const claimTimes = async (store: Store) => {
    const claims = new Claims(store);
    const times: number[] = [];
    for (let i = 0; i < samples + 200; i++) {
      const started = performance.now();
      await claims.claim(messageKey('C0DEPLOYS01', `${2_000_000_000 + i}.000200`), 600);
      if (i >= 200) times.push(performance.now() - started);
    }
    return times;
  };
  const empty = await claimTimes(new FileStore(join(dir, 'empty.jsonl')));
  const full = new FileStore(join(dir, 'full.jsonl'));
  for (let i = 0; i < stored; i++) await full.putIfAbsent(`claim:message:C0DEPLOYS01:${i}.000100`, 1, 3600);
  const loaded = await claimTimes(full);
  const emptyP50 = ms(percentile(empty, 50));
  const fullP50 = ms(percentile(loaded, 50));
  return {
    stored,
    emptyP50Ms: emptyP50,
    fullP50Ms: fullP50,
    ratio: ms(fullP50 / emptyP50),
    emptyP99Ms: ms(percentile(empty, 99)),
    fullP99Ms: ms(percentile(loaded, 99)),
  };
}

function matcherThroughput() {
  const config = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
  // The worker's matcher: every language's sample utterances.
  const { matcher } = understandingFor(intents, vocabularyOf(config));
  const utterances = readFileSync(join(ROOT, 'test', 'nlu', 'utterances.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text);
  for (let i = 0; i < 2000; i++) matcher.classify(utterances[i % utterances.length] as string);
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  let n = 0;
  while (Number(process.hrtime.bigint() - start) < 1e9) {
    const t = process.hrtime.bigint();
    matcher.classify(utterances[n % utterances.length] as string);
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    n++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { utterancesPerSecond: Math.round(n / seconds), p99Ms: Math.round(percentile(samples, 99) * 1e4) / 1e4 };
}

/** The pipeline overview of 200 pipelines, every CodePipeline call answered after 100 ms (a mocked client). */
async function pipelinesOverview(count = 200, latencyMs = 100, failing = 10) {
  const codepipeline = mockClient(CodePipelineClient);
  let calls = 0;
  const slow = <T>(value: T) =>
    new Promise<T>((resolve) => {
      calls++;
      setTimeout(() => resolve(value), latencyMs);
    });
  const names = Array.from({ length: count }, (_, i) => `service-${String(i).padStart(3, '0')}-pipeline`);
  codepipeline.on(ListPipelinesCommand).callsFake(({ maxResults = 100, nextToken }) => {
    const start = Number(nextToken ?? 0);
    const page = names.slice(start, start + Math.min(maxResults, 1000));
    const next = start + page.length < names.length ? String(start + page.length) : undefined;
    return slow({ pipelines: page.map((name) => ({ name })), ...(next !== undefined && { nextToken: next }) });
  });
  codepipeline.on(ListPipelineExecutionsCommand).callsFake(({ pipelineName }) =>
    slow({
      pipelineExecutionSummaries: [
        {
          pipelineExecutionId: 'e',
          status: names.indexOf(pipelineName) < failing ? 'Failed' : 'Succeeded',
          startTime: new Date(),
        },
      ],
    }),
  );
  codepipeline.on(GetPipelineStateCommand).callsFake(() =>
    slow({
      stageStates: [
        { stageName: 'Build', latestExecution: { status: 'Failed', pipelineExecutionId: 'e' }, actionStates: [] },
      ],
    }),
  );
  const adapter = new CodePipelinePipelines(new CodePipelineClient({ region: 'eu-west-1' }));
  const start = process.hrtime.bigint();
  const list = await adapter.list();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  codepipeline.restore();
  if (list.length !== count) throw new Error(`overview listed ${list.length} of ${count}`);
  return {
    pipelines: count,
    simulatedLatencyMs: latencyMs,
    awsCalls: calls,
    overviewMs: Math.round(ms),
    sequentialMs: calls * latencyMs,
  };
}

/**
 * The daily digest's fan-out (`digest-fanout.ts`), in a process of its own so its peak RSS is the digest's: 200
 * accounts × 4 regions, every AWS call answered after 150 ms.
 */
async function maintenanceDigestFanOut() {
  // Bundled as the worker is (esbuild, the SDK left to the runtime) and run by plain node, as Lambda runs it.
  const outfile = join(DIST, 'digest-fanout.js');
  await build({
    ...lambdaBundleOptions('worker'),
    entryPoints: [join(__dirname, 'digest-fanout.ts')],
    outfile,
    logLevel: 'error',
  });
  const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8', maxBuffer: 1 << 20, cwd: ROOT });
  if (run.status !== 0) throw new Error(`digest fan-out failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as {
    accounts: number;
    regions: number;
    simulatedLatencyMs: number;
    awsCalls: number;
    stsCalls: number;
    notices: number;
    digestMs: number;
    sequentialMs: number;
    speedup: number;
    peakRssMb: number;
    baselineRssMb: number;
  };
}

/**
 * The deploy message on the sandbox with a controlled clock, second by second, the watcher polling every 10 s as in
 * production: how many updates a deployment costs against its phases and duration, and how long after a phase starts
 * the message shows it (target: within one poll).
 */
async function deployMessages() {
  // The sandbox's steps last whole multiples of 10 s: polls are offset so they fall between steps, as they would on
  // AWS, where a step can start at any moment of the 10 s between two polls.
  const cases = [
    { name: 'CodeDeploy blue/green', service: 'web', fail: false, offsetMs: 2_500 },
    { name: 'CodeDeploy blue/green', service: 'web', fail: false, offsetMs: 7_500 },
    { name: 'ECS linear', service: 'worker', fail: false, offsetMs: 5_000 },
    { name: 'CodeDeploy, failed + AWS rollback', service: 'api', fail: true, offsetMs: 5_000 },
  ];
  const rows = [];
  for (const c of cases) {
    const base = sandboxPorts();
    const { clock, sandbox, announcer } = base;
    const watcher = new ClockWatcher(
      clock,
      (_id, error) => {
        throw error;
      },
      WATCH_INTERVAL_MS,
      c.offsetMs,
    );
    const ports = { ...base.ports, watcher };
    watcher.attach((runId) => pollRun(runId, ports));
    if (c.fail) sandbox.deployments.failNext(c.service, 'staging');
    const current = await ports.deployments.current(c.service, 'staging');
    await startRun(
      { kind: 'deploy', service: c.service, environment: 'staging', version: `${current.version}-next` },
      { userId: 'U0BENCH001', channelId: 'C0BENCH001' },
      ports,
    );
    const run = (await ports.store.list<DeployRun>('deploys'))[0] as DeployRun;
    const started = clock.now();
    const changedAt = new Map<string, number>();
    const shownAt = new Map<string, number>();
    let last = '';
    let ended = false;
    for (let second = 0; second < 3 * 60 * 60 && !ended; second++) {
      clock.advance(1000);
      const d = await ports.deployments.get(c.service, 'staging', run.deploymentId as string);
      const phase = d.status === 'InProgress' ? d.step : `end:${d.step}`;
      if (phase !== last) {
        changedAt.set(phase, clock.now());
        last = phase;
      }
      await watcher.tick();
      const message = announcer.messages()[0];
      const text = plainText(message?.reply.summary ?? '');
      for (const p of changedAt.keys()) {
        if (shownAt.has(p)) continue;
        const words = p.startsWith('end:')
          ? d.status === 'Succeeded'
            ? 'Succeeded in'
            : 'Failed'
          : stepWords(p as DeploymentStep);
        if (text.includes(words)) shownAt.set(p, clock.now());
      }
      ended = (await loadRun(run.id, ports))?.state === 'ended';
    }
    const delays = [...changedAt].map(([p, at]) => ((shownAt.get(p) ?? Number.NaN) - at) / 1000);
    rows.push({
      case: `${c.name}, polls ${c.offsetMs / 1000} s into a step`,
      phases: changedAt.size,
      durationMin: Math.round((clock.now() - started) / 6000) / 10,
      updates: announcer.messages()[0]?.updates.length ?? 0,
      threadLines: announcer.posts.filter((p) => p.thread !== undefined).length,
      maxDelayS: Math.max(...delays),
      medianDelayS: median(delays),
    });
  }
  return rows;
}

function coldRows(cold: ColdStartFigures | undefined): Array<[string, string, string]> {
  if (cold === undefined) return [['cold and warm ack', 'skipped (no moto_server)', '']];
  const kib = (b: number) => `${Math.round(b / 1024)} KiB`;
  const { firstAck, warmAck, workerFirstJob } = cold;
  return [
    // The slack function's entry returns at once; its init goes on beside the first request (secrets, chunks).
    ['slack: cold first ack (median)', `${firstAck.opsbotMs} ms (entry imported ${firstAck.opsbotLoadMs} ms)`, ''],
    ['  obvious Bolt app, same run', `${firstAck.obviousBoltMs} ms (load ${firstAck.obviousBoltLoadMs} ms)`, ''],
    ['  floor: secrets, Bolt, hand-over, nothing else', `${firstAck.floorMs} ms`, ''],
    ['  opsbot to the floor', `${firstAck.toFloor}×`, '≤ 1.15×'],
    ['  opsbot to the obvious app (the floor to it)', `${firstAck.ratio}× (${firstAck.floorRatio}×)`, '≤ 0.45×'],
    [`  opsbot, Secrets Manager ${SECRETS_LATENCY_MS} ms away`, `${firstAck.opsbotSecretsAwayMs} ms`, ''],
    [
      '  bundles',
      `${kib(firstAck.opsbotBundleBytes)} (${kib(firstAck.opsbotColdBytes)} read at cold start) / ${kib(firstAck.obviousBundleBytes)}`,
      '',
    ],
    [
      `slack: warm ack p50 / p99, commands (${warmAck.requests})`,
      `${warmAck.p50Ms} / ${warmAck.p99Ms} ms`,
      'p99 ≤ 10 ms',
    ],
    ['  mentions (handed over, nothing stored)', `${warmAck.mentionP50Ms} / ${warmAck.mentionP99Ms} ms`, 'p99 ≤ 10 ms'],
    ['slack: peak RSS', `${warmAck.maxRssMb} MB`, ''],
    ...(workerFirstJob === undefined
      ? []
      : ([
          ['worker: cold first job (median)', `${workerFirstJob.firstJobMs} ms (load ${workerFirstJob.loadMs} ms)`, ''],
          ['worker: bundle, peak RSS', `${kib(workerFirstJob.bundleBytes)}, ${workerFirstJob.maxRssMb} MB`, ''],
        ] as Array<[string, string, string]>)),
  ];
}

async function main() {
  // First, so its peak RSS is the digest's and not what the other figures leave behind.
  const digest = await maintenanceDigestFanOut();
  const cold = await coldStartFigures();
  const matcher = matcherThroughput();
  const overview = await pipelinesOverview();
  const fileStore = await fileStoreAck();
  const deploys = await deployMessages();
  const results = {
    at: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) },
    coldStart: cold ?? 'skipped: moto_server is not installed',
    matcher,
    pipelinesOverview: overview,
    localFileStore: fileStore,
    deployMessages: deploys,
    maintenanceDigest: digest,
    targets: {
      maintenanceDigestSpeedup: '≥ 25×',
      maintenanceDigestPeakRssMb: '≤ 200',
      deployMessageDelayS: '≤ 10 (one poll)',
      fileStoreAckRatio: '≤ 2.0',
      firstAckToFloor: '≤ 1.15',
      firstAckRatio: '≤ 0.45',
      warmAckP99Ms: '≤ 10',
      matcherUtterancesPerSecond: '≥ 20000',
      pipelinesOverviewMs: '≤ 1500',
    },
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const rows: Array<[string, string, string]> = [
    ...coldRows(cold),
    ['matcher throughput', `${matcher.utterancesPerSecond} utterances/s`, '≥ 20000/s'],
    ['matcher p99', `${matcher.p99Ms} ms`, ''],
    [
      `overview of ${overview.pipelines} pipelines (${overview.simulatedLatencyMs} ms/call)`,
      `${overview.overviewMs} ms`,
      '≤ 1500 ms',
    ],
    [`  same ${overview.awsCalls} calls one by one`, `${overview.sequentialMs} ms`, ''],
    [
      `maintenance digest, ${digest.accounts} accounts × ${digest.regions} regions (${digest.simulatedLatencyMs} ms/call)`,
      `${digest.digestMs} ms (×${digest.speedup})`,
      '≥ 25× faster',
    ],
    [`  same ${digest.awsCalls} calls one by one`, `${digest.sequentialMs} ms`, ''],
    ['  STS AssumeRole calls it made', `${digest.stsCalls}`, `one per account (${digest.accounts})`],
    ['  peak RSS (before it ran)', `${digest.peakRssMb} MB (${digest.baselineRssMb} MB)`, '≤ 200 MB'],
    ['local store: a message claimed, p50, empty', `${fileStore.emptyP50Ms} ms`, ''],
    [
      `local store: a message claimed, p50, ${fileStore.stored} claims`,
      `${fileStore.fullP50Ms} ms (×${fileStore.ratio})`,
      '≤ 2× empty',
    ],
    ['local store: a message claimed, p99, empty / full', `${fileStore.emptyP99Ms} / ${fileStore.fullP99Ms} ms`, ''],
    ...deploys.flatMap(
      (d): Array<[string, string, string]> => [
        [
          `deploy message, ${d.case}`,
          `${d.updates} updates, ${d.threadLines} thread lines`,
          `for ${d.phases} phases in ${d.durationMin} min`,
        ],
        [`  phase → message delay, median / max`, `${d.medianDelayS} / ${d.maxDelayS} s`, '≤ 10 s (one poll)'],
      ],
    ),
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`${'figure'.padEnd(width)}  ${'value'.padEnd(32)}target\n`);
  for (const [name, value, target] of rows)
    process.stdout.write(`${name.padEnd(width)}  ${value.padEnd(32)}${target}\n`);
  process.stdout.write(`\nwritten to ${join('bench', 'results.json')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
