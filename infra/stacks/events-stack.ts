import { Aws, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EventType } from '../../intents/define-reaction';
import { reactionDeclarations as reactions } from '../../intents/reaction-declarations';
import { ownAlarmDescription, ownAlarmName } from '../../intents/self/own-alarms';
import type { EventPlace } from '../event-places';

export interface OpsbotEventsStackProps extends StackProps {
  /** The place whose events this stack forwards (its account and region are the stack's). */
  readonly place: EventPlace;
  /** opsbot's own account and region: its default event bus receives the events. */
  readonly homeAccountId: string;
  readonly homeRegion: string;
}

/**
 * The events of one place that opsbot reacts to, scoped as opsbot's own rules scope them, or undefined when none
 * happen there: rollback alarms that live here, configured pipelines that run here, deployments of services here,
 * AWS Health's scheduled changes where the digest reads them, and the changes of this stack's own alarm.
 */
function scopeHere(
  type: EventType,
  place: EventPlace,
  ownAlarm: string,
): Record<string, readonly string[]> | undefined {
  const configured = type.configured;
  const declared = type.detail ?? {};
  if (configured !== undefined) {
    if ('alarmField' in configured)
      return place.alarms.length === 0 ? undefined : { ...declared, [configured.alarmField]: place.alarms };
    if ('ownAlarmField' in configured) return { ...declared, [configured.ownAlarmField]: [ownAlarm] };
    return place.pipelines.length === 0 ? undefined : { ...declared, [configured.pipelineField]: place.pipelines };
  }
  switch (type.source) {
    case 'aws.health':
      return place.health ? declared : undefined;
    case 'aws.codedeploy':
    case 'aws.ecs':
      return place.deploys ? declared : undefined;
    default:
      throw new Error(
        `opsbot infra: events of ${type.source} (${type.detailType}) have no place; say in event-places.ts where they happen`,
      );
  }
}

/**
 * Deployed to each account and region whose events opsbot reacts to, but opsbot's own region of its own account:
 * rules that forward those events (and only those) from this place's default bus to opsbot's, in its account and
 * region. EventBridge rules are regional and see their own account, so without this an alarm in another region
 * would never reach opsbot. What cannot be forwarded waits in a queue, alarmed; that alarm's changes are forwarded
 * too.
 */
export class OpsbotEventsStack extends Stack {
  readonly forwardingAlarm: Alarm;
  /** The name of the alarm on events that could not be forwarded (known at synth: opsbot's own rules name it). */
  readonly forwardingAlarmName: string;

  constructor(scope: Construct, id: string, props: OpsbotEventsStackProps) {
    super(scope, id, props);
    const { place } = props;
    this.forwardingAlarmName = ownAlarmName(this.stackName, 'forward-dead-letters');
    const home = EventBus.fromEventBusArn(
      this,
      'OpsbotBus',
      `arn:${Aws.PARTITION}:events:${props.homeRegion}:${props.homeAccountId}:event-bus/default`,
    );

    // What cannot be put on opsbot's bus (its policy missing, the home region wrong) is kept here, and alarmed: an
    // event that never reaches opsbot is one it never acts on. The alarm's own changes travel the same forwarding, so
    // they reach opsbot when a delivery failed now and then; the alarm is in this account's console either way.
    const deadLetters = new Queue(this, 'ForwardingDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the forwarding rules’ event bus targets.',
    });
    this.forwardingAlarm = new Alarm(this, 'ForwardingDeadLettersAlarm', {
      alarmName: this.forwardingAlarmName,
      alarmDescription: ownAlarmDescription('forward-dead-letters'),
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const target = new EventBusTarget(home, { deadLetterQueue: deadLetters });

    for (const reaction of reactions) {
      reaction.events.forEach((type, i) => {
        if (type.scheduled === true) return;
        const detail = scopeHere(type, place, this.forwardingAlarmName);
        if (detail === undefined) return;
        new Rule(this, `Forward${reaction.name}Events${i === 0 ? '' : i + 1}`, {
          description: `opsbot: ${type.purpose ?? type.detailType} here → opsbot’s event bus (${reaction.name})`,
          eventPattern: {
            source: [type.source],
            detailType: [type.detailType],
            ...(Object.keys(detail).length > 0 && { detail: detail as Record<string, string[]> }),
          },
          targets: [target],
        });
      });
    }
  }
}
