import { alarmPlace, resolveAccount } from '../../bot/accounts';
import type { OpsbotConfig } from '../../bot/config';
import { createDeps } from '../../bot/deps';
import type { Job, WatchJob } from '../../bot/jobs';
import { withSlackSecrets } from '../../bot/lambdas/secrets';
import { createSlackEdgeHandler } from '../../bot/lambdas/slack-edge';
import { readSettings } from '../../bot/settings';
import { handleWorkerInput } from '../../bot/worker/router';
import { asCaller, listenToCalls, type RecordedCall } from '../../integrations/aws/call-ledger';
import type { EventBridgeEvent } from '../../intents/define-reaction';
import type { AwsWorld } from './aws-world';
import { ALICE, click, FORM, type Harness, JSON_TYPE, slash } from './harness';
import { eventBody, signedEvent, signedMention, slashCommandBody, startStandIn, TEST_BOT_TOKEN } from './slack';

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
  const stopListening = listenToCalls((call) => calls.push(call));
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
    // As deployed: the edge alone, its jobs invoked on the worker function.
    const slack = createSlackEdgeHandler(slackSettings, config);
    const send = (event: ReturnType<typeof signedEvent>) => slack(event, {});
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
    // Alice opens opsbot's Home tab: what runs where is read from every account and published.
    await send(
      signedEvent(
        eventBody({ type: 'app_home_opened', user: ALICE, channel: 'D0ALICEDM1', tab: 'home', event_ts: '1.2' }),
        JSON_TYPE,
      ),
    );

    // The worker, built as its entry builds it, runs what it was handed.
    const workerSettings = await asCaller('worker', () =>
      withSlackSecrets(readSettings({ ...deployed.worker, ...lambda }), { fresh: true }),
    );
    // AWS Health's active endpoint: its default region, without a DNS look-up.
    const worker = createDeps(workerSettings, config, { healthRegion: async () => 'us-east-1' });

    const runHandedOver = async () => {
      for (const job of world.invoked.splice(0)) await handleWorkerInput(job as Job, worker.worker);
    };
    await runHandedOver();
    if (!stand.standIn.homeViews.has(ALICE)) throw new Error('the worker did not publish the Home tab it was handed');

    // Retry, clicked on the pipeline card the worker posted: the slack function opens the stored card.
    const card = stand.standIn.messages.find((m) =>
      JSON.stringify(m.blocks ?? []).includes('"action_id":"opsbot.retry'),
    );
    if (card === undefined) throw new Error('no pipeline card with Retry was posted for the mention');
    // The first click's hand-over is refused, so its claim is given up and the second click retries the stage.
    world.refuseHandOver = true;
    await send(click({ standIn: stand.standIn } as unknown as Harness, card, 'opsbot.retry', ALICE));
    await send(click({ standIn: stand.standIn } as unknown as Harness, card, 'opsbot.retry', ALICE));
    await runHandedOver();

    // Deploys asked for and confirmed in Slack, one per engine, each watched by the watcher's poll step as Step
    // Functions runs it; an alarm of the service fires during the deploy, and the next poll sees the rollback.
    const h = {
      send,
      settle: runHandedOver,
      standIn: stand.standIn,
      bot: () => stand.standIn.messages.filter((m) => m.from === 'bot'),
    } as unknown as Harness;
    for (const target of firstPerEngine(config)) {
      world.engine = target.engine;
      world.container = target.container;
      const confirm = (await slash(h, `${target.service} ${target.environment} v1.8.2`)).ack;
      if (confirm === undefined) throw new Error(`no answer to the deploy of ${target.service} ${target.environment}`);
      const watched = world.executions.length;
      await send(click(h, confirm, 'opsbot.confirm', ALICE));
      await runHandedOver();
      if (world.executions.length !== watched + 1)
        throw new Error(`the deploy of ${target.service} ${target.environment} was not started and watched`);
      const watch = world.executions.at(-1) as WatchJob;
      await handleWorkerInput(watch, worker.worker);
      if (target.alarm !== undefined) {
        const before = calls.length;
        await handleWorkerInput(alarmFired(target.alarm), worker.worker);
        await settled();
        if (
          !calls.slice(before).some((c) => c.operation === 'StopDeployment' || c.operation === 'StopServiceDeployment')
        )
          throw new Error(`the alarm ${target.alarm.name} did not stop the deploy of ${target.service}`);
        await handleWorkerInput(watch, worker.worker);
      }
    }
    // EventBridge's and the Scheduler's events: a pipeline failing, the daily digest, AWS Health announcing a change.
    for (const [name, p] of Object.entries(config.pipelines)) {
      await handleWorkerInput(pipelineFailed(name, resolveAccount(config, p.account).id, p.region), worker.worker);
    }
    await handleWorkerInput(scheduledDigest(deployed.region), worker.worker);
    await handleWorkerInput(healthEvent(deployed.region), worker.worker);

    await asCaller('worker', () => everyPort(config, worker.worker.ports, world));
    return calls;
  } finally {
    stopListening();
    await stand.close();
  }
}

