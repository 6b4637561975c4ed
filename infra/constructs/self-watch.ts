import { Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { type OwnAlarmKind, ownAlarmDescription, ownAlarmName } from '../../intents/self/own-alarms';

/** How long each alarm looks at: short enough to tell people while it matters, long enough to read a trend. */
const PERIOD = Duration.minutes(5);
/** Slack gives up on an acknowledgement after 3 s; the alarm fires with a second to spare. */
export const SLOW_ACK_MS = 2000;

export interface SelfWatchProps {
  /** The function behind the Slack request URL. */
  readonly slack: IFunction;
  /** The function that does the work (jobs, events, the deploy watcher's polls). */
  readonly worker: IFunction;
  /** Where failed jobs and undeliverable events end. */
  readonly deadLetters: IQueue;
  /** The HTTP API Slack calls: its integration latency is what Slack waits for, cold starts included. */
  readonly api: IHttpApi;
}

/**
 * opsbot's alarms on itself: each function's errors and throttles, the dead-letter queue's depth, and how long Slack
 * waits for an acknowledgement. Each is named `<stack>-self-watch-<kind>` (known at synth, so an EventBridge rule
 * can name exactly these) and described from the same table the OpsbotHealth reaction tells them from. Missing data
 * is not breaching: an idle opsbot is a healthy one. The deploy watcher's own alarm is the DeployWatcher's.
 */
export class SelfWatch extends Construct {
  /** The alarms, by kind. */
  readonly alarms: Readonly<Partial<Record<OwnAlarmKind, Alarm>>>;

  constructor(scope: Construct, id: string, props: SelfWatchProps) {
    super(scope, id);
    const sum = { period: PERIOD, statistic: 'Sum' };
    const alarms: Partial<Record<OwnAlarmKind, Alarm>> = {};
    const watch = (kind: OwnAlarmKind, metric: IMetric, options: Partial<AlarmOptions> = {}) => {
      alarms[kind] = new Alarm(this, pascal(kind), {
        alarmName: SelfWatch.alarmName(this, kind),
        alarmDescription: ownAlarmDescription(kind),
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        ...options,
      });
    };
    // One error or throttle is worth telling: each is a person without an answer, or an event not acted on.
    watch('slack-errors', props.slack.metricErrors(sum));
    watch('slack-throttles', props.slack.metricThrottles(sum));
    watch('worker-errors', props.worker.metricErrors(sum));
    watch('worker-throttles', props.worker.metricThrottles(sum));
    // Anything in the queue is something that failed for good; the alarm stays on until someone empties it.
    watch(
      'dead-letters',
      props.deadLetters.metricApproximateNumberOfMessagesVisible({ ...sum, statistic: 'Maximum' }),
      {
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      },
    );
    // The p99 of what Slack waits for, in two of the last three periods: one slow cold start alone is not a trend.
    watch('slow-ack', props.api.metricIntegrationLatency({ period: PERIOD, statistic: 'p99' }), {
      threshold: SLOW_ACK_MS,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    this.alarms = alarms;
  }

  /** The names of this construct's alarms. */
  get alarmNames(): string[] {
    return Object.keys(this.alarms).map((kind) => SelfWatch.alarmName(this, kind as OwnAlarmKind));
  }

  /** The name of one of opsbot's own alarms in the stack of `scope`. */
  static alarmName(scope: IConstruct, kind: OwnAlarmKind): string {
    return ownAlarmName(Stack.of(scope).stackName, kind);
  }
}

/** `slow-ack` → `SlowAck`: the construct id (and so the logical id) of an alarm. */
export function pascal(kind: string): string {
  return kind.replace(/(^|-)([a-z])/g, (_m, _dash, letter: string) => letter.toUpperCase());
}

interface AlarmOptions {
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}
