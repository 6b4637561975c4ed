import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** How often a deploy is polled: its message shows a change within one poll (the worker's `WATCH_INTERVAL_MS`). */
export const POLL_SECONDS = 10;
/**
 * Longer than a deploy may run: a CodeDeploy group may wait up to two days before rerouting traffic, and an
 * approval 30 minutes before it starts.
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
 * The deploy watcher: a Standard state machine, one execution per deploy (named after it, so starting it twice starts
 * it once) — Wait, poll through the worker, Choice — until the poll says the deploy is done. CodeDeploy's and ECS's
 * state-change events end a deploy's message sooner; a poll after the end changes nothing. Executions that failed,
 * timed out or were aborted raise an alarm.
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

    const wait = new Wait(this, 'Wait', { time: WaitTime.duration(Duration.seconds(POLL_SECONDS)) });
    const poll = new LambdaInvoke(this, 'Poll', {
      lambdaFunction: props.worker,
      payload: TaskInput.fromObject({ kind: 'watch', 'runId.$': '$.runId' }),
      resultSelector: { 'done.$': '$.Payload.done' },
      resultPath: '$.poll',
      retryOnServiceExceptions: true,
    });
    // A poll that failed (Slack or AWS briefly unreachable) is retried, then tried again on the next round: watching
    // ends only when a poll says the deploy is done, or at the execution's timeout (which raises the alarm).
    poll.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(POLL_SECONDS), maxAttempts: 2, backoffRate: 2 });
    poll.addCatch(wait, { errors: ['States.ALL'], resultPath: '$.pollError' });
    const done = new Choice(this, 'Done?')
      .when(Condition.booleanEquals('$.poll.done', true), new Succeed(this, 'Ended'))
      .otherwise(wait);
    const definition = wait.next(poll).next(done);

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
