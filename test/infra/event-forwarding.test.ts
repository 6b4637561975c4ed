import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../bot/config';
import { opsbotStacks } from '../../infra/opsbot-app';
import { Claims } from '../../integrations/claims';
import { reactions } from '../../intents';
import { type EventBridgeEvent, ReactionRegistry } from '../../intents/define-reaction';
import type { DeployRun } from '../../intents/deploys/run/record';
import { startRun } from '../../intents/deploys/run/start';
import { describeShared, sharedJson } from '../support/fixtures';
import { describeMoto, type Moto, startMoto } from '../support/moto';
import { sandboxPorts } from '../support/ports';

/**
 * Two accounts and three regions: opsbot in tools/eu-west-1; an alarm of staging named by ARN in tools/us-east-1;
 * prod deployed in ap-northeast-2 with its alarm there; prod's pipeline in us-east-1. The maintenance digest reads
 * every account in the three regions the services and pipelines use.
 */
const THREE_REGIONS = `
slack:
  botUserId: U0OPSBOT01
  botId: B0OPSBOT01
  channels: { deploys: C0DEPLOYS01, alerts: C0ALERTS001, notices: C0NOTICES01 }
environments:
  staging: {}
  prod: { protected: true, deployers: everyone }
accounts:
  tools: { id: "111111111111" }
  prod: { id: "222222222222", roleArn: "arn:aws:iam::222222222222:role/opsbot", externalId: opsbot-example }
services:
  web:
    pipeline: web-pipeline
    environments:
      staging: { account: tools, region: eu-west-1, cluster: staging, repository: web, rollbackAlarms: [web-staging-5xx, "arn:aws:cloudwatch:us-east-1:111111111111:alarm:edge-5xx"] }
      prod: { account: prod, region: ap-northeast-2, cluster: prod, repository: web, rollbackAlarms: [web-prod-5xx] }
pipelines:
  web-pipeline: { account: prod, region: us-east-1 }
`;

const HOME = '111111111111';
const HOME_REGION = 'eu-west-1';

interface RulePattern {
  source: string[];
  'detail-type': string[];
  account?: string[];
  detail?: Record<string, string[]>;
}

function synthesize() {
  const config = parseConfig(THREE_REGIONS);
  const stacks = opsbotStacks(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), config, {
    homeAccount: HOME,
    homeRegion: HOME_REGION,
  });
  const rulesOf = (stack: (typeof stacks.events)[number] | typeof stacks.home) =>
    Object.entries(Template.fromStack(stack).findResources('AWS::Events::Rule')).map(([id, rule]) => ({
      id,
      pattern: rule.Properties.EventPattern as RulePattern,
      targets: rule.Properties.Targets as Array<{ Arn: unknown; RoleArn?: unknown }>,
    }));
  return { config, ...stacks, rulesOf };
}