interface DrivenTarget {
  readonly service: string;
  readonly environment: string;
  readonly engine: 'codedeploy' | 'ecs';
  readonly container: string;
  readonly alarm?: { readonly name: string; readonly account: string; readonly region: string };
}

/** A deployable service and environment per engine, with one of its rollback alarms where it has one. */
function firstPerEngine(config: OpsbotConfig): DrivenTarget[] {
  const targets = Object.entries(config.services).flatMap(([service, s]) =>
    Object.entries(s.environments).flatMap(([environment, t]): DrivenTarget[] => {
      if (t.cluster === undefined) return [];
      const home = resolveAccount(config, t.account);
      const entry = t.rollbackAlarms[0];
      const alarm = entry === undefined ? undefined : alarmPlace(entry, home.id, t.region);
      return [
        {
          service,
          environment,
          engine: t.codedeploy !== undefined ? 'codedeploy' : 'ecs',
          container: t.container ?? service,
          ...(alarm !== undefined && { alarm: { name: alarm.name, account: alarm.account, region: alarm.region } }),
        },
      ];
    }),
  );
  return (['codedeploy', 'ecs'] as const).flatMap((engine) => {
    const found = targets.filter((t) => t.engine === engine);
    const chosen = found.find((t) => t.alarm !== undefined) ?? found[0];
    return chosen === undefined ? [] : [chosen];
  });
}

const now = () => new Date().toISOString();

