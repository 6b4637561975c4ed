import {
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
} from '@aws-sdk/client-codedeploy';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { ExecutionAlreadyExists, InvalidArn, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handleWorkerInput, type RouterDeps } from '../../bot/worker/router';
import { AwsDeployments, type DeployTarget } from '../../integrations/aws/ecs-deployments.adapter';
import { StepFunctionsWatcher } from '../../integrations/aws/step-functions-watcher.adapter';
import { Claims } from '../../integrations/claims';
import { ClockWatcher } from '../../integrations/clock-watcher';
import type { IntentPorts } from '../../intents/define-intent';
import { deployEvents, serviceArnOf } from '../../intents/deploys/deploy-events.handler';
import { lockService } from '../../intents/deploys/locks';
import { type DeployRun, loadRun, runKey } from '../../intents/deploys/run/record';
import { startRun } from '../../intents/deploys/run/start';
import { pollRun } from '../../intents/deploys/run/watch';
import { plainText, type Reply } from '../../intents/reply';
import { sandboxPorts } from '../support/ports';

const ARN = 'arn:aws:states:eu-west-1:111111111111:stateMachine:Opsbot-deploy-watcher';
const TASK_DEF = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web';

describe('the Step Functions watcher (aws-sdk-client-mock)', () => {
  afterEach(() => mockClient(SFNClient).restore());

  it('starts one execution per deploy, named after it, with the poll step’s input', async () => {
    // Prepare
    const sfn = mockClient(SFNClient);
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:r-1`, startDate: new Date() });

    // Act
    await new StepFunctionsWatcher(new SFNClient({ region: 'eu-west-1' }), ARN).watch('r-0123456789abcdef');

    // Assess
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: ARN,
      name: 'r-0123456789abcdef',
      input: JSON.stringify({
        kind: 'watch',
        runId: 'r-0123456789abcdef',
        execution: 'r-0123456789abcdef',
        generation: 0,
        round: 0,
      }),
    });
  });

  it('names the first execution so that its successors’ names (`_w<generation>`) fit Step Functions’ 80 characters', async () => {
    // Prepare: an id longer than an execution name may be, with characters a name may not have
    const sfn = mockClient(SFNClient);
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:r-1`, startDate: new Date() });
    const id = `ecs-unlisted:web/prod:${'r'.repeat(90)}`;

    // Act
    await new StepFunctionsWatcher(new SFNClient({ region: 'eu-west-1' }), ARN).watch(id);

    // Assess
    const sent = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(sent?.name).toMatch(/^ecs-unlisted_web_prod_r+$/);
    expect(sent?.name).toHaveLength(72);
    expect(JSON.parse(sent?.input as string)).toMatchObject({ runId: id, execution: sent?.name, generation: 0 });
  });

  it('asks for a hand-over from the poll step once its execution has polled six hours, and not when the deploy is done', async () => {
    // Prepare
    const { ports, clock } = sandboxPorts();
    const worker = { ports } as unknown as RouterDeps;
    const job = (since: number) => ({
      kind: 'watch' as const,
      runId: 'r-none',
      watchedSince: new Date(since).toISOString(),
    });
    await ports.store.put(
      runKey('r-going'),
      { id: 'r-going', state: 'awaiting-approval', requestedAt: clock.now() },
      3600,
    );

    // Act
    const fresh = await handleWorkerInput({ ...job(clock.now() - 60_000), runId: 'r-going' }, worker);
    const old = await handleWorkerInput({ ...job(clock.now() - 6 * 60 * 60_000), runId: 'r-going' }, worker);
    const unknownAge = await handleWorkerInput({ kind: 'watch', runId: 'r-going', watchedSince: 'yesterday' }, worker);
    const ended = await handleWorkerInput(job(clock.now() - 7 * 60 * 60_000), worker);

    // Assess
    expect([fresh, old, unknownAge, ended]).toEqual([
      { done: false, handOver: false },
      { done: false, handOver: true },
      { done: false, handOver: false },
      { done: true, handOver: false },
    ]);
  });

  it('treats an execution that already exists as watched, and says any other failure', async () => {
    // Prepare
    const sfn = mockClient(SFNClient);
    const watcher = new StepFunctionsWatcher(new SFNClient({ region: 'eu-west-1' }), ARN);
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }))
      .rejectsOnce(new InvalidArn({ message: 'bad arn', $metadata: {} }));

    // Act / Assess
    await expect(watcher.watch('r-1')).resolves.toBeUndefined();
    await expect(watcher.watch('r-1')).rejects.toThrow('bad arn');
  });
});

