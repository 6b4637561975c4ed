import { readFileSync } from 'node:fs';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import type { RouterDeps } from '../../bot/worker/router';
import { handleWorkerInput } from '../../bot/worker/router';
import { HAND_OVER_ROUNDS } from '../../infra/constructs/deploy-watcher';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import { StepFunctionsWatcher } from '../../integrations/aws/step-functions-watcher.adapter';
import type { Deployment, Deployments } from '../../integrations/deployments.port';
import { lockKey } from '../../intents/deploys/run/lock';
import { type DeployRun, loadRun } from '../../intents/deploys/run/record';
import { startRun } from '../../intents/deploys/run/start';
import { plainText } from '../../intents/reply';
import { sandboxPorts } from '../support/ports';
import { type Resources, resolveIntrinsics } from '../support/published-models';

/**
 * The deploy watcher's state machine as the stack synthesizes it, run by an Amazon States Language interpreter
 * (aws-local-stepfunctions), its poll step the worker's real router over the sandbox and its hand-over a
 * StartExecution the test runs next. Step Functions' history of each execution is counted from the interpreter's
 * events, state by state as Step Functions writes it (…StateEntered/…StateExited; a task's Scheduled, Started and
 * Succeeded or Failed per attempt; ExecutionStarted and its end), against the 25,000-event limit.
 */

// aws-local-stepfunctions uses Promise.withResolvers (ES2024, Node 22); Node 20 has it only behind this shim.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const HISTORY_LIMIT = 25_000;
const WATCHER_ARN = 'arn:aws:states:eu-west-1:111111111111:stateMachine:Opsbot-deploy-watcher';

function watcherDefinition(): StateMachineDefinition {
  const config = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
  const template = Template.fromStack(new OpsbotStack(new App(), 'Opsbot', { config }));
  const resources = template.toJSON().Resources as Resources;
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const { DefinitionString } = (machine?.Properties ?? {}) as { DefinitionString?: unknown };
  return JSON.parse(resolveIntrinsics(DefinitionString, resources) as string) as StateMachineDefinition;
}

const DEFINITION = watcherDefinition();

interface Execution {
  readonly name: string;
  readonly input: Record<string, unknown>;
  /** History events Step Functions would have written for it. */
  history: number;
  polls: number;
  startedAt: number;
  endedAt?: number;
  /** The state it ended in. */
  end?: string;
  /** What the executions of the state machine looked like when its hand-over ran (how many were running). */
  runningAtHandOver?: number;
}

/** Step Functions history events for one interpreter event. */
/** One event of the interpreter's log. */
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

function historyEvents(event: EventLog): number {
  switch (event.type) {
    case 'ExecutionStarted':
    case 'ExecutionSucceeded':
    case 'ExecutionFailed':
    case 'ExecutionAborted':
    case 'ExecutionTimeout':
      return 1;
    case 'StateEntered':
      // A task's first attempt: TaskStateEntered, TaskScheduled, TaskStarted (its end is counted on exit or failure).
      return event.state.type === 'Task' ? 3 : 1;
    case 'StateExited':
      return event.state.type === 'Task' ? 2 : 1; // TaskSucceeded, TaskStateExited
    case 'StateRetried':
      return 3; // TaskFailed, then the next attempt's TaskScheduled and TaskStarted
    case 'StateFailed':
      return 1; // TaskFailed
    case 'StateCaught':
      return 1; // TaskStateExited
    default:
      return 0;
  }
}

interface World {
  /** The poll step's answer; the default is the worker's real router. */
  poll?(payload: Record<string, unknown>): Promise<unknown>;
  /**
   * StartExecution as Step Functions answers the hand-over; `start` starts the successor as Step Functions would
   * (again with the same name and input: the same answer). The default is `start`.
   */
  startExecution?(start: () => unknown): Promise<unknown>;
  /** Simulated time each poll takes, besides the 10 s wait. */
  pollMs?: number;
}

/**
 * A deploy confirmed on the sandbox whose deployment runs `days` (CodeDeploy waiting that long to reroute or to
 * end the blue tasks), watched by the state machine from its first execution to its last.
 */
