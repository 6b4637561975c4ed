import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIFECYCLE, SandboxAccount } from '../../integrations/sandbox/account';
import { SandboxClock } from '../../integrations/sandbox/clock';
import { keepSandbox } from '../../integrations/sandbox/saved-sandbox';
import type { SandboxWorld } from '../../integrations/sandbox/world';

const START = Date.UTC(2026, 10, 23, 9, 0, 0);
const world: SandboxWorld = {
  services: ['api', 'web'].map((name) => ({
    name,
    environments: [
      {
        name: 'staging',
        account: '111111111111',
        region: 'eu-west-1',
        cluster: 'staging',
        alarms: [{ name: `${name}-staging-5xx`, account: '111111111111', region: 'eu-west-1' }],
        engineBakeMinutes: 5,
      },
      {
        name: 'prod',
        account: '222222222222',
        region: 'eu-west-1',
        cluster: 'prod',
        alarms: [{ name: `${name}-prod-5xx`, account: '222222222222', region: 'eu-west-1' }],
        engineBakeMinutes: 10,
      },
    ],
  })),
  maintenance: {
    accounts: [
      { id: '111111111111', name: 'tools' },
      { id: '222222222222', name: 'prod' },
    ],
    regions: ['eu-west-1', 'us-east-1'],
  },
  pipelines: [
    { name: 'api-pipeline', account: '111111111111', region: 'eu-west-1' },
    { name: 'web-pipeline', account: '111111111111', region: 'eu-west-1' },
  ],
};

function account(seed = 7) {
  const clock = new SandboxClock(START);
  return { clock, sandbox: new SandboxAccount(world, clock, seed) };
}

const s = (n: number) => n * 1000;