describe('events from every account and region reach opsbot’s bus (two accounts, three regions)', () => {
  it('forwards another region of opsbot’s own account when the configuration lists no accounts (one account)', () => {
    // Prepare: no accounts section; web's alarm named by ARN in us-east-1 of the same account
    const config = parseConfig(`
environments: { prod: {} }
services:
  web:
    environments:
      prod: { account: "111111111111", region: eu-west-1, rollbackAlarms: [web-5xx, "arn:aws:cloudwatch:us-east-1:111111111111:alarm:edge-5xx"] }
notices: { regions: [eu-west-1] }
`);

    // Act
    const placed = opsbotStacks(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), config, {
      homeRegion: HOME_REGION,
    });

    // Assess
    expect(placed.events.map((stack) => [stack.stackName, stack.account, stack.region])).toEqual([
      ['OpsbotEvents-111111111111-us-east-1', '111111111111', 'us-east-1'],
    ]);
  });

  const synthesized = synthesize();
  const { home, events, rulesOf } = synthesized;

  it('deploys a forwarding stack to each place with events but opsbot’s own region, each forwarding what happens there', () => {
    // Act
    const forwarded = events.map((stack) => ({
      stack: stack.stackName,
      env: `${stack.account}/${stack.region}`,
      rules: rulesOf(stack)
        .map(({ pattern }) => `${pattern['detail-type'][0]}: ${JSON.stringify(pattern.detail ?? {})}`)
        .sort(),
    }));

    // Assess
    const health = 'AWS Health Event: {"eventTypeCategory":["scheduledChange"]}';
    const own = (stack: string) =>
      `CloudWatch Alarm State Change: {"alarmName":["${stack}-self-watch-forward-dead-letters"]}`;
    const deploys = [
      'CodeDeploy Deployment State-change Notification: {"state":["SUCCESS","FAILURE","STOP","READY"]}',
      'ECS Deployment State Change: {}',
    ];
    expect(forwarded).toEqual([
      {
        stack: 'OpsbotEvents-tools-ap-northeast-2',
        env: '111111111111/ap-northeast-2',
        rules: [health, own('OpsbotEvents-tools-ap-northeast-2')],
      },
      {
        stack: 'OpsbotEvents-tools-us-east-1',
        env: '111111111111/us-east-1',
        rules: [
          health,
          'CloudWatch Alarm State Change: {"alarmName":["edge-5xx"]}',
          own('OpsbotEvents-tools-us-east-1'),
        ].sort(),
      },
      {
        stack: 'OpsbotEvents-prod-ap-northeast-2',
        env: '222222222222/ap-northeast-2',
        rules: [
          health,
          'CloudWatch Alarm State Change: {"alarmName":["web-prod-5xx"]}',
          own('OpsbotEvents-prod-ap-northeast-2'),
          ...deploys,
        ].sort(),
      },
      {
        stack: 'OpsbotEvents-prod-eu-west-1',
        env: '222222222222/eu-west-1',
        rules: [health, own('OpsbotEvents-prod-eu-west-1')],
      },
      {
        stack: 'OpsbotEvents-prod-us-east-1',
        env: '222222222222/us-east-1',
        rules: [
          health,
          'CodePipeline Action Execution State Change: {"state":["FAILED"],"pipeline":["web-pipeline"]}',
          'CodePipeline Pipeline Execution State Change: {"state":["FAILED","SUCCEEDED"],"pipeline":["web-pipeline"]}',
          own('OpsbotEvents-prod-us-east-1'),
        ].sort(),
      },
    ]);
    // Every rule puts on opsbot's default bus, in its account and region, through a role.
    const bus = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${HOME_REGION}:${HOME}:event-bus/default`]],
    };
    for (const stack of events) {
      for (const { targets } of rulesOf(stack))
        expect(targets.map((t) => [t.Arn, t.RoleArn !== undefined])).toEqual([[bus, true]]);
    }
  });

  it('passes cdk-nag’s AWS Solutions checks in every events stack', () => {
    // Act
    const problems = events.flatMap((stack) =>
      new AwsSolutionsChecks(stack.node.scope as App)
        .validateScope(stack)
        .violations.map((v) => `${stack.stackName} ${v.ruleName}: ${v.violatingResources.length}`),
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it('opens opsbot’s bus to the other account only, and tells every forwarding alarm as one of its own', () => {
    // Act
    const template = Template.fromStack(home);
    const policies = Object.values(template.findResources('AWS::Events::EventBusPolicy')).map(
      (p) => (p.Properties.Statement as { Principal: { AWS: unknown } }).Principal.AWS,
    );
    const ownRule = rulesOf(home).find((r) => r.id.startsWith('OpsbotHealthEvents'))?.pattern;

    // Assess
    expect(policies).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] }]);
    expect(ownRule?.account).toEqual([{ Ref: 'AWS::AccountId' }, '222222222222']);
    for (const stack of events) {
      expect(ownRule?.detail?.alarmName).toContain(`${stack.stackName}-self-watch-forward-dead-letters`);
    }
  });
});

/**
 * Which of `rules` EventBridge matches `event` with, on moto in `region`: each rule made there with a queue of its
 * own as target, the event put once, and each queue read. Account tokens in a pattern stand for opsbot's account.
 */
async function routeOnMoto(
  moto: Moto,
  region: string,
  rules: Array<{ id: string; pattern: RulePattern }>,
  event: EventBridgeEvent & { detail: unknown },
): Promise<string[]> {
  const place = { region, endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const eventbridge = new EventBridgeClient(place);
  const sqs = new SQSClient(place);
  const queues: Array<[string, string]> = [];
  for (const [i, rule] of rules.entries()) {
    const name = `rule-${region}-${i}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const pattern = {
      ...rule.pattern,
      ...(rule.pattern.account !== undefined && {
        account: rule.pattern.account.map((a) => (typeof a === 'string' ? a : HOME)),
      }),
    };
    await eventbridge.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
    await eventbridge.send(
      new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn as string }] }),
    );
    queues.push([rule.id, QueueUrl as string]);
  }
  await eventbridge.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: event.source,
          DetailType: event['detail-type'],
          Detail: JSON.stringify(event.detail),
          Resources: [...(event.resources ?? [])],
        },
      ],
    }),
  );
  const matched: string[] = [];
  for (const [id, QueueUrl] of queues) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    if ((Messages ?? []).length > 0) matched.push(id);
  }
  return matched;
}

