import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  JsonPath,
  LogLevel,
  Pass,
  Result,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, StepFunctionsStartExecution } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** How often a deploy is polled: its message shows a change within one poll (the worker's `WATCH_INTERVAL_MS`). */
export const POLL_SECONDS = 10;
/**
 * Rounds (wait, poll, choice, count) one execution watches before it hands the deploy over to a fresh execution of
 * the state machine, about two hours. A round writes 11 history events; 19 at worst, when the poll is tried three
 * times and fails, so an execution ends with 7,700 to 13,300 events, far below Step Functions' 25,000-event limit,
 * with room for a hand-over that fails for a while.
 */
export const HAND_OVER_ROUNDS = 700;
/**
 * One execution's timeout, a safety net only: an execution hands over after `HAND_OVER_ROUNDS` rounds, or sooner when
 * the poll says so (after `WATCH_EXECUTION_HOURS` in bot/jobs.ts), so a deploy is watched for as long as it runs
 * (CodeDeploy may wait two days before rerouting traffic, ECS bake up to a day), across executions.
 */
export const WATCH_TIMEOUT = Duration.hours(50);

export interface DeployWatcherProps {
  /** The worker, whose poll step (`{ kind: 'watch', runId }` → `{ done }`) each execution invokes. */
  readonly worker: IFunction;
  readonly logRetention: RetentionDays;
  /**
   * The name of the alarm on executions that failed, timed out or were aborted: known at synth, so an EventBridge rule
   * can name it.
   * @default a name CloudFormation generates
   */
  readonly failedAlarmName?: string;
  /**
   * The alarm's description.
   * @default says what failed
   */
  readonly failedAlarmDescription?: string;
}

/**
 * The deploy watcher: a Standard state machine — Wait, poll through the worker, Choice, Count — until the poll says
 * the deploy is done. CodeDeploy's and ECS's state-change events end a deploy's message sooner; a poll after the end
 * changes nothing. A deploy has one execution at a time: the first is named after it (so starting it twice starts it
 * once); after `HAND_OVER_ROUNDS` rounds, or when the poll says so, the execution starts its successor
 * (`<name>_w<generation>`: names of letters, digits, `-` and `_` only, which CloudWatch logging of executions needs; a name that repeats the start rather than doubling it) and ends, before Step Functions'
 * 25,000-event history limit could end it. A hand-over that fails is tried again after the next round: the
 * execution watches on meanwhile. Executions that failed, timed out or were aborted raise an alarm.
 */
export class DeployWatcher extends Construct {
  readonly stateMachine: StateMachine;
  /** Known before the state machine exists, so the worker can name it without a dependency cycle. */
  readonly stateMachineArn: string;
  readonly failedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: DeployWatcherProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = `${stack.stackName}-deploy-watcher`;
    this.stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    // The execution's state, and its successor's input: { kind, runId, execution, generation, round }.
    const watching = (round: number | string) => ({
      kind: 'watch',
      runId: JsonPath.stringAt('$.runId'),
      execution: JsonPath.stringAt('$.execution'),
      generation: JsonPath.numberAt('$.generation'),
      round: typeof round === 'number' ? round : JsonPath.mathAdd(JsonPath.numberAt(round), 1),
    });
    const wait = new Wait(this, 'Wait', { time: WaitTime.duration(Duration.seconds(POLL_SECONDS)) });
    const poll = new LambdaInvoke(this, 'Poll', {
      lambdaFunction: props.worker,
      payload: TaskInput.fromObject({
        kind: 'watch',
        runId: JsonPath.stringAt('$.runId'),
        watchedSince: JsonPath.stringAt('$$.Execution.StartTime'),
      }),
      // The worker's answer to a watch poll always has both (bot/worker/router.ts).
      resultSelector: { 'done.$': '$.Payload.done', 'handOver.$': '$.Payload.handOver' },
      resultPath: '$.poll',
      // One retrier for every error (Lambda's service errors included), so a round's history has a known bound.
      retryOnServiceExceptions: false,
    });
    // Counting rounds drops the poll's answer and error, so the state stays the same size however long it watches.
    const count = new Pass(this, 'Count', { parameters: watching('$.round') });
    // A poll that failed (Slack or AWS briefly unreachable) is retried, then tried again on the next round: watching
    // ends only when a poll says the deploy is done, or at the execution's timeout (which raises the alarm).
    poll.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(POLL_SECONDS), maxAttempts: 2, backoffRate: 2 });

    const handedOver = new Succeed(this, 'Handed over');
    const handOver = new StepFunctionsStartExecution(this, 'Hand over', {
      stateMachine: StateMachine.fromStateMachineArn(this, 'Itself', this.stateMachineArn),
      name: JsonPath.format(
        '{}_w{}',
        JsonPath.stringAt('$.execution'),
        JsonPath.mathAdd(JsonPath.numberAt('$.generation'), 1),
      ),
      input: TaskInput.fromObject({
        ...watching(0),
        generation: JsonPath.mathAdd(JsonPath.numberAt('$.generation'), 1),
      }),
      // The successor's input names this execution (AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID), as the console links.
      associateWithParent: true,
      resultPath: JsonPath.DISCARD,
    });
    // A name already taken is not tried again (the catch below); anything else is, and asked again with the same name
    // and input, StartExecution answers as it did: a retry never starts two.
    handOver.addRetry({ errors: ['StepFunctions.ExecutionAlreadyExistsException'], maxAttempts: 0 });
    handOver.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(2), maxAttempts: 2, backoffRate: 2 });
    // A successor that already ended (it found the deploy done) has the same name: the deploy is watched to its end.
    handOver.addCatch(handedOver, { errors: ['StepFunctions.ExecutionAlreadyExistsException'] });
    handOver.addCatch(count, { errors: ['States.ALL'], resultPath: '$.handOverError' });
    handOver.next(handedOver);

    const done = new Choice(this, 'Done?')
      .when(Condition.booleanEquals('$.poll.done', true), new Succeed(this, 'Ended'))
      .when(
        Condition.or(
          Condition.numberGreaterThanEquals('$.round', HAND_OVER_ROUNDS - 1),
          Condition.booleanEquals('$.poll.handOver', true),
        ),
        handOver,
      )
      .otherwise(count);
    // A poll that failed after its retries answers "not done" for it, so failed rounds count towards the hand-over.
    const unanswered = new Pass(this, 'Unanswered', {
      result: Result.fromObject({ done: false, handOver: false }),
      resultPath: '$.poll',
    });
    poll.addCatch(unanswered, { errors: ['States.ALL'], resultPath: '$.pollError' });
    unanswered.next(done);
    const definition = wait.next(poll).next(done);
    count.next(wait);

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: name,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: WATCH_TIMEOUT,
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'Logs', {
          retention: props.logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing and CloudWatch Logs delivery of the state machine: these actions take no resource ARN (AWS requires `*`).',
    });

    // Each is its own metric; FILL makes one that has no data count as none, so any of the three raises the alarm.
    const period = Duration.minutes(5);
    this.failedAlarm = new Alarm(this, 'FailedExecutions', {
      ...(props.failedAlarmName !== undefined && { alarmName: props.failedAlarmName }),
      alarmDescription:
        props.failedAlarmDescription ??
        'opsbot: a deploy watcher execution failed, timed out or was aborted (a deploy message stopped updating)',
      metric: new MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ period, statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
          aborted: this.stateMachine.metricAborted({ period, statistic: 'Sum' }),
        },
        label: 'Executions failed, timed out or aborted',
        period,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** Lets the worker start watching a deploy: `states:StartExecution` on this state machine alone. */
  grantStart(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachineArn] }),
    );
  }
}