const TARGET: DeployTarget = {
  service: 'web',
  environment: 'prod',
  account: { name: 'prod', id: '111111111111' },
  region: 'eu-west-1',
  cluster: 'prod',
  ecsService: 'web',
  container: 'web',
  codedeploy: { application: 'web', deploymentGroup: 'web-prod' },
};

/** Ports whose deployments are the AWS adapter over mocked ECS and CodeDeploy clients, at a fixed time. */
function awsPorts(controller: 'CODE_DEPLOY' | 'ECS') {
  const ecs = mockClient(ECSClient);
  const codedeploy = mockClient(CodeDeployClient);
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
      containerDefinitions: [{ name: 'web', image: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/web:v1.8.1' }],
    },
  });
  ecs.on(RegisterTaskDefinitionCommand).resolves({
    taskDefinition: { taskDefinitionArn: `${TASK_DEF}:42`, family: 'web', revision: 42 },
  });
  const deployments = new AwsDeployments(
    [TARGET],
    () => ({ ecs: new ECSClient({ region: 'eu-west-1' }), codedeploy: new CodeDeployClient({ region: 'eu-west-1' }) }),
    () => base.clock.now(),
    async () => undefined,
  );
  const ports: IntentPorts = { ...base.ports, deployments };
  return { ...base, ports, ecs, codedeploy };
}

/** Every line a reply shows, as plain text. */
function allTextOf(reply: Reply | undefined): string {
  return (reply?.sections ?? []).flat().map(plainText).join('\n');
}

