import type { OpsbotConfig } from '../../bot/config';
import { createDeps } from '../../bot/deps';
import type { Job } from '../../bot/jobs';
import { withSlackSecrets } from '../../bot/lambdas/secrets';
import { createSlackHandler } from '../../bot/lambdas/slack-handler';
import { readSettings } from '../../bot/settings';
import { handleWorkerInput } from '../../bot/worker/router';
import { asCaller, type RecordedCall, setCallSink } from '../../integrations/aws/call-ledger';
import type { AwsWorld } from './aws-world';
import { ALICE, click, FORM, type Harness } from './harness';
import { signedEvent, signedMention, slashCommandBody, startStandIn, TEST_BOT_TOKEN } from './slack';

/** The environment each function gets from the synthesized stack (tokens resolved). */
export interface DeployedEnvironments {
  readonly slack: Record<string, string>;
  readonly worker: Record<string, string>;
  readonly region: string;
}

/**
 * Runs opsbot as it is deployed, the slack function and the worker each with the settings its stack gives it, against
 * the simulated AWS of `world`, through everything it can ask of AWS: the secrets, a command and a mention through the
 * slack function (the hand-over, the Store), the worker's answers (Lex, CodePipeline), a Retry clicked on the card it
 * posted, and then every port of every configured service, environment, pipeline, alarm, calendar and maintenance
 * source, on both engines; and the watcher's start and poll step. Returns every call recorded on the way.
 */
export async function driveOpsbot(
  config: OpsbotConfig,
  deployed: DeployedEnvironments,
  world: AwsWorld,
): Promise<RecordedCall[]> {
  const calls: RecordedCall[] = [];
  setCallSink((call) => calls.push(call));
  const stand = await startStandIn(TEST_BOT_TOKEN);
  const lambda = {
    AWS_REGION: deployed.region,
    AWS_LAMBDA_FUNCTION_NAME: 'opsbot',
    SLACK_API_URL: `${stand.url}/api/`,
    LOG_LEVEL: 'ERROR',
  };
  try {
    // The slack function: its secrets, then a command and a mention, each handed over to the worker.
    const slackSettings = await asCaller('slack', () =>
      withSlackSecrets(readSettings({ ...deployed.slack, ...lambda }), { fresh: true }),
    );
    const slack = createSlackHandler(slackSettings, config);
    const send = (event: ReturnType<typeof signedEvent>) => slack.handler(event, {});
    await send(
      signedEvent(
        slashCommandBody('pipelines api-pipeline', {
          responseUrl: stand.standIn.mintResponseUrl({ channel: 'C0DEPLOYS01', user: ALICE }),
        }),
        FORM,
      ),
    );
    // Lex hears the first configured pipeline asked about.
    world.pipeline = Object.keys(config.pipelines)[0] ?? 'none';
    await send(signedMention('is the api pipeline green?'));
    world.refuseHandOver = true;
    await send(signedMention('is the web pipeline green?'));

    // The worker, built as its entry builds it, runs what it was handed.
    const workerSettings = await asCaller('worker', () =>
      withSlackSecrets(readSettings({ ...deployed.worker, ...lambda }), { fresh: true }),
    );
    const worker = createDeps(workerSettings, config);

    const runHandedOver = async () => {
      for (const job of world.invoked.splice(0)) await handleWorkerInput(job as Job, worker.worker);
    };
    await runHandedOver();

    // Retry, clicked on the pipeline card the worker posted: the slack function opens the stored card.
    const card = stand.standIn.messages.find((m) =>
      JSON.stringify(m.blocks ?? []).includes('"action_id":"opsbot.retry'),
    );
    if (card !== undefined) {
      await send(click({ standIn: stand.standIn } as unknown as Harness, card, 'opsbot.retry', ALICE));
      await runHandedOver();
    }

    await asCaller('worker', () => everyPort(config, worker.worker.ports, world));
    // The watcher's poll step, as Step Functions runs it, on a deploy the worker recorded.
    await handleWorkerInput({ kind: 'watch', runId: 'run-unknown' } as never, worker.worker).catch(() => undefined);
    return calls;
  } finally {
    setCallSink(undefined);
    await stand.close();
  }
}

type Ports = ReturnType<typeof createDeps>['worker']['ports'];

async function everyPort(config: OpsbotConfig, ports: Ports, world: AwsWorld): Promise<void> {
  const attempt = async (what: () => Promise<unknown>) => {
    await what().catch(() => undefined);
  };
  for (const [service, s] of Object.entries(config.services)) {
    for (const [environment, t] of Object.entries(s.environments)) {
      await attempt(() => ports.alarms.states(service, environment));
      if (t.cluster === undefined) continue;
      world.engine = t.codedeploy !== undefined ? 'codedeploy' : 'ecs';
      world.container = t.container ?? service;
      world.failing = false;
      await attempt(() => ports.images.find(service, environment, 'v1.8.2'));
      await attempt(() => ports.images.newest(service, environment, 5));
      await attempt(() => ports.deployments.current(service, environment));
      const started = await ports.deployments.start({
        service,
        environment,
        version: 'v1.8.2',
        requestedBy: ALICE,
      });
      const deployment = await ports.deployments.get(service, environment, started.id);
      if (deployment.gate !== undefined) {
        await ports.deployments.proceed(service, environment, started.id, deployment.gate, 'continue');
        await ports.deployments.proceed(service, environment, started.id, deployment.gate, 'rollback');
      }
      await ports.deployments.stop(service, environment, started.id, { rollback: true, reason: 'alarm', by: ALICE });
      await ports.deployments.history(service, environment, 5);
      world.failing = true;
      await attempt(() => ports.deployments.get(service, environment, started.id));
      world.failing = false;
      await ports.deployments.start({ service, environment, version: 'v1.8.1', requestedBy: ALICE, rollback: true });
      await ports.watcher.watch(`run-${service}-${environment}`);
    }
  }
  await ports.deployments.active();
  await ports.pipelines.list();
  for (const name of Object.keys(config.pipelines)) {
    await ports.pipelines.get(name);
    await ports.pipelines.retryStage(name, 'Deploy', 'exec-1');
  }
  for (const environment of Object.keys(config.environments)) await ports.calendars.state(environment);
  const now = Date.now();
  await ports.maintenance.upcoming({ from: now, until: now + 14 * 86_400_000 });
  await ports.store.list('audit', {});
  await ports.store.delete('opsbot-iam-proof');
}
