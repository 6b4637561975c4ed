import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchAlarms } from '../../integrations/aws/cloudwatch-alarms.adapter';
import { AwsDeployments, type DeployTarget } from '../../integrations/aws/ecs-deployments.adapter';
import { Claims } from '../../integrations/claims';
import type { IntentPorts } from '../../intents/define-intent';
import type { EventBridgeEvent } from '../../intents/define-reaction';
import { alarmRollback } from '../../intents/deploys/alarm-rollback.handler';
import { type DeployRun, runKey } from '../../intents/deploys/run/record';
import { startRun } from '../../intents/deploys/run/start';
import { pollRun } from '../../intents/deploys/run/watch';
import { plainText } from '../../intents/reply';
import { sandboxPorts } from '../support/ports';

const TASK_DEF = 'arn:aws:ecs:eu-west-1:222222222222:task-definition/web';
const PROD = { name: 'prod', id: '222222222222' };
const TARGET: DeployTarget = {
  service: 'web',
  environment: 'prod',
  account: PROD,
  region: 'eu-west-1',
  cluster: 'prod',
  ecsService: 'web',
  container: 'web',
  codedeploy: { application: 'web', deploymentGroup: 'web-prod' },
};

/** An alarm as DescribeAlarms returns it (the shape of AWS's published example, with this alarm's values). */
function describedAlarm(state: 'OK' | 'ALARM', at: Date) {
  return {
    AlarmName: 'web-prod-5xx-errors',
    AlarmArn: 'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:web-prod-5xx-errors',
    StateValue: state,
    StateReason:
      state === 'ALARM'
        ? 'Threshold Crossed: 1 out of the last 1 datapoints [17.0 (24/11/26 09:03:00)] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).'
        : 'Threshold Crossed: no datapoints were greater than the threshold (5.0).',
    StateReasonData: JSON.stringify({
      version: '1.0',
      queryDate: at.toISOString(),
      statistic: 'Sum',
      period: 60,
      recentDatapoints: [state === 'ALARM' ? 17 : 0],
      threshold: 5,
    }),
    StateUpdatedTimestamp: at,
    MetricName: 'HTTPCode_Target_5XX_Count',
    Namespace: 'AWS/ApplicationELB',
    Statistic: 'Sum' as const,
    Dimensions: [{ Name: 'LoadBalancer', Value: 'app/web-prod/50dc6c495c0c9188' }],
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 5,
    ComparisonOperator: 'GreaterThanThreshold' as const,
  };
}

/** Ports whose deployments and alarms are the AWS adapters over mocked clients, on the example world. */
function awsPorts(controller: 'CODE_DEPLOY' | 'ECS') {
  const ecs = mockClient(ECSClient);
  const codedeploy = mockClient(CodeDeployClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const base = sandboxPorts();
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: 'web',
        status: 'ACTIVE',
        taskDefinition: `${TASK_DEF}:41`,
        deploymentController: { type: controller },
        loadBalancers: [{ containerName: 'web', containerPort: 8080, targetGroupArn: 'arn:tg/blue' }],
      },
    ],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: `${TASK_DEF}:41`,
      family: 'web',
      revision: 41,
      containerDefinitions: [{ name: 'web', image: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/web:v1.8.1' }],
    },
  });
  ecs.on(RegisterTaskDefinitionCommand).resolves({
    taskDefinition: { taskDefinitionArn: `${TASK_DEF}:42`, family: 'web', revision: 42 },
  });
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [describedAlarm('OK', new Date(0))] });
  const deployments = new AwsDeployments(
    [TARGET],
    () => ({ ecs: new ECSClient({ region: 'eu-west-1' }), codedeploy: new CodeDeployClient({ region: 'eu-west-1' }) }),
    () => base.clock.now(),
  );
  const alarms = new CloudWatchAlarms(
    [{ service: 'web', environment: 'prod', account: PROD, region: 'eu-west-1', names: ['web-prod-5xx-errors'] }],
    () => new CloudWatchClient({ region: 'eu-west-1' }),
  );
  const ports: IntentPorts = { ...base.ports, deployments, alarms };
  return { ...base, ports, ecs, codedeploy, cloudwatch };
}

/** The alarm's "CloudWatch Alarm State Change" event, as EventBridge delivers it. */
function alarmEvent(at: Date): EventBridgeEvent {
  return {
    version: '0',
    id: '5c2f1a9e-0e51-4c2e-9a37-2a4f1f0b7d21',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '222222222222',
    time: at.toISOString(),
    region: 'eu-west-1',
    resources: ['arn:aws:cloudwatch:eu-west-1:222222222222:alarm:web-prod-5xx-errors'],
    detail: {
      alarmName: 'web-prod-5xx-errors',
      state: {
        value: 'ALARM',
        reason:
          'Threshold Crossed: 1 out of the last 1 datapoints [17.0 (24/11/26 09:03:00)] was greater than the threshold (5.0).',
        reasonData: '{"version":"1.0","recentDatapoints":[17.0],"threshold":5.0}',
        timestamp: at.toISOString().replace('Z', '+0000'),
      },
      previousState: { value: 'OK', reason: 'fine', timestamp: '2026-11-24T08:00:00.000+0000' },
      configuration: { metrics: [] },
    },
  };
}