describeShared('an alarm in a region other than opsbot’s, end to end', () => {
  describeMoto('EventBridge’s pattern matching on moto', () => {
    let moto: Moto;
    beforeAll(async () => {
      moto = await startMoto();
    }, 30_000);
    afterAll(() => moto?.stop());

    it('fires in prod’s ap-northeast-2, is forwarded there, matched on opsbot’s bus and rolls the deploy back', async () => {
      // Prepare: a deploy of web to prod (ap-northeast-2) running in the sandbox of this configuration
      const { home, events, rulesOf, config } = synthesize();
      const base = sandboxPorts(config);
      const ports = { ...base.ports, claims: new Claims(base.store) };
      const [newest] = await ports.images.newest('web', 'prod', 1);
      await startRun(
        { kind: 'deploy', service: 'web', environment: 'prod', version: newest?.tag as string },
        { userId: 'U0ANA00001', channelId: 'C0DEPLOYS01' },
        ports,
      );
      base.clock.advance(2 * 60_000);
      const run = (await base.store.list<DeployRun>('deploys'))[0] as DeployRun;
      // CloudWatch's event, as AWS documents it, for web-prod-5xx going to ALARM now in 222222222222/ap-northeast-2
      const sample = sharedJson<EventBridgeEvent & { detail: Record<string, unknown> }>(
        'eb-cloudwatch-alarm-state-change__aws-docs__single-metric.json',
      );
      const arn = 'arn:aws:cloudwatch:ap-northeast-2:222222222222:alarm:web-prod-5xx';
      const now = new Date(base.clock.now()).toISOString();
      const event = {
        ...sample,
        account: '222222222222',
        region: 'ap-northeast-2',
        time: now.replace(/\.\d+Z$/, 'Z'),
        resources: [arn],
        detail: {
          ...sample.detail,
          alarmName: 'web-prod-5xx',
          state: { ...(sample.detail.state as object), value: 'ALARM', timestamp: now.replace('Z', '+0000') },
        },
      };
      const route = (region: string, rules: Array<{ id: string; pattern: RulePattern }>) =>
        routeOnMoto(moto, region, rules, event);

      // Act: EventBridge (moto's) matches the event against the rules of its place, and the forwarded copy against
      // the rules on opsbot's bus
      const place = events.find((stack) => stack.account === event.account && stack.region === event.region);
      const forwardedBy = await route(event.region, place === undefined ? [] : rulesOf(place));
      const matchedAtHome = await route(HOME_REGION, rulesOf(home));
      const registry = new ReactionRegistry(reactions);
      await registry.find(event as EventBridgeEvent)?.handle(event as EventBridgeEvent, ports);

      // Assess: forwarded by the one rule of that place for its rollback alarms, matched by the rollback rule alone,
      // and the deployment is rolling back
      expect(place?.stackName).toBe('OpsbotEvents-prod-ap-northeast-2');
      expect(forwardedBy).toEqual([expect.stringMatching(/^ForwardAlarmRollbackEvents/)]);
      expect(matchedAtHome).toEqual([expect.stringMatching(/^AlarmRollbackEvents/)]);
      const deployment = await base.sandbox.deployments.get('web', 'prod', run.deploymentId as string);
      expect(deployment.step).toBe('RollingBack');
    });
  });
});