async function watchDeploy(days: number, world: World = {}) {
  const base = sandboxPorts();
  const { clock, store } = base;
  const sandboxDeployments = base.ports.deployments;
  const deployments: Deployments = Object.assign(Object.create(sandboxDeployments) as Deployments, {
    async get(service: string, environment: string, id: string): Promise<Deployment> {
      const d = await sandboxDeployments.get(service, environment, id);
      const { endedAt: _, ...running } = d;
      const ends = d.startedAt + days * DAY;
      return clock.now() < ends
        ? { ...running, status: 'InProgress', step: 'Baking', trafficOnGreen: 100 }
        : { ...d, endedAt: ends };
    },
  });
  const sfn = mockClient(SFNClient);
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${WATCHER_ARN}:first`, startDate: new Date() });
  const ports = { ...base.ports, deployments, watcher: new StepFunctionsWatcher(new SFNClient({}), WATCHER_ARN) };
  // The watch poll reads only the worker's ports.
  const worker = { ports } as unknown as RouterDeps;

  await startRun(
    { kind: 'deploy', service: 'web', environment: 'staging', version: 'v1.8.2' },
    { userId: 'U0ANA00001', channelId: 'C0TEAM0001' },
    ports,
  );
  const run = (await store.list<DeployRun>('deploys'))[0] as DeployRun;
  const first = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
  sfn.restore();

  const executions: Execution[] = [];
  const queue: Execution[] = [
    {
      name: first?.name as string,
      input: JSON.parse(first?.input as string) as Record<string, unknown>,
      history: 0,
      polls: 0,
      startedAt: clock.now(),
    },
  ];
  const lockHeldAtHandOver: boolean[] = [];
  const names = new Set<string>([queue[0]?.name as string]);
  while (queue.length > 0) {
    const execution = queue.shift() as Execution;
    executions.push(execution);
    execution.startedAt = clock.now();
    const machine = new StateMachine(DEFINITION, { validationOptions: { checkArn: true, checkPaths: true } });
    const running = machine.run(execution.input as never, {
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: `${WATCHER_ARN.replace(':stateMachine:', ':execution:')}:${execution.name}`,
          Name: execution.name,
          StartTime: new Date(clock.now()).toISOString(),
          Input: execution.input as never,
          RoleArn: 'arn:aws:iam::111111111111:role/watcher',
        },
      },
      overrides: {
        waitTimeOverrides: { Wait: 0 },
        retryIntervalOverrides: { Poll: 0, 'Hand over': 0 },
        taskResourceLocalHandlers: {
          Poll: async (input) => {
            clock.advance(10_000 + (world.pollMs ?? 0));
            execution.polls++;
            const { Payload: sent } = input as { Payload: Record<string, unknown> };
            // The interpreter gives $$.Execution.StartTime in real time: the same instant on the simulated clock.
            expect(Number.isFinite(Date.parse(sent.watchedSince as string))).toBe(true);
            const payload = { ...sent, watchedSince: new Date(execution.startedAt).toISOString() };
            return {
              Payload: (await (world.poll ?? ((p) => handleWorkerInput(p as never, worker)))(payload)) as never,
            };
          },
          'Hand over': async (input) => {
            const params = input as { StateMachineArn: string; Name: string; Input: Record<string, unknown> };
            expect(params.StateMachineArn).toBe(WATCHER_ARN);
            execution.runningAtHandOver = 1 + queue.length;
            lockHeldAtHandOver.push((await store.get(lockKey('web', 'staging'))) !== undefined);
            const start = () => {
              if (!names.has(params.Name)) {
                names.add(params.Name);
                queue.push({ name: params.Name, input: params.Input, history: 0, polls: 0, startedAt: clock.now() });
              }
              return { ExecutionArn: `${WATCHER_ARN}:${params.Name}`, StartDate: new Date().toISOString() };
            };
            return (await (world.startExecution ?? (async (s) => s()))(start)) as never;
          },
        },
      },
    });
    const counting = (async () => {
      let last: string | undefined;
      for await (const event of running.eventLogs) {
        execution.history += historyEvents(event);
        if (event.type === 'StateEntered') last = event.state.name;
        if (execution.history > HISTORY_LIMIT && last !== 'History limit') {
          // Where Step Functions fails the execution: nothing watches the deploy any more.
          last = 'History limit';
          running.abort();
        }
      }
      execution.end = last;
    })();
    await running.result;
    await counting;
    execution.endedAt = clock.now();
  }
  return { executions, run: (await loadRun(run.id, ports)) as DeployRun, lockHeldAtHandOver, base };
}

describe('the deploy watcher state machine, run over days', () => {
  it('hands a deploy that runs three days over to fresh executions, one at a time, each well below the history limit, until it ends', async () => {
    // Prepare / Act: a deployment in progress for three simulated days
    const { executions, run, lockHeldAtHandOver, base } = await watchDeploy(3);

    // Assess: every execution ended below the limit; all but the last handed over, none ran into its timeout
    const [first] = executions;
    expect(executions.length).toBeGreaterThanOrEqual(Math.ceil((3 * DAY) / (HAND_OVER_ROUNDS * 10_000)));
    for (const e of executions) {
      expect(e.history).toBeLessThan(HISTORY_LIMIT / 2);
      expect((e.endedAt as number) - e.startedAt).toBeLessThan(50 * HOUR);
    }
    expect(executions.slice(0, -1).map((e) => [e.end, e.polls, e.runningAtHandOver])).toEqual(
      executions.slice(0, -1).map(() => ['Handed over', HAND_OVER_ROUNDS, 1]),
    );
    expect(executions.at(-1)?.end).toBe('Ended');
    // …named after the first, its generation counted, watching the same deploy from the first round
    expect(executions.map((e) => e.name)).toEqual(
      executions.map((_, i) => (i === 0 ? first?.name : `${first?.name}_w${i}`)),
    );
    expect(executions.map((e) => [e.input.runId, e.input.generation, e.input.round])).toEqual(
      executions.map((_, i) => [run.id, i, 0]),
    );
    // …with no gap: each execution starts when the one before hands over, and the lock was held at every hand-over
    for (let i = 1; i < executions.length; i++) expect(executions[i]?.startedAt).toBe(executions[i - 1]?.endedAt);
    expect(lockHeldAtHandOver).toEqual(executions.slice(0, -1).map(() => true));
    // …and the deploy was watched to its end: the message says so and the lock is released
    const polls = executions.reduce((sum, e) => sum + e.polls, 0);
    expect(polls).toBeGreaterThanOrEqual((3 * DAY) / 10_000);
    expect(run.outcome).toBe('succeeded');
    expect(plainText(base.announcer.messages()[0]?.reply.summary ?? '')).toMatch(
      /^web v\S+ → v1\.8\.2 in staging: Succeeded in 72 h/,
    );
    expect(await base.store.get(lockKey('web', 'staging'))).toBeUndefined();
  }, 180_000);

  it('keeps the history below the limit when every poll fails after all its retries', async () => {
    // Prepare: Lambda failing with a service error at every attempt
    const failing = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.ServiceException' });
    };

    // Act: two executions' worth of rounds, then the deploy is over (the poll answers again)
    let rounds = 0;
    const { executions } = await watchDeploy(0.1, {
      poll: async (payload) => {
        rounds++;
        if (rounds <= 2 * HAND_OVER_ROUNDS * 3) return failing();
        return { done: payload.kind === 'watch', handOver: false };
      },
    });

    // Assess: the failed rounds counted towards the hand-over, so each execution stayed below the limit
    expect(executions.length).toBeGreaterThanOrEqual(3);
    expect(executions.slice(0, 2).map((e) => e.end)).toEqual(['Handed over', 'Handed over']);
    for (const e of executions) expect(e.history).toBeLessThan(HISTORY_LIMIT);
    expect(Math.max(...executions.map((e) => e.history))).toBeGreaterThan(HAND_OVER_ROUNDS * 19 - 50);
  }, 180_000);

  it('hands over when the poll says so: an execution whose polls are slow hands over after six hours', async () => {
    // Prepare / Act: polls that take a minute each, for a deploy of a day
    const { executions, run } = await watchDeploy(1, { pollMs: 60_000 });

    // Assess: executions of about six hours each, fewer rounds than the count would allow
    const handedOver = executions.slice(0, -1);
    expect(handedOver.length).toBeGreaterThanOrEqual(3);
    for (const e of handedOver) {
      expect(e.end).toBe('Handed over');
      expect(e.polls).toBeLessThan(HAND_OVER_ROUNDS);
      expect((e.endedAt as number) - e.startedAt).toBeGreaterThanOrEqual(6 * HOUR);
      expect((e.endedAt as number) - e.startedAt).toBeLessThan(6 * HOUR + 2 * 70_000);
    }
    expect(run.outcome).toBe('succeeded');
  }, 180_000);

  it('watches on when the hand-over fails, and hands over once when a retried start finds its successor started', async () => {
    // Prepare: StartExecution throttled for two rounds (three tries each); then it starts the successor but its
    // answer is lost, and the retry is told the name is taken
    let asked = 0;
    const { executions, run } = await watchDeploy(0.5, {
      startExecution: async (start) => {
        asked++;
        if (asked <= 3 * 2) throw Object.assign(new Error('Rate exceeded'), { name: 'StepFunctions.SfnException' });
        if (asked === 3 * 2 + 1) {
          start();
          throw Object.assign(new Error('socket hang up'), { name: 'StepFunctions.SdkClientException' });
        }
        if (asked === 3 * 2 + 2)
          throw Object.assign(new Error('Execution already exists'), {
            name: 'StepFunctions.ExecutionAlreadyExistsException',
          });
        return start();
      },
    });

    // Assess: the first execution polled on between its tries, then ended; one successor watched to the end
    const [first, second] = executions;
    expect([first?.end, first?.polls]).toEqual(['Handed over', HAND_OVER_ROUNDS + 2]);
    expect(second?.name).toBe(`${first?.name}_w1`);
    expect(executions.filter((e) => e.name === second?.name)).toHaveLength(1);
    expect(asked).toBeGreaterThan(8);
    expect(executions.at(-1)?.end).toBe('Ended');
    expect(run.outcome).toBe('succeeded');
  }, 180_000);
});
