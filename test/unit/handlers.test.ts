import { LIFECYCLE } from '../../integrations/sandbox/account';
import type { Actor, IntentPorts } from '../../intents/define-intent';
import { deployStatusReply, rollbackService } from '../../intents/deploys/deployments';
import { startRun } from '../../intents/deploys/run/start';
import { upcomingMaintenance } from '../../intents/maintenance/upcoming';
import { pipelineCard, pipelinesOverview } from '../../intents/pipelines/pipeline-card';
import { shown as body, sandboxPorts as ports, smallPrint, summaryText } from '../support/ports';

const alice = { userId: 'U0ALICE001', channelId: 'C0TEAM0001' };

const startDeploy = (slots: { service: string; environment: string; version: string }, actor: Actor, p: IntentPorts) =>
  startRun({ kind: 'deploy', ...slots }, actor, p);

describe('pipeline status on the sandbox', () => {
  it('lists every pipeline, failing first, with its failing stage and the age of its last run', async () => {
    // Act
    const reply = await pipelinesOverview(ports().ports);

    // Assess
    const lines = body(reply).split('\n').slice(1);
    expect(summaryText(reply)).toMatch(/^1 of 4 pipelines failing: [a-z]+-pipeline\.$/);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^:red_circle: Failed {2}\*[a-z]+-pipeline\* — failing at \*Build\* · last run \d+ min ago$/,
    );
    expect(lines.slice(1).every((l) => l.startsWith(':large_green_circle: Succeeded'))).toBe(true);
  });

  it('shows one pipeline stage by stage, with the failed action’s error, a log link and the revision', async () => {
    // Prepare
    const { ports: p } = ports();
    const failing = (await p.pipelines.list()).find((x) => x.status === 'Failed')?.name as string;

    // Act
    const reply = await pipelineCard(failing, p);

    // Assess
    const text = body(reply);
    expect(text).toMatch(/:large_green_circle: Succeeded {2}\*Source\*/);
    expect(text).toMatch(/:red_circle: Failed {2}\*Build\*/);
    expect(text).toMatch(/:black_circle: Not run {2}\*Deploy\*/);
    expect(text).toContain(
      '↳ *Build* failed: Error while executing command: npm test. Reason: exit status 1 · <https://',
    );
    expect(smallPrint(reply)[0]).toMatch(/^Revision `[0-9a-f]{7}` .+ — .+$/);
  });
});

describe('deploys on the sandbox', () => {
  it('starts a deploy and reports its progress in deploy status', async () => {
    // Prepare
    const { ports: p, clock } = ports();

    // Act
    const started = await startDeploy({ service: 'web', environment: 'staging', version: 'v2.0.0' }, alice, p);
    clock.advance(LIFECYCLE.installGreenMs + LIFECYCLE.testTrafficMs + LIFECYCLE.shiftStepMs);
    const status = await deployStatusReply({ service: 'web' }, p);

    // Assess
    expect(summaryText(started)).toBe('Confirmed: the deploy of web v2.0.0 to staging has started — follow it here.');
    expect(body(status)).toContain('1 deploy in progress:');
    expect(body(status)).toContain('in *staging* — Shifting production traffic · ▰▰▰▰▰▱▱▱▱▱ 50% on green');
    expect(body(status)).toMatch(/\*web\*: dev `v1\.\d+\.\d` · staging `v1\.\d+\.\d` · prod `v1\.\d+\.\d`/);
  });

  it('deploys nothing when the version already runs', async () => {
    // Prepare
    const { ports: p } = ports();
    const current = await p.deployments.current('api', 'prod');

    // Act
    const reply = await startDeploy({ service: 'api', environment: 'prod', version: current.version }, alice, p);

    // Assess
    expect(summaryText(reply)).toBe(`api already runs ${current.version} in prod; nothing was deployed.`);
    expect(await p.deployments.active()).toEqual([]);
  });

  it('rolls back a deploy in progress by stopping it with rollback', async () => {
    // Prepare
    const { ports: p } = ports();
    await startDeploy({ service: 'api', environment: 'staging', version: 'v9.0.0' }, alice, p);

    // Act
    const reply = await rollbackService({ service: 'api', environment: 'staging' }, alice, p);

    // Assess
    expect(summaryText(reply)).toBe('api v9.0.0 in staging: Rolling back');
    const [d] = await p.deployments.history('api', 'staging', 1);
    expect(d?.reason).toBe('rolled back from Slack');
    expect(d?.stoppedBy).toBe(alice.userId);
    expect(body(reply)).toContain(`rolled back from Slack by <@${alice.userId}>`);
  });

  it('rolls back a finished deploy by deploying the version before it', async () => {
    // Prepare
    const { ports: p, clock, watcher } = ports();
    const before = await p.deployments.current('payments', 'prod');
    await startDeploy({ service: 'payments', environment: 'prod', version: 'v5.0.0' }, alice, p);
    clock.advance(60 * 60_000);
    await watcher.tick(); // the watcher sees it end and releases the lock

    // Act
    const reply = await rollbackService({ service: 'payments', environment: 'prod' }, alice, p);

    // Assess
    expect(summaryText(reply)).toBe(
      `Confirmed: the rollback of payments in prod to ${before.version} has started — follow it here.`,
    );
    expect((await p.deployments.active()).map((d) => d.version)).toEqual([before.version]);
  });

  it('never rolls back to a version it cannot name, nor undoes the engine’s own rollback', async () => {
    // Prepare: the last deploy opsbot knows of was an automatic rollback; the one before it, made elsewhere
    const p = ports().ports;
    const base = await p.deployments.start({
      service: 'web',
      environment: 'dev',
      version: 'v1.9.0',
      requestedBy: 'U1',
    });
    const made = [
      { ...base, status: 'Succeeded' as const, rollback: true, previousVersion: 'v1.9.1' },
      { ...base, status: 'Succeeded' as const, previousVersion: '?' },
    ];
    const history = { ...p, deployments: { ...p.deployments, history: async () => made, active: async () => [] } };

    // Act
    const reply = await rollbackService({ service: 'web', environment: 'dev' }, alice, history);

    // Assess
    expect(summaryText(reply)).toBe(
      'I can’t tell which version of web ran in dev before its last deploy, so nothing was changed.',
    );
  });

  it('rolls back only to a version the repository still holds', async () => {
    // Prepare
    const p = ports().ports;
    const base = await p.deployments.start({
      service: 'web',
      environment: 'dev',
      version: 'v1.9.0',
      requestedBy: 'U1',
    });
    const made = [{ ...base, status: 'Succeeded' as const, previousVersion: 'v0.0.1' }];
    const history = { ...p, deployments: { ...p.deployments, history: async () => made, active: async () => [] } };

    // Act
    const reply = await rollbackService({ service: 'web', environment: 'dev' }, alice, history);

    // Assess
    expect(summaryText(reply)).toMatch(/^v0\.0\.1 is not in .*\/web; the newest are/);
  });

  it('says so when there is nothing to roll back to', async () => {
    const reply = await rollbackService({ service: 'worker', environment: 'dev' }, alice, ports().ports);
    expect(summaryText(reply)).toBe('I have no earlier revision of worker in dev to go back to; nothing was changed.');
  });
});