describe('sandbox account: blue/green deployments on a controlled clock', () => {
  it('goes through the lifecycle step by step and then runs the new version', async () => {
    // Prepare
    const { clock, sandbox } = account();
    const before = await sandbox.deployments.current('web', 'prod');

    // Act
    const started = await sandbox.deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v9.9.9',
      requestedBy: 'U1',
    });
    const seen: Array<[string, number]> = [];
    const record = async () => {
      const d = await sandbox.deployments.get('web', 'prod', started.id);
      seen.push([d.step, d.trafficOnGreen]);
    };
    await record();
    clock.advance(LIFECYCLE.installGreenMs);
    await record();
    clock.advance(LIFECYCLE.testTrafficMs);
    for (let i = 0; i < LIFECYCLE.shiftSteps; i++) {
      await record();
      clock.advance(LIFECYCLE.shiftStepMs);
    }
    await record();
    clock.advance(10 * 60_000);
    await record();
    clock.advance(LIFECYCLE.terminateBlueMs);
    await record();
    const after = await sandbox.deployments.current('web', 'prod');

    // Assess
    expect(seen).toEqual([
      ['InstallingGreen', 0],
      ['TestTraffic', 0],
      ['ShiftingTraffic', 25],
      ['ShiftingTraffic', 50],
      ['ShiftingTraffic', 75],
      ['ShiftingTraffic', 100],
      ['Baking', 100],
      ['TerminatingBlue', 100],
      ['Succeeded', 100],
    ]);
    expect(started.previousVersion).toBe(before.version);
    expect(after.version).toBe('v9.9.9');
    expect(Number(after.taskDefinition.split(':')[1])).toBe(Number(before.taskDefinition.split(':')[1]) + 1);
    expect(await sandbox.deployments.active()).toEqual([]);
  });

  it('deploys a service on ECS’s linear strategy the way ECS reports it: its ARN, 10% steps, no test traffic', async () => {
    // Prepare: web runs on ECS linear in prod
    const linear: SandboxWorld = {
      ...world,
      services: world.services.map((svc) =>
        svc.name !== 'web'
          ? svc
          : { ...svc, environments: svc.environments.map((e) => ({ ...e, engine: 'ecs-linear' as const })) },
      ),
    };
    const clock = new SandboxClock(START);
    const sandbox = new SandboxAccount(linear, clock, 7);

    // Act
    const started = await sandbox.deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v9.9.9',
      requestedBy: 'U1',
    });
    const seen: string[] = [];
    for (let t = 0; t < 60_000 + 10 * 30_000; t += 30_000) {
      const d = await sandbox.deployments.get('web', 'prod', started.id);
      seen.push(`${d.step} ${d.trafficOnGreen}% ${d.tasks?.running}/${d.tasks?.desired}`);
      clock.advance(30_000);
    }
    clock.advance(10 * 60_000 + LIFECYCLE.terminateBlueMs);
    const done = await sandbox.deployments.get('web', 'prod', started.id);

    // Assess
    expect(started.id).toBe('arn:aws:ecs:eu-west-1:222222222222:service-deployment/prod/web/sandbox0001');
    expect(started.engine).toBe('ecs-linear');
    expect((await sandbox.deployments.current('web', 'prod')).engine).toBe('ecs-linear');
    expect(seen).toEqual([
      'InstallingGreen 0% 0/2',
      'InstallingGreen 0% 1/2',
      ...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => `ShiftingTraffic ${p}% 2/2`),
    ]);
    expect(done.step).toBe('Succeeded');
  });

  it.each([
    ['codedeploy', 'ECS_UPDATE_ERROR'],
    ['ecs-linear', 'CannotPullContainerError'],
  ] as const)(
    'fails a %s deployment whose tasks cannot start as AWS reports it: %s, rolled back',
    async (engine, code) => {
      // Prepare
      const failing: SandboxWorld = {
        ...world,
        services: world.services.map((svc) => ({
          ...svc,
          environments: svc.environments.map((e) => ({ ...e, engine })),
        })),
      };
      const clock = new SandboxClock(START);
      const sandbox = new SandboxAccount(failing, clock, 7);
      const before = await sandbox.deployments.current('web', 'prod');
      sandbox.deployments.failNext('web', 'prod');

      // Act
      const d = await sandbox.deployments.start({
        service: 'web',
        environment: 'prod',
        version: 'v9.9.9',
        requestedBy: 'U1',
      });
      clock.advance(LIFECYCLE.installGreenMs);
      const rolling = await sandbox.deployments.get('web', 'prod', d.id);
      clock.advance(LIFECYCLE.rollbackMs);
      const ended = await sandbox.deployments.get('web', 'prod', d.id);
      const next = await sandbox.deployments.start({
        service: 'web',
        environment: 'prod',
        version: 'v9.9.8',
        requestedBy: 'U1',
      });
      clock.advance(LIFECYCLE.installGreenMs);

      // Assess: the same status, step and error the AWS adapter reads from each engine
      expect([rolling.status, rolling.step, rolling.error?.code]).toEqual(['InProgress', 'RollingBack', code]);
      expect([ended.status, ended.step, ended.trafficOnGreen]).toEqual(['Failed', 'RolledBack', 0]);
      expect(ended.rollbackDeploymentId !== undefined).toBe(engine === 'codedeploy');
      expect(ended.reason).toContain('CannotPullContainerError');
      expect((await sandbox.deployments.current('web', 'prod')).version).toBe(before.version);
      // Only the next deployment fails.
      expect((await sandbox.deployments.get('web', 'prod', next.id)).status).toBe('InProgress');
    },
  );

  it('stops with rollback: traffic back on blue, the old version stays, history records why', async () => {
    // Prepare
    const { clock, sandbox } = account();
    const before = await sandbox.deployments.current('api', 'staging');
    const d = await sandbox.deployments.start({
      service: 'api',
      environment: 'staging',
      version: 'v2.0.0',
      requestedBy: 'U1',
    });
    clock.advance(s(100));

    // Act
    const stopping = await sandbox.deployments.stop(d.service, d.environment, d.id, {
      rollback: true,
      reason: 'alarm api-staging-5xx went to ALARM',
    });
    clock.advance(LIFECYCLE.rollbackMs);
    const stopped = await sandbox.deployments.get(d.service, d.environment, d.id);
    clock.advance(60 * 60_000);

    // Assess
    expect([stopping.status, stopping.step]).toEqual(['InProgress', 'RollingBack']);
    expect([stopped.status, stopped.step, stopped.trafficOnGreen]).toEqual(['Stopped', 'RolledBack', 0]);
    expect((await sandbox.deployments.current('api', 'staging')).version).toBe(before.version);
    const [latest] = await sandbox.deployments.history('api', 'staging');
    expect(latest).toMatchObject({ id: d.id, reason: 'alarm api-staging-5xx went to ALARM', step: 'RolledBack' });
  });

  it('stops a deployment of ECS’s own engine only by rolling it back, as ECS does; CodeDeploy’s either way', async () => {
    // Prepare: api on ECS's linear strategy, web on CodeDeploy
    const clock = new SandboxClock(START);
    const ecsWorld: SandboxWorld = {
      ...world,
      services: world.services.map((service) =>
        service.name === 'api'
          ? { ...service, environments: service.environments.map((e) => ({ ...e, engine: 'ecs-linear' as const })) }
          : service,
      ),
    };
    const sandbox = new SandboxAccount(ecsWorld, clock, 7);
    const onEcs = await sandbox.deployments.start({
      service: 'api',
      environment: 'staging',
      version: 'v2',
      requestedBy: 'U1',
    });
    const onCodeDeploy = await sandbox.deployments.start({
      service: 'web',
      environment: 'staging',
      version: 'v2',
      requestedBy: 'U1',
    });

    // Act
    const halfWay = sandbox.deployments.stop('api', 'staging', onEcs.id, { rollback: false, reason: 'stop' });
    const codeDeployStop = await sandbox.deployments.stop('web', 'staging', onCodeDeploy.id, {
      rollback: false,
      reason: 'stop',
    });

    // Assess
    await expect(halfWay).rejects.toMatchObject({ code: 'STOP_NEEDS_ROLLBACK' });
    expect((await sandbox.deployments.get('api', 'staging', onEcs.id)).status).toBe('InProgress');
    expect(codeDeployStop.reason).toBe('stop');
  });

  it('refuses a second deployment of the same service and environment while one runs', async () => {
    // Prepare
    const { sandbox } = account();
    await sandbox.deployments.start({ service: 'api', environment: 'prod', version: 'v2', requestedBy: 'U1' });

    // Act
    const second = sandbox.deployments.start({ service: 'api', environment: 'prod', version: 'v3', requestedBy: 'U2' });

    // Assess
    await expect(second).rejects.toMatchObject({ code: 'DEPLOYMENT_IN_PROGRESS' });
    await expect(
      sandbox.deployments.start({ service: 'web', environment: 'prod', version: 'v3', requestedBy: 'U2' }),
    ).resolves.toBeDefined();
  });
});