/** A "CloudWatch Alarm State Change" to ALARM, as EventBridge delivers it (AWS's documented shape). */
function alarmFired(alarm: { name: string; account: string; region: string }): EventBridgeEvent {
  return {
    version: '0',
    id: `alarm-${alarm.name}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: alarm.account,
    time: now(),
    region: alarm.region,
    resources: [`arn:aws:cloudwatch:${alarm.region}:${alarm.account}:alarm:${alarm.name}`],
    detail: {
      alarmName: alarm.name,
      state: {
        value: 'ALARM',
        reason: 'Threshold Crossed: 3 datapoints were greater than the threshold (5.0).',
        timestamp: now(),
      },
      previousState: { value: 'OK', reason: 'Threshold Crossed', timestamp: now() },
      configuration: {
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_Target_5XX_Count', dimensions: {} },
              period: 60,
              stat: 'Sum',
            },
            returnData: true,
          },
        ],
      },
    },
  } as EventBridgeEvent;
}

/** A "CodePipeline Pipeline Execution State Change" to FAILED (AWS's documented shape). */
function pipelineFailed(pipeline: string, account: string, region: string): EventBridgeEvent {
  return {
    version: '0',
    id: `pipeline-${pipeline}`,
    'detail-type': 'CodePipeline Pipeline Execution State Change',
    source: 'aws.codepipeline',
    account,
    time: now(),
    region,
    resources: [`arn:aws:codepipeline:${region}:${account}:${pipeline}`],
    detail: { pipeline, 'execution-id': 'exec-1', state: 'FAILED', version: 1 },
  } as EventBridgeEvent;
}

/** The daily digest's schedule, as opsbot's Scheduler target delivers it. */
function scheduledDigest(region: string): EventBridgeEvent {
  return {
    version: '0',
    id: 'digest-1',
    'detail-type': 'Maintenance Digest',
    source: 'opsbot.scheduler',
    account: '111111111111',
    time: now(),
    region,
    resources: [],
    detail: {},
  } as EventBridgeEvent;
}

/** An "AWS Health Event": a scheduled change announced (AWS's documented shape). */
function healthEvent(region: string): EventBridgeEvent {
  return {
    version: '0',
    id: 'health-1',
    'detail-type': 'AWS Health Event',
    source: 'aws.health',
    account: '111111111111',
    time: now(),
    region,
    resources: ['i-0123456789abcdef0'],
    detail: {
      eventArn: `arn:aws:health:${region}::event/EC2/AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED/AWS_EC2_SYSTEM_REBOOT_1`,
      service: 'EC2',
      eventTypeCode: 'AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED',
      eventTypeCategory: 'scheduledChange',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
      startTime: new Date(Date.now() + 6 * 3_600_000).toUTCString(),
      eventDescription: [{ language: 'en_US', latestDescription: 'EC2 has scheduled a reboot of your instance.' }],
      affectedEntities: [{ entityValue: 'i-0123456789abcdef0' }],
    },
  } as EventBridgeEvent;
}

type Ports = ReturnType<typeof createDeps>['worker']['ports'];

async function everyPort(config: OpsbotConfig, ports: Ports, world: AwsWorld): Promise<void> {
  // Calls a configuration may not allow (an alarm of an environment with no cluster) may fail; none does today.
  const failures: string[] = [];
  const attempt = async (what: () => Promise<unknown>) => {
    await what().catch((error: unknown) => failures.push(String(error)));
  };
  for (const [service, s] of Object.entries(config.services)) {
    for (const [environment, t] of Object.entries(s.environments)) {
      await attempt(async () => {
        // Each alarm as read, and the chart of what it watched over the last hours.
        for (const alarm of await ports.alarms.states(service, environment)) {
          await ports.alarms.series(service, environment, alarm, { from: Date.now() - 3 * 3_600_000, to: Date.now() });
        }
      });
      if (t.cluster === undefined) continue;
      world.engine = t.codedeploy !== undefined ? 'codedeploy' : 'ecs';
      world.container = t.container ?? service;
      world.failing = false;
      await attempt(() => ports.images.find(service, environment, 'v1.8.2'));
      await attempt(() => ports.images.newest(service, environment, 5));
      // What a Confirm card says changes: the image's labels, from its manifest and configuration.
      // (Nothing answers at the configuration's address: its read fails after both calls, as it may.)
      await ports.images.labels(service, environment, `sha256:${'1'.repeat(64)}`).catch(() => undefined);
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
    // A Confirm card's change list: the pipeline's runs, the run an image's tag names, the branch it built.
    await ports.pipelines.executions(name, 200);
    await ports.pipelines.execution(name, 'exec-1');
    await ports.pipelines.branch(name, 'exec-1');
    await ports.pipelines.retryStage(name, 'Deploy', 'exec-1');
  }
  for (const environment of Object.keys(config.environments)) await ports.calendars.state(environment);
  const now = Date.now();
  await ports.maintenance.upcoming({ from: now, until: now + 14 * 86_400_000 });
  await ports.store.list('audit', {});
  await ports.store.delete('opsbot-iam-proof');
  if (failures.length > 0) throw new Error(`calls through the ports failed:\n${failures.join('\n')}`);
}

/** Lets the calls just made settle, so that the ledger has recorded them. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));
