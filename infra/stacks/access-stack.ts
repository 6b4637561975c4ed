import { Aws, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { maintenancePlaces, resolveAccount } from '../../bot/accounts';
import type { OpsbotConfig } from '../../bot/config';
import { ownAlarmDescription, ownAlarmName } from '../../intents/self/own-alarms';
import { alarmedGroups, rollbackAlarms } from '../alarm-events';
import { EngineAlarmRollback } from '../constructs/engine-alarm-rollback';
import { grantDeploys } from '../deploy-permissions';
import { grantMaintenance } from '../maintenance-permissions';
import { pipelineStages } from '../pipeline-permissions';

export interface OpsbotAccessStackProps extends StackProps {
  readonly config: OpsbotConfig;
  /** This account's name under `accounts` in the configuration. */
  readonly accountName: string;
  /** The account opsbot runs in: its functions' roles are trusted. */
  readonly homeAccountId: string;
  /**
   * The names of the roles in the home account that may assume this one (IAM `ArnLike`).
   * @default 'Opsbot-Worker*' (the worker function's role in the `Opsbot` stack)
   */
  readonly trustedRoleNames?: string;
  /**
   * The region of opsbot's own event bus, where this account's rollback alarm events are forwarded.
   * @default this stack's own region
   */
  readonly homeRegion?: string;
  /**
   * Defence in depth: give each configured CodeDeploy deployment group in this account its rollback alarms as its own
   * alarm configuration, with automatic rollback on alarm, so CodeDeploy rolls back even while opsbot is down.
   * @default false (the groups are left as they are)
   */
  readonly engineAlarmRollback?: boolean;
}

/** The name of the access stack of the account named `accountName` under `accounts`: `OpsbotAccess-<name>`. */
export function accessStackName(accountName: string): string {
  return `OpsbotAccess-${accountName}`;
}

/**
 * The accounts (ids) whose events the access stacks forward to opsbot's bus: those with rollback alarms, and those
 * whose AWS Health scheduled changes the digest reads — other than opsbot's own.
 */
export function forwardingAccounts(config: OpsbotConfig): string[] {
  return [
    ...new Set([
      ...rollbackAlarms(config)
        .filter((a) => a.account.roleArn !== undefined)
        .map((a) => a.account.id),
      ...maintenancePlaces(config)
        .accounts.filter((a) => a.account.roleArn !== undefined)
        .map((a) => a.account.id),
    ]),
  ].sort();
}

/**
 * Deployed to every account opsbot works in but its own: the role opsbot assumes there (the name and external id
 * configured under `accounts`), trusted by opsbot's worker role in the home account only, with the permissions
 * opsbot needs in this account: read and retry of the configured pipelines here, and deploys of the configured
 * services here (ECS, CodeDeploy, ECR, iam:PassRole towards ECS tasks only).
 */
export class OpsbotAccessStack extends Stack {
  readonly role: Role;
  /** The alarm on events that could not be forwarded to opsbot's bus; undefined when this stack forwards nothing. */
  readonly forwardingAlarm?: Alarm;

  constructor(scope: Construct, id: string, props: OpsbotAccessStackProps) {
    super(scope, id, props);
    const account = props.config.accounts[props.accountName];
    if (account?.roleArn === undefined) {
      throw new Error(`accounts.${props.accountName} has no roleArn: opsbot needs no role in its own account`);
    }
    const roleName = account.roleArn.split(':role/')[1] as string;
    const principal = new AccountPrincipal(props.homeAccountId).withConditions({
      ArnLike: {
        'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${props.homeAccountId}:role/${props.trustedRoleNames ?? 'Opsbot-Worker*'}`,
      },
      ...(account.externalId !== undefined && { StringEquals: { 'sts:ExternalId': account.externalId } }),
    });
    this.role = new Role(this, 'OpsbotRole', {
      roleName: roleName.split('/').at(-1) as string,
      ...(roleName.includes('/') && { path: `/${roleName.split('/').slice(0, -1).join('/')}/` }),
      assumedBy: principal,
      description: 'opsbot: the role its worker assumes in this account',
    });
    const pipelines = Object.entries(props.config.pipelines)
      .filter(([, p]) => resolveAccount(props.config, p.account).id === account.id)
      .map(([name, p]) => `arn:${Aws.PARTITION}:codepipeline:${p.region}:${account.id}:${name}`);
    if (pipelines.length > 0) {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: [
            'codepipeline:GetPipelineState',
            'codepipeline:ListPipelineExecutions',
            'codepipeline:ListActionExecutions',
          ],
          resources: pipelines,
        }),
      );
      // Retry is authorized on the stage (`pipeline/stage`), named by the failure being retried.
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ['codepipeline:RetryStageExecution'],
          resources: pipelineStages(this, pipelines),
        }),
      );
    }
    grantDeploys(this, this.role, props.config, (a) => a.id === account.id);
    grantMaintenance(this, this.role, props.config, (a) => a.id === account.id);

    if (props.engineAlarmRollback === true) {
      const groups = alarmedGroups(props.config, account.id);
      if (groups.length > 0) new EngineAlarmRollback(this, 'EngineAlarmRollback', { groups });
    }

    // This account's rollback alarms change state here: their events go on to opsbot's bus in the home account.
    const names = [
      ...new Set(
        rollbackAlarms(props.config)
          .filter((a) => a.account.id === account.id)
          .map((a) => a.name),
      ),
    ];
    const home = EventBus.fromEventBusArn(
      this,
      'OpsbotBus',
      `arn:${Aws.PARTITION}:events:${props.homeRegion ?? Aws.REGION}:${props.homeAccountId}:event-bus/default`,
    );
    const health = maintenancePlaces(props.config).accounts.some((a) => a.account.id === account.id);
    if (!health && names.length === 0) return;

    // What cannot be put on opsbot's bus (its policy missing, the home region wrong) is kept here, and alarmed: a
    // rollback alarm that never reaches opsbot is one it never acts on. That alarm's own changes travel the same
    // forwarding, so they reach opsbot when a delivery failed now and then, not when forwarding is broken for good
    // (then they land in this queue too): the alarm is in this account's console either way.
    const deadLetters = new Queue(this, 'ForwardingDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the forwarding rules’ event bus targets.',
    });
    const stuck = new Alarm(this, 'ForwardingDeadLettersAlarm', {
      alarmName: ownAlarmName(this.stackName, 'forward-dead-letters'),
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

    // So do AWS Health's scheduled changes, when the maintenance digest reads this account.
    if (health) {
      new Rule(this, 'ForwardHealthEvents', {
        description: 'opsbot: AWS Health scheduled changes → opsbot’s event bus in its own account',
        eventPattern: {
          source: ['aws.health'],
          detailType: ['AWS Health Event'],
          detail: { eventTypeCategory: ['scheduledChange'] },
        },
        targets: [target],
      });
    }
    new Rule(this, 'ForwardAlarmEvents', {
      description: 'opsbot: rollback alarms (and its forwarding alarm) changing state → opsbot’s event bus',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: { alarmName: [...names.sort(), ownAlarmName(this.stackName, 'forward-dead-letters')] },
      },
      targets: [target],
    });
    this.forwardingAlarm = stuck;
  }
}