describe('sandbox account: the rest of the world', () => {
  it('is the same account for the same seed', async () => {
    const a = account(42).sandbox;
    const b = account(42).sandbox;
    expect(await a.pipelines.list()).toEqual(await b.pipelines.list());
    expect(await a.deployments.current('api', 'prod')).toEqual(await b.deployments.current('api', 'prod'));
  });

  it('has Source/Build/Deploy pipelines, one failing with the action error and a log link', async () => {
    // Act
    const list = await account().sandbox.pipelines.list();
    const failing = list.filter((p) => p.status === 'Failed');
    const detail = await account().sandbox.pipelines.get(failing[0]?.name as string);

    // Assess
    expect(failing).toHaveLength(1);
    expect(detail.stages.map((st) => st.name)).toEqual(['Source', 'Build', 'Deploy']);
    const build = detail.stages[1]?.actions[0];
    expect(build).toMatchObject({ status: 'Failed', errorMessage: expect.stringContaining('exit status 1') });
    expect(build?.url).toMatch(/^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/codesuite\/codebuild\//);
    expect(detail.revision?.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('trips and clears the configured alarms, with the event CloudWatch would send for each change', async () => {
    // Prepare
    const { sandbox } = account();

    // Act
    const tripped = sandbox.alarms.trip('web-prod-5xx');
    const again = sandbox.alarms.trip('web-prod-5xx');
    const inAlarm = await sandbox.alarms.states('web', 'prod');
    const cleared = sandbox.alarms.clear('web-prod-5xx');
    const ok = await sandbox.alarms.states('web', 'prod');

    // Assess
    expect(tripped).toEqual([
      expect.objectContaining({
        source: 'aws.cloudwatch',
        'detail-type': 'CloudWatch Alarm State Change',
        account: '222222222222',
        resources: ['arn:aws:cloudwatch:eu-west-1:222222222222:alarm:web-prod-5xx'],
        detail: expect.objectContaining({ alarmName: 'web-prod-5xx' }),
      }),
    ]);
    expect(again).toEqual([]);
    expect(inAlarm).toEqual([
      expect.objectContaining({ name: 'web-prod-5xx', state: 'ALARM', threshold: 5, datapoints: [9, 12] }),
    ]);
    expect(inAlarm[0]?.reason).toMatch(/^Threshold Crossed: 2 out of the last 2 datapoints \[12\.0 /);
    expect(cleared).toHaveLength(1);
    expect(ok[0]?.state).toBe('OK');
    expect(await sandbox.alarms.states('web', 'nowhere')).toEqual([]);
    expect(() => sandbox.alarms.trip('nope')).toThrow('The sandbox has no alarm called "nope".');
  });

  it('lists maintenance across two accounts and two regions that changes over the sandbox’s days', async () => {
    // Prepare
    const { clock, sandbox } = account();
    const window = () => ({ from: clock.now(), until: clock.now() + 14 * 86_400_000 });

    // Act
    const first = await sandbox.maintenance.upcoming(window());
    clock.advance(86_400_000);
    const second = await sandbox.maintenance.upcoming(window());
    clock.advance(86_400_000);
    const third = await sandbox.maintenance.upcoming(window());

    // Assess: five sources; the reboot moves a day earlier on day 1; new notices appear on days 1 and 2
    const reboot = (r: typeof first) => r.notices.find((n) => n.kind === 'system-reboot')?.startsAt as number;
    expect(first.notices.map((n) => n.source)).toEqual(['ec2', 'rds', 'elasticache']);
    expect(second.notices.map((n) => n.source)).toContain('opensearch');
    expect(third.notices.map((n) => n.source)).toContain('health');
    expect(reboot(first) - reboot(second)).toBe(22 * 3_600_000);
    expect(new Set(third.notices.map((n) => n.account.id)).size).toBe(2);
    expect(new Set(third.notices.map((n) => n.region)).size).toBe(2);
    expect(first.failures).toEqual([]);
  });

  it('resets to the seeded state', async () => {
    // Prepare
    const { sandbox } = account();
    await sandbox.deployments.start({ service: 'api', environment: 'prod', version: 'v2', requestedBy: 'U1' });
    sandbox.alarms.trip('api-prod-5xx');

    // Act
    sandbox.reset();

    // Assess
    expect(await sandbox.deployments.active()).toEqual([]);
    expect((await sandbox.alarms.states('api', 'prod'))[0]?.state).toBe('OK');
  });
});

describe('sandbox account kept between runs (npm start keeps it beside the local store)', () => {
  /** Where a run keeps its account: a file in a directory of its own. */
  const savedAt = () => join(mkdtempSync(join(tmpdir(), 'opsbot-sandbox-')), 'sandbox.json');
  const deploy = (sandbox: SandboxAccount, service: string, environment: string) =>
    sandbox.deployments.start({ service, environment, version: 'v2.0.0', requestedBy: 'U1' });

  it('restores every twin and the clock from its file, and gives a deployment id only once', async () => {
    // Prepare: a deploy in flight, a tripped alarm, a pushed image, a pipeline run, a closed calendar, a failing next deploy
    const path = savedAt();
    const log = { info: () => undefined, warn: () => undefined };
    const first = account();
    keepSandbox(first.sandbox, path, { world, seed: 7 }, log);
    const started = await deploy(first.sandbox, 'web', 'prod');
    first.clock.advance(s(90));
    first.sandbox.alarms.trip('api-prod-5xx');
    first.sandbox.images.push('web', 'v9.9.9');
    first.sandbox.pipelines.run('web-pipeline', 'succeed');
    first.sandbox.calendars.close('prod-freeze', START + 86_400_000);
    first.sandbox.deployments.failNext('api', 'staging');
    const seen = async (sandbox: SandboxAccount) => ({
      active: await sandbox.deployments.active(),
      alarms: sandbox.alarms.all(),
      image: await sandbox.images.find('web', 'prod', 'v9.9.9'),
      pipelines: await sandbox.pipelines.list(),
      targets: sandbox.deployments.targets(),
      now: sandbox.clock.now(),
    });
    const before = await seen(first.sandbox);

    // Act: another account, as the next run of npm start makes it
    const second = account();
    const restored = keepSandbox(second.sandbox, path, { world, seed: 7 }, log);
    const after = await seen(second.sandbox);
    const next = await deploy(second.sandbox, 'api', 'prod');
    second.sandbox.reset();
    const afterReset = await deploy(second.sandbox, 'web', 'staging');

    // Assess
    expect(restored).toBe(true);
    expect(after).toEqual(before);
    expect(before.active.map((d) => [d.id, d.step])).toEqual([[started.id, 'ShiftingTraffic']]);
    expect(new Set([started.id, next.id, afterReset.id]).size).toBe(3);
  });

  it('starts a fresh account from a file saved for another world, and still never gives an id twice', async () => {
    // Prepare
    const path = savedAt();
    const info: string[] = [];
    const log = { info: (m: string) => info.push(m), warn: (m: string) => info.push(m) };
    const first = account();
    keepSandbox(first.sandbox, path, { world, seed: 7 }, log);
    const old = await deploy(first.sandbox, 'web', 'prod');
    const broken = join(path, '..', 'broken.json');
    writeFileSync(broken, '{"format":1,"clo');

    // Act
    const other = account(8);
    const fromOther = keepSandbox(other.sandbox, path, { world, seed: 8 }, log);
    const fresh = await deploy(other.sandbox, 'web', 'prod');
    const unreadable = keepSandbox(account().sandbox, broken, { world, seed: 7 }, log);

    // Assess
    expect([fromOther, unreadable]).toEqual([false, false]);
    expect(fresh.id).not.toBe(old.id);
    expect(info).toEqual(['sandbox.saved_for_another_world', 'sandbox.saved_unreadable']);
  });
});