describe('rollback alarms against the AWS adapters (aws-sdk-client-mock)', () => {
  afterEach(() => {
    mockClient(ECSClient).restore();
    mockClient(CodeDeployClient).restore();
    mockClient(CloudWatchClient).restore();
  });

  async function startCodeDeploy(setup: ReturnType<typeof awsPorts>) {
    const { ports, codedeploy, clock } = setup;
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW000001' });
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: {} });
    const info = { deploymentId: 'd-NEW000001', createTime: new Date(clock.now()), description: 'opsbot: v1.8.2' };
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { ...info, status: 'InProgress' } });
    await startRun(
      { kind: 'deploy', service: 'web', environment: 'prod', version: 'v1.8.2' },
      { userId: 'U0ANA00001', channelId: 'C0TEAM0001' },
      ports,
    );
    return { info, runId: (await ports.store.list<DeployRun>('deploys'))[0]?.id as string };
  }

  it('stops a CodeDeploy deployment with auto-rollback when DescribeAlarms shows the alarm in ALARM at a poll', async () => {
    // Prepare
    const setup = awsPorts('CODE_DEPLOY');
    const { ports, codedeploy, cloudwatch, clock, announcer } = setup;
    const { runId } = await startCodeDeploy(setup);
    clock.advance(60_000);
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [describedAlarm('ALARM', new Date(clock.now()))] });
    codedeploy.on(StopDeploymentCommand).resolves({ status: 'Pending' });

    // Act
    await pollRun(runId, ports);

    // Assess
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand).at(-1)?.args[0].input).toEqual({
      AlarmNames: ['web-prod-5xx-errors'],
      AlarmTypes: ['MetricAlarm'],
    });
    expect(codedeploy.commandCalls(StopDeploymentCommand).map((c) => c.args[0].input)).toEqual([
      { deploymentId: 'd-NEW000001', autoRollbackEnabled: true },
    ]);
    const story = announcer.thread(announcer.messages()[0]?.ts as string).join('\n');
    expect(story).toContain('Alarm web-prod-5xx-errors went to ALARM');
  });

  it('stops an ECS service deployment with ROLLBACK on the alarm’s event', async () => {
    // Prepare: a running ECS blue/green deployment, as launch stores it
    const { ports, ecs, clock, announcer, store } = awsPorts('ECS');
    const arn = 'arn:aws:ecs:eu-west-1:222222222222:service-deployment/prod/web/abc';
    const run: DeployRun = {
      id: 'r-ecs',
      kind: 'deploy',
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      previousVersion: 'v1.8.1',
      requestedBy: 'U0ANA00001',
      requestedAt: clock.now(),
      actor: { userId: 'U0ANA00001', channelId: 'C0TEAM0001' },
      auditId: 'none',
      state: 'running',
      messages: [await announcer.post({ channelId: 'C0TEAM0001' }, { summary: 'web' })],
      deploymentId: arn,
      engine: 'ecs-blue-green',
      startedAt: clock.now(),
    };
    await store.put(runKey(run.id), run, 3600, {
      collection: 'deploys',
      order: `${new Date(run.requestedAt).toISOString()}:r-ecs`,
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: arn,
          status: 'IN_PROGRESS',
          targetServiceRevision: { arn: 'arn:aws:ecs:rev/2' },
          deploymentConfiguration: { strategy: 'BLUE_GREEN' },
          lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
        },
      ],
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ taskDefinition: `${TASK_DEF}:42` }] });
    ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: arn });
    clock.advance(60_000);

    // Act
    await alarmRollback.handle(alarmEvent(new Date(clock.now())), { ...ports, claims: new Claims(store) });

    // Assess
    expect(ecs.commandCalls(StopServiceDeploymentCommand).map((c) => c.args[0].input)).toEqual([
      { serviceDeploymentArn: arn, stopType: 'ROLLBACK' },
    ]);
    const story = announcer.thread(run.messages[0]?.ts as string).join('\n');
    expect(story).toContain('Alarm web-prod-5xx-errors went to ALARM');
  });

  it('asks CodeDeploy nothing more when it is already rolling back on its own alarm configuration', async () => {
    // Prepare
    const setup = awsPorts('CODE_DEPLOY');
    const { ports, codedeploy, clock, announcer, store } = setup;
    const { info } = await startCodeDeploy(setup);
    clock.advance(60_000);
    codedeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: {
        ...info,
        status: 'Stopped',
        errorInformation: { code: 'ALARM_ACTIVE', message: 'One or more alarms have been activated.' },
        rollbackInfo: { rollbackDeploymentId: 'd-ROLLBACK01' },
      },
    });

    // Act
    await alarmRollback.handle(alarmEvent(new Date(clock.now())), { ...ports, claims: new Claims(store) });

    // Assess
    expect(codedeploy.commandCalls(StopDeploymentCommand)).toEqual([]);
    const story = announcer.thread(announcer.messages()[0]?.ts as string).join('\n');
    expect(story).toContain('Alarm web-prod-5xx-errors went to ALARM');
    expect(
      plainText(
        announcer.posts
          .find((p) => plainText(p.reply.summary).includes('ALARM'))
          ?.reply.sections?.flat()
          .at(-1) ?? '',
      ),
    ).toContain('CodeDeploy was already rolling it back');
  });

  it('reads metric alarms across pages, then composite alarms, and says plainly what it may not read', async () => {
    // Prepare: two pages of metric alarms, then the composite one among the names not found
    const cloudwatch = mockClient(CloudWatchClient);
    const composite = {
      AlarmName: 'web-prod-health',
      AlarmArn: 'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:web-prod-health',
      AlarmRule: 'ALARM(web-prod-5xx-errors) OR ALARM(web-prod-p99-latency)',
      StateValue: 'ALARM' as const,
      StateReason: 'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:web-prod-5xx-errors transitioned to ALARM',
      StateReasonData:
        '{"triggeringAlarms":[{"arn":"arn:aws:cloudwatch:eu-west-1:222222222222:alarm:web-prod-5xx-errors","state":{"value":"ALARM","timestamp":"2026-11-24T09:03:00.000+0000"}}]}',
      StateUpdatedTimestamp: new Date('2026-11-24T09:05:00Z'),
      StateTransitionedTimestamp: new Date('2026-11-24T09:03:00Z'),
    };
    const denied = Object.assign(new Error('User is not authorized to perform: cloudwatch:DescribeAlarms'), {
      name: 'AccessDenied',
    });
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [describedAlarm('OK', new Date(0))], NextToken: 'page-2' })
      .resolvesOnce({ MetricAlarms: [] })
      .resolvesOnce({ CompositeAlarms: [composite] })
      // The next read: metric alarms again, and composites denied (DescribeAlarms granted on ARNs only).
      .resolvesOnce({ MetricAlarms: [describedAlarm('OK', new Date(0))] })
      .rejectsOnce(denied)
      // And one where nothing may be read.
      .rejectsOnce(denied);
    const alarms = new CloudWatchAlarms(
      [
        {
          service: 'web',
          environment: 'prod',
          account: PROD,
          region: 'eu-west-1',
          names: ['web-prod-5xx-errors', 'web-prod-health'],
        },
      ],
      () => new CloudWatchClient({ region: 'eu-west-1' }),
    );

    // Act
    const states = await alarms.states('web', 'prod');
    const withoutComposites = await alarms.states('web', 'prod');
    const unreadable = alarms.states('web', 'prod');

    // Assess
    expect(
      cloudwatch
        .commandCalls(DescribeAlarmsCommand)
        .slice(0, 3)
        .map((c) => [c.args[0].input.AlarmTypes, c.args[0].input.AlarmNames, c.args[0].input.NextToken]),
    ).toEqual([
      [['MetricAlarm'], ['web-prod-5xx-errors', 'web-prod-health'], undefined],
      [['MetricAlarm'], ['web-prod-5xx-errors', 'web-prod-health'], 'page-2'],
      [['CompositeAlarm'], ['web-prod-health'], undefined],
    ]);
    expect(states.map((s) => [s.name, s.state])).toEqual([
      ['web-prod-5xx-errors', 'OK'],
      ['web-prod-health', 'ALARM'],
    ]);
    expect(states[1]?.measure).toEqual({
      kind: 'composite',
      rule: 'ALARM(web-prod-5xx-errors) OR ALARM(web-prod-p99-latency)',
      triggeredBy: ['web-prod-5xx-errors'],
    });
    // When its state changed, not when it was last updated.
    expect(states[1]?.updatedAt).toBe(Date.parse('2026-11-24T09:03:00Z'));
    expect(withoutComposites.map((s) => s.name)).toEqual(['web-prod-5xx-errors']);
    await expect(unreadable).rejects.toMatchObject({
      code: 'ALARMS_UNREADABLE',
      userMessage: "I couldn't read the rollback alarms of web in prod (prod, eu-west-1: AccessDenied).",
      readable: [],
    });
    expect(await alarms.states('api', 'prod')).toEqual([]);
  });

  it('tells CodeDeploy to leave the group’s own alarms out of a rollback, and only of a rollback', async () => {
    // Prepare
    const setup = awsPorts('CODE_DEPLOY');
    const { ports, codedeploy, clock } = setup;
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW000001' });
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: {} });
    codedeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: { deploymentId: 'd-NEW000001', createTime: new Date(clock.now()), status: 'InProgress' },
    });

    // Act
    await ports.deployments.start({ service: 'web', environment: 'prod', version: 'v1.8.2', requestedBy: 'U1' });
    await ports.deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.0',
      requestedBy: 'opsbot',
      rollback: true,
    });

    // Assess
    expect(
      codedeploy.commandCalls(CreateDeploymentCommand).map((c) => c.args[0].input.overrideAlarmConfiguration),
    ).toEqual([undefined, { enabled: false }]);
  });
});