describe('the watcher’s poll step against mocked CodeDeploy and ECS', () => {
  afterEach(() => {
    mockClient(ECSClient).restore();
    mockClient(CodeDeployClient).restore();
  });

  it('follows a CodeDeploy deployment to its end, then changes nothing on a late poll until its bake window ends', async () => {
    // Prepare
    const { ports, codedeploy, announcer, clock } = awsPorts('CODE_DEPLOY');
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW000001' });
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: {} });
    const info = {
      deploymentId: 'd-NEW000001',
      createTime: new Date(clock.now()),
      description: 'opsbot: v1.8.2 for U1',
    };
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { ...info, status: 'Created' } });
    await startRun(
      { kind: 'deploy', service: 'web', environment: 'prod', version: 'v1.8.2' },
      { userId: 'U0ANA00001', channelId: 'C0TEAM0001' },
      ports,
    );
    const runId = (await ports.store.list<DeployRun>('deploys'))[0]?.id as string;

    // Act
    clock.advance(10_000);
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { ...info, status: 'InProgress' } });
    const midway = await pollRun(runId, ports);
    clock.advance(10_000);
    codedeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: { ...info, status: 'Succeeded', completeTime: new Date(clock.now()) },
    });
    const ended = await pollRun(runId, ports);
    const posts = announcer.posts.length;
    const updates = announcer.posts.map((p) => p.updates.length);
    clock.advance(10_000);
    const late = await pollRun(runId, ports);
    const lateUpdates = announcer.posts.map((p) => p.updates.length);
    const watching = allTextOf(announcer.messages()[0]?.reply);
    clock.advance(15 * 60_000);
    const baked = await pollRun(runId, ports);

    // Assess: web's prod rollback alarms are watched for its 15 bake minutes after the end, then the watch stops
    expect([midway.done, ended.done, late.done, baked.done]).toEqual([false, false, false, true]);
    const [message] = announcer.messages();
    expect(plainText(message?.reply.summary ?? '')).toBe('web v1.8.1 → v1.8.2 in prod: Succeeded in 20 s');
    expect(message?.to).toBe('C0TEAM0001');
    expect(announcer.posts.length).toBe(posts);
    expect(lateUpdates).toEqual(updates);
    expect(watching).toContain('Watching its rollback alarms until');
    expect(allTextOf(message?.reply)).toContain('No rollback alarm in the 15 min after');
    expect((await loadRun(runId, ports))?.outcome).toBe('succeeded');
    expect(await ports.store.get('lock:web:prod')).toBeUndefined();
    const [record] = await ports.audit.list({ since: 0 });
    expect([record?.action, record?.outcome, record?.deploymentId]).toEqual(['Deploy', 'succeeded', 'd-NEW000001']);
  });

  it('watches an ECS deploy that ECS has not listed yet when it starts, and follows it under its own id once listed', async () => {
    // Prepare: ECS takes the new revision, but lists no deployment for it within the start's three looks
    const { ports, ecs, clock, watcher } = awsPorts('ECS');
    const arn = 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/web/late1';
    const revision = 'arn:aws:ecs:eu-west-1:111111111111:service-revision/prod/web/r42';
    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });

    // Act
    await startRun(
      { kind: 'deploy', service: 'web', environment: 'prod', version: 'v1.8.2' },
      { userId: 'U0ANA00001', channelId: 'C0TEAM0001' },
      ports,
    );
    const runId = (await ports.store.list<DeployRun>('deploys'))[0]?.id as string;
    const started = await loadRun(runId, ports);
    const stillUnlisted = await pollRun(runId, ports);
    // ECS lists it now
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: arn }] });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: arn,
          status: 'IN_PROGRESS',
          lifecycleStage: 'SCALE_UP',
          createdAt: new Date(clock.now()),
          targetServiceRevision: { arn: revision, requestedTaskCount: 2, runningTaskCount: 1, pendingTaskCount: 1 },
        },
      ],
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ taskDefinition: `${TASK_DEF}:42` }] });
    clock.advance(10_000);
    const listed = await pollRun(runId, ports);

    // Assess: running and watched from the start, the lock held, then under the deployment's own ARN
    expect(started?.state).toBe('running');
    expect(started?.deploymentId).toMatch(/^ecs-unlisted:/);
    expect(watcher.watching()).toContain(runId);
    expect(await ports.store.get('lock:web:prod')).toBeDefined();
    expect([stillUnlisted.done, listed.done]).toEqual([false, false]);
    expect((await loadRun(runId, ports))?.deploymentId).toBe(arn);
    const [record] = await ports.audit.list({ since: 0 });
    expect([record?.outcome, record?.deploymentId]).toEqual(['started', arn]);
  });

  it('lists an ECS deployment late in the sandbox too, where the run is watched through it alike', async () => {
    // Prepare: worker's staging deploys on ECS linear in the sandbox; ECS lists its next deployment 15 s after it starts
    const { ports, sandbox, clock, watcher } = sandboxPorts();
    sandbox.deployments.listLate('worker', 'staging', 15_000);
    const [newest] = await ports.images.newest('worker', 'staging', 1);

    // Act
    await startRun(
      { kind: 'deploy', service: 'worker', environment: 'staging', version: newest?.tag as string },
      { userId: 'U0ANA00001', channelId: 'C0TEAM0001' },
      ports,
    );
    const runId = (await ports.store.list<DeployRun>('deploys'))[0]?.id as string;
    const started = (await loadRun(runId, ports)) as DeployRun;
    const listedAtFirst = await ports.deployments.active();
    const stop = await ports.deployments
      .stop('worker', 'staging', started.deploymentId as string, { rollback: true, reason: 'test' })
      .catch((error: unknown) => error as { code?: string; message?: string });
    const stillUnlisted = await pollRun(runId, ports);
    clock.advance(20_000);
    const listed = await pollRun(runId, ports);

    // Assess: as on AWS — watched from the start under the unlisted id, the lock held, a stop refused plainly, then
    // followed under the deployment's own ARN
    expect(started.state).toBe('running');
    expect(started.deploymentId).toMatch(/^ecs-unlisted:/);
    expect(listedAtFirst).toEqual([]);
    expect(watcher.watching()).toContain(runId);
    expect(await ports.store.get('lock:worker:staging')).toBeDefined();
    expect(stop).toMatchObject({
      code: 'DEPLOYMENT_NOT_LISTED',
      message:
        'ECS is deploying worker in staging but has not listed the deployment yet, so it cannot be stopped or answered yet.',
    });
    expect([stillUnlisted.done, listed.done]).toEqual([false, false]);
    expect((await loadRun(runId, ports))?.deploymentId).toMatch(
      /^arn:aws:ecs:.*:service-deployment\/staging\/worker\//,
    );
  });

  it('ends an ECS deployment that rolled back as failed, with the reason its tasks would not start', async () => {
    // Prepare: a run of an ECS blue/green deployment, as launch stores it
    const { ports, ecs, announcer, clock } = awsPorts('ECS');
    const arn = 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/web/abc';
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
    await ports.store.put(runKey(run.id), run, 3600);
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: arn,
          status: 'ROLLBACK_SUCCESSFUL',
          statusReason: 'Service deployment rolled back because the circuit breaker threshold was exceeded.',
          targetServiceRevision: { arn: 'arn:aws:ecs:rev/2' },
          deploymentConfiguration: { strategy: 'BLUE_GREEN' },
        },
      ],
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ taskDefinition: `${TASK_DEF}:42` }] });
    ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:task/2'] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskDefinitionArn: `${TASK_DEF}:42`,
          stoppedAt: new Date(clock.now()),
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'CannotPullContainerError: failed to resolve ref web:v1.8.2: not found',
        },
      ],
    });

    // Act
    clock.advance(60_000);
    const result = await pollRun(run.id, ports);

    // Assess
    expect(result.done).toBe(true);
    const text = plainText(announcer.messages()[0]?.reply.summary ?? '');
    expect(text).toMatch(/^web v1\.8\.1 → v1\.8\.2 in prod: Failed: CannotPullContainerError .*not found/);
    expect(text).toContain('AWS rolled it back');
    expect(announcer.thread(run.messages[0]?.ts as string).join('\n')).toMatch(/Failed: CannotPullContainerError/);
  });
});