describe('maintenance on the sandbox', () => {
  it('lists upcoming notices soonest first, grouped by urgency and account, with when, what, where and what to do', async () => {
    // Act
    const reply = await upcomingMaintenance(ports().ports);

    // Assess
    expect(summaryText(reply)).toBe('3 scheduled maintenance events in the next 14 days.');
    const lines = body(reply);
    expect(lines).toContain(
      ':warning: *Thu 26 Nov 02:00 (UTC)* (in 2 d) · EC2 `system-reboot` · prod (222222222222) · eu-west-1',
    );
    expect(lines).toContain('The instance is scheduled for a reboot — `web-prod-ecs-1` · affects *web*');
    expect(lines).toContain('*In the next 7 days · prod*');
    expect(lines).toContain(
      'You can: reboot it yourself before then (the event is then done); move it within its window',
    );
    expect(lines.indexOf('system-reboot')).toBeLessThan(lines.indexOf('system-update'));
  });
});

describe('pipeline retry targets', () => {
  it('offers Retry on the failed stage’s own execution, not the newest one running elsewhere', async () => {
    // Prepare
    const { ports: p } = ports();
    const withNewerRun = {
      ...p,
      pipelines: {
        ...p.pipelines,
        get: async (name: string) => ({
          name,
          executionId: 'exec-3',
          stages: [
            { name: 'Source', status: 'InProgress' as const, executionId: 'exec-3', actions: [] },
            { name: 'Build', status: 'Failed' as const, executionId: 'exec-2', actions: [] },
          ],
        }),
      },
    };

    // Act
    const card = await pipelineCard('api-pipeline', withNewerRun, alice);

    // Assess
    expect(card.buttons?.[0]?.payload).toEqual({
      kind: 'retry-stage',
      pipeline: 'api-pipeline',
      stage: 'Build',
      executionId: 'exec-2',
    });
  });

  it('refuses, in the sandbox as in AWS, a retry of a superseded execution or of a stage that did not fail', async () => {
    // Prepare
    const { ports: p } = ports();
    const failing = (await p.pipelines.list()).find((x) => x.status === 'Failed')?.name as string;
    const detail = await p.pipelines.get(failing);

    // Act
    const superseded = p.pipelines.retryStage(failing, 'Build', 'an-older-execution');
    const notFailed = p.pipelines.retryStage(failing, 'Source', detail.executionId as string);

    // Assess
    await expect(superseded).rejects.toMatchObject({ code: 'EXECUTION_SUPERSEDED' });
    await expect(notFailed).rejects.toMatchObject({ code: 'STAGE_NOT_RETRYABLE' });
  });
});
