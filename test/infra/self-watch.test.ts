import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { type EventPlace, forwardingPlaces } from '../../infra/event-places';
import { OpsbotEventsStack } from '../../infra/stacks/events-stack';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import { reactions } from '../../intents';
import { ReactionRegistry } from '../../intents/define-reaction';
import { readOwnAlarmName } from '../../intents/self/own-alarms';
import { alarmStateChange } from '../support/ports';

/** Bundling is skipped (the `aws:cdk:bundling-stacks` context): these tests read alarms and rules, not code. */
const unbundled = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const exampleText = () => readFileSync(EXAMPLE_CONFIG_PATH, 'utf8');

type Resource = { Properties: Record<string, unknown> };
type Target = { Arn: unknown; DeadLetterConfig?: unknown; RetryPolicy?: unknown };

describe('opsbot watches itself: alarms on its own parts, and their changes sent to the worker', () => {
  const config = parseConfig(exampleText());
  const app = unbundled();
  const stack = new OpsbotStack(app, 'Opsbot', { config, homeRegion: 'eu-west-1' });
  // prod's eu-west-1 place forwards its events to opsbot's bus (opsbot's own account's us-east-1 and prod's too).
  const access = new OpsbotEventsStack(app, 'OpsbotEvents-prod-eu-west-1', {
    place: forwardingPlaces(config, 'eu-west-1').find(
      (p) => p.account.name === 'prod' && p.region === 'eu-west-1',
    ) as EventPlace,
    homeAccountId: '111111111111',
    homeRegion: 'eu-west-1',
    env: { account: '222222222222', region: 'eu-west-1' },
  });
  const template = Template.fromStack(stack);
  const accessTemplate = Template.fromStack(access);
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
  const alarm = (name: string) => alarms.find((a) => a.Properties.AlarmName === name)?.Properties;
  const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
  const fn = (prefix: string) => ({ Ref: functions.find((id) => id.startsWith(prefix)) });
  const queueId = Object.keys(template.findResources('AWS::SQS::Queue'))[0] as string;
  const rules = template.findResources('AWS::Events::Rule') as Record<string, Resource>;
  const ruleOf = (prefix: string) =>
    Object.entries(rules).find(([id]) => id.startsWith(prefix))?.[1].Properties as {
      EventPattern: { account?: unknown[]; detail: { alarmName: string[] } };
      Targets: Target[];
    };

  it('alarms on each function’s errors and throttles: one in five minutes is worth telling', () => {
    for (const [name, metric, prefix] of [
      ['Opsbot-self-watch-slack-errors', 'Errors', 'Slack'],
      ['Opsbot-self-watch-slack-throttles', 'Throttles', 'Slack'],
      ['Opsbot-self-watch-worker-errors', 'Errors', 'Worker'],
      ['Opsbot-self-watch-worker-throttles', 'Throttles', 'Worker'],
    ] as const) {
      expect(alarm(name)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        // The function's own dimension: every version and alias of it (the worker's `events` alias too).
        Dimensions: [{ Name: 'FunctionName', Value: fn(prefix) }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('alarms on anything in the dead-letter queue', () => {
    expect(alarm('Opsbot-self-watch-dead-letters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when Slack waits over 2 s for an acknowledgement (p99 of the API’s integration latency), twice in 15 min', () => {
    const [apiId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'));
    expect(alarm('Opsbot-self-watch-slow-ack')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'IntegrationLatency',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }],
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: 2000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on deploy watcher executions that failed, timed out or were aborted — the watcher’s one alarm', () => {
    // Prepare
    const watcher = alarm('Opsbot-self-watch-deploy-watcher-failures') as {
      Metrics: Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }>;
    };

    // Assess
    expect(watcher).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(watcher.Metrics.find((m) => m.Expression !== undefined)?.Expression).toBe(
      'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
    );
    expect(watcher.Metrics.flatMap((m) => m.MetricStat?.Metric.MetricName ?? []).sort()).toEqual([
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]);
    expect(alarms.filter((a) => JSON.stringify(a).includes('AWS/States'))).toHaveLength(1);
  });

  it('names every alarm after its stack, as one of opsbot’s own, described in words', () => {
    // Assess
    expect(alarms).toHaveLength(7);
    for (const a of alarms) {
      const name = a.Properties.AlarmName as string;
      expect(readOwnAlarmName(name)?.stack).toBe('Opsbot');
      expect(a.Properties.AlarmDescription).toMatch(/^opsbot watches itself: .+\. Look at .+\.$/);
    }
    accessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'OpsbotEvents-prod-eu-west-1-self-watch-forward-dead-letters',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('sends exactly these alarms’ changes to the worker, from this account and the forwarding ones', () => {
    // Prepare: the forwarding of each other place (prod's regions, and opsbot's own account's us-east-1, where the
    // digest reads AWS Health) has an alarm of its own
    const rule = ruleOf('OpsbotHealthEvents');
    const names = [
      ...alarms.map((a) => a.Properties.AlarmName as string),
      'OpsbotEvents-prod-eu-west-1-self-watch-forward-dead-letters',
      'OpsbotEvents-prod-us-east-1-self-watch-forward-dead-letters',
      'OpsbotEvents-tools-us-east-1-self-watch-forward-dead-letters',
    ].sort();

    // Assess
    expect(rule.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      account: [{ Ref: 'AWS::AccountId' }, '222222222222'],
      detail: { alarmName: names },
    });
    // The same target, with the same dead-letter queue and retries, as every other rule: the worker's events alias.
    expect(rule.Targets).toEqual(ruleOf('AlarmRollbackEvents').Targets);
  });

  it('keeps the rollback alarms’ rule and the own alarms’ rule apart, and the worker routes each to its reaction', () => {
    // Prepare
    const own = ruleOf('OpsbotHealthEvents').EventPattern.detail.alarmName;
    const rollback = ruleOf('AlarmRollbackEvents').EventPattern.detail.alarmName;
    const registry = new ReactionRegistry(reactions);

    // Assess
    expect(rollback.filter((n) => own.includes(n))).toEqual([]);
    for (const name of own) expect(registry.find(alarmStateChange(name))?.name).toBe('OpsbotHealth');
    for (const name of rollback) expect(registry.find(alarmStateChange(name))?.name).toBe('AlarmRollback');
  });

  it('refuses a rollback alarm named like one of opsbot’s own, which the worker could not tell apart', () => {
    // Prepare
    const clash = parseConfig(
      exampleText().replace('[worker-prod-queue-age]', '[worker-prod-queue-age, jobs-self-watch-dead-letters]'),
    );

    // Act, Assess
    expect(() => new OpsbotStack(unbundled(), 'Opsbot', { config: clash })).toThrow(
      'rollbackAlarms: "jobs-self-watch-dead-letters" named like opsbot\'s own alarms',
    );
  });

  it('keeps what fails for good: every rule target, the schedule and the worker’s async invocations have the queue', () => {
    // Prepare
    const queue = { 'Fn::GetAtt': [queueId, 'Arn'] };

    // Assess: every EventBridge rule's target
    for (const rule of Object.values(rules)) {
      for (const target of rule.Properties.Targets as Target[]) {
        expect(target.DeadLetterConfig).toEqual({ Arn: queue });
        expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 2 });
      }
    }
    // the maintenance digest's schedule
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ DeadLetterConfig: { Arn: queue } }),
    });
    // the worker's async invocations: Slack's jobs (no retry) and the events alias (two)
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')) as Resource[];
    expect(configs).toHaveLength(2);
    for (const c of configs) {
      expect(c.Properties.DestinationConfig).toEqual({ OnFailure: { Destination: queue } });
    }
  });

  it('keeps what an events stack could not forward to opsbot’s bus, in a queue of its own', () => {
    // Prepare
    const [queueId] = Object.keys(accessTemplate.findResources('AWS::SQS::Queue'));
    const forwarding = Object.values(accessTemplate.findResources('AWS::Events::Rule')) as Resource[];

    // Assess: the forwarding rules (the rollback alarms', AWS Health's, and that of the queue's own alarm)
    expect(forwarding).toHaveLength(3);
    for (const rule of forwarding) {
      for (const target of rule.Properties.Targets as Target[]) {
        expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
      }
    }
    accessTemplate.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    accessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    });
  });
});