describe('the deploy message’s pace', () => {
  it('is updated at most once every 10 s, however often events arrive, and never after the end', async () => {
    // Prepare: CodeDeploy events every 2 s on top of the watcher's polls, and a deployment whose task counts change
    // at every read (as a large service's do), so there is always something new to show
    const base = sandboxPorts();
    const { clock, announcer } = base;
    let reads = 0;
    const deployments = Object.assign(Object.create(base.ports.deployments) as typeof base.ports.deployments, {
      get: async (service: string, environment: string, id: string) => {
        const d = await base.ports.deployments.get(service, environment, id);
        reads++;
        return d.status === 'InProgress' ? { ...d, tasks: { running: reads, pending: 0, desired: 1000 } } : d;
      },
    });
    const ports: IntentPorts = { ...base.ports, deployments };
    const watcher = new ClockWatcher(clock, (_id, error) => {
      throw error;
    });
    watcher.attach((runId) => pollRun(runId, { ...ports, watcher }));
    Object.assign(ports, { watcher });
    const updatedAt: number[] = [];
    const update = announcer.update.bind(announcer);
    announcer.update = async (message, reply) => {
      if (message.channel === 'C0TEAM0001') updatedAt.push(clock.now());
      await update(message, reply);
    };
    await startRun(
      { kind: 'deploy', service: 'web', environment: 'staging', version: 'v1.8.2' },
      { userId: 'U0ANA00001', channelId: 'C0TEAM0001' },
      ports,
    );
    const run = (await ports.store.list<DeployRun>('deploys'))[0] as DeployRun;
    const event = {
      id: 'e',
      source: 'aws.codedeploy',
      'detail-type': 'CodeDeploy Deployment State-change Notification',
      account: '111111111111',
      region: 'eu-west-1',
      time: '',
      detail: { state: 'READY', deploymentId: run.deploymentId },
    };

    // Act
    for (let t = 0; t < 30 * 60; t += 2) {
      clock.advance(2_000);
      await deployEvents.handle(event, { ...ports, claims: new Claims(ports.store) });
      await watcher.tick();
    }

    // Assess
    const gaps = updatedAt.slice(1).map((at, i) => at - (updatedAt[i] as number));
    expect(updatedAt.length).toBeGreaterThan(5);
    expect(Math.min(...gaps.slice(0, -1))).toBeGreaterThanOrEqual(10_000);
    const ended = (await loadRun(run.id, ports)) as DeployRun;
    expect(ended.state).toBe('ended');
    // After the end, one update only: when its rollback alarms' bake window closed.
    const afterEnd = updatedAt.filter((at) => at > (ended.endedAt as number) + 10_000);
    expect(afterEnd).toEqual([expect.any(Number)]);
    expect(afterEnd[0]).toBeGreaterThanOrEqual((ended.endedAt as number) + 15 * 60_000);
  });
});

describe('a deploy whose message could not be posted', () => {
  it('keeps its lock, says its message will follow, posts it at the next poll and is watched to its end', async () => {
    // Prepare: Slack refuses the first post (after the deployment started)
    const { ports, announcer, clock, watcher, sandbox } = sandboxPorts();
    const post = announcer.post.bind(announcer);
    let refused = false;
    announcer.post = async (to, reply) => {
      if (!refused) {
        refused = true;
        throw new Error('slack is down');
      }
      return post(to, reply);
    };

    // Act
    const told = await startRun(
      { kind: 'deploy', service: 'api', environment: 'staging', version: 'v1.4.0' },
      { userId: 'U0ANA00001', channelId: 'C0TEAM0001' },
      ports,
    );
    const postedAtStart = announcer.posts.length;
    const started = await sandbox.deployments.active();
    const lockedDuring = await ports.store.get('lock:api:staging');
    const watched = watcher.watching();
    for (let t = 0; t < 30 * 6; t++) {
      clock.advance(10_000);
      await watcher.tick();
    }

    // Assess
    expect(allTextOf(told)).toContain('Slack did not take its message yet, which will follow in the channel');
    expect(postedAtStart).toBe(0);
    expect(announcer.posts.some((p) => p.thread === undefined && p.to === 'C0TEAM0001')).toBe(true);
    expect(started.map((d) => [d.service, d.environment])).toEqual([['api', 'staging']]);
    expect(lockedDuring).toBeDefined();
    expect(watched).toHaveLength(1);
    expect(await ports.store.get('lock:api:staging')).toBeUndefined();
    const [record] = await ports.audit.list({ since: 0 });
    expect(record?.outcome).toBe('succeeded');
  });
});

describe('ECS events', () => {
  it('are matched to a run by the service their resources name', () => {
    expect(serviceArnOf('arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/web/a1b2c3')).toBe(
      'arn:aws:ecs:eu-west-1:111111111111:service/prod/web',
    );
    expect(serviceArnOf('d-ABC123')).toBe('');
  });
});

describe('hand locks taken at the same moment', () => {
  it('go to one person; the other is told who has it', async () => {
    // Prepare
    const { ports } = sandboxPorts();
    const lock = (userId: string, note: string) =>
      lockService({ service: 'api', environment: 'prod', note }, { userId, channelId: 'C0TEAM0001' }, ports);

    // Act
    const [ana, ben] = await Promise.all([lock('U0ANA00001', 'db migration'), lock('U0BEN00001', 'load test')]);

    // Assess
    const texts = [ana, ben].map((r) => plainText(r.summary));
    expect(texts.filter((t) => t.startsWith('🔒 api is locked in prod'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('was just locked in prod by'))).toHaveLength(1);
    expect(((await ports.store.get('hold:api:prod')) as { holder: string }).holder).toBe('U0ANA00001');
  });
});
