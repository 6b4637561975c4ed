import type { Deployment } from '../../integrations/deployments.port';
import { liveReply } from '../../intents/deploys/run/message';
import type { DeployRun } from '../../intents/deploys/run/record';
import { type Line, plainText, type Reply } from '../../intents/reply';

// The deploy's one message is a pure function of its run and its deployment: these read it as a person would.

const STARTED = Date.parse('2026-03-02T09:00:00Z');
const MINUTE = 60_000;

function aRun(overrides: Partial<DeployRun> = {}): DeployRun {
  return {
    id: 'r-0001',
    kind: 'deploy',
    service: 'web',
    environment: 'prod',
    version: 'v1.8.2',
    previousVersion: 'v1.7.0',
    requestedBy: 'U_ANA',
    requestedAt: STARTED,
    actor: { userId: 'U_ANA', channelId: 'C_DEPLOYS' },
    auditId: 'a-0001',
    state: 'running',
    messages: [],
    deploymentId: 'd-ABC123',
    engine: 'codedeploy',
    startedAt: STARTED,
    ...overrides,
  };
}

function aDeployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'd-ABC123',
    service: 'web',
    environment: 'prod',
    version: 'v1.8.2',
    previousVersion: 'v1.7.0',
    status: 'InProgress',
    step: 'ShiftingTraffic',
    trafficOnGreen: 40,
    startedAt: STARTED,
    requestedBy: 'U_ANA',
    engine: 'codedeploy',
    tasks: { running: 3, desired: 4, pending: 1 },
    ...overrides,
  };
}

/** What a person reads: the header, the notification line, each line of the body and the buttons' labels. */
function seen(reply: Reply) {
  return {
    title: reply.title,
    summary: plainText(reply.summary),
    lines: (reply.sections ?? []).flat().map((line: Line) => plainText(line)),
    buttons: (reply.buttons ?? []).map((b) => b.label),
    context: (reply.context ?? []).map((line) => plainText(line)),
  };
}

describe('the live message of a deploy', () => {
  it('shows a running deploy: its step, traffic on green, tasks, who asked, and Cancel', () => {
    // Prepare
    const run = aRun();
    const d = aDeployment();

    // Act
    const message = seen(liveReply(run, d, STARTED + 4 * MINUTE + 30_000));

    // Assess
    expect(message.title).toBe('Deploying web v1.8.2 to prod');
    expect(message.summary).toBe('web v1.7.0 → v1.8.2 in prod: Shifting production traffic · 40% on green');
    expect(message.lines).toEqual([
      ' web v1.7.0 → v1.8.2 in prod',
      'Shifting production traffic · 40% on green',
      'Tasks: 3/4 running · 1 pending task',
      'Asked by @U_ANA · started 09:00 UTC, running 4 min',
    ]);
    expect(message.buttons).toEqual(['Cancel']);
    expect(message.context).toEqual(['Deployment d-ABC123 · Cancel stops it and rolls back']);
  });

  it('says "under a minute" rather than "0 s" just after the start, before the engine is read', () => {
    // Act
    const message = seen(liveReply(aRun({ deploymentId: undefined }), undefined, STARTED + 20_000));

    // Assess
    expect(message.summary).toBe('web v1.7.0 → v1.8.2 in prod: Starting');
    expect(message.lines.at(-1)).toBe('Asked by @U_ANA · started 09:00 UTC, running under a minute');
    expect(message.context).toEqual(['Cancel stops it and rolls back']);
  });

  it('offers no Cancel while the engine rolls back', () => {
    // Act
    const message = seen(
      liveReply(aRun(), aDeployment({ step: 'RollingBack', error: { code: 'ALARM_ACTIVE', message: '' } }), STARTED),
    );

    // Assess
    expect(message.lines[1]).toBe('Rolling back: ALARM_ACTIVE');
    expect(message.buttons).toEqual([]);
    expect(message.context).toEqual(['Deployment d-ABC123']);
  });

  it('shows a deploy that succeeded: how long it took, its task definition, and Roll back to the previous version', () => {
    // Prepare
    const run = aRun({
      state: 'ended',
      outcome: 'succeeded',
      endedAt: STARTED + 14 * MINUTE,
      approvedBy: 'U_BEN',
      final: { step: 'Succeeded', taskDefinition: 'web:42' },
    });

    // Act
    const reply = liveReply(run, undefined, STARTED + 20 * MINUTE);
    const message = seen(reply);

    // Assess
    expect(message.title).toBe('Deployed web v1.8.2 to prod');
    expect(message.summary).toBe('web v1.7.0 → v1.8.2 in prod: Succeeded in 14 min · task definition web:42');
    expect(message.lines.at(-1)).toBe('Asked by @U_ANA · approved by @U_BEN');
    expect(message.buttons).toEqual(['Roll back']);
    expect(reply.buttons?.[0]?.payload).toEqual({
      kind: 'request',
      intent: 'Rollback',
      slots: { service: 'web', environment: 'prod', version: 'v1.7.0' },
    });
    expect(message.context).toEqual(['Deployment d-ABC123 · ended 09:14 UTC']);
  });

  it('says while it still watches the rollback alarms after a success, and once they stayed quiet', () => {
    // Prepare
    const run = aRun({
      state: 'ended',
      outcome: 'succeeded',
      endedAt: STARTED + 14 * MINUTE,
      bakeUntil: STARTED + 44 * MINUTE,
      final: { step: 'Succeeded' },
    });

    // Act
    const baking = seen(liveReply(run, undefined, STARTED + 20 * MINUTE));
    const baked = seen(liveReply(run, undefined, STARTED + 45 * MINUTE));

    // Assess
    expect(baking.lines).toContain('Watching its rollback alarms until 09:44 UTC');
    expect(baked.lines).toContain('No rollback alarm in the 30 min after');
  });

  it('shows a deploy that failed with the engine’s error, and no button', () => {
    // Prepare
    const run = aRun({
      state: 'ended',
      outcome: 'failed',
      endedAt: STARTED + 6 * MINUTE,
      final: { step: 'RolledBack', error: { code: 'ECS_UPDATE_ERROR', message: 'Tasks failed to start.' } },
    });

    // Act
    const message = seen(liveReply(run, undefined, STARTED + 7 * MINUTE));

    // Assess
    expect(message.title).toBe('The deploy of web v1.8.2 to prod failed');
    expect(message.summary).toBe(
      'web v1.7.0 → v1.8.2 in prod: Failed: ECS_UPDATE_ERROR Tasks failed to start. · AWS rolled it back',
    );
    expect(message.buttons).toEqual([]);
  });

  it('shows a deploy an alarm rolled back: the header says so, and it offers no second rollback', () => {
    // Prepare
    const run = aRun({
      state: 'ended',
      outcome: 'stopped',
      endedAt: STARTED + 9 * MINUTE,
      alarm: { name: 'web-5xx', at: STARTED + 5 * MINUTE, action: 'stopped' },
      final: { step: 'RolledBack' },
    });

    // Act
    const reply = liveReply(run, undefined, STARTED + 10 * MINUTE);
    const message = seen(reply);

    // Assess
    expect(message.title).toBe('Rolled back: web v1.8.2 in prod (alarm web-5xx)');
    expect(message.summary).toBe('web v1.7.0 → v1.8.2 in prod: Rolled back — alarm web-5xx');
    expect(reply.sections?.[0]?.[0]).toContainEqual({ kind: 'status', status: 'rolledBack' });
    expect(message.buttons).toEqual([]);
  });

  it('shows a rollback that succeeded as the version rolled back to', () => {
    // Prepare
    const run = aRun({
      kind: 'rollback',
      version: 'v1.7.0',
      previousVersion: 'v1.8.2',
      state: 'ended',
      outcome: 'succeeded',
      endedAt: STARTED + 8 * MINUTE,
      final: { step: 'Succeeded' },
    });

    // Act
    const message = seen(liveReply(run, undefined, STARTED + 8 * MINUTE));

    // Assess
    expect(message.title).toBe('Rolled web in prod back to v1.7.0');
    expect(message.summary).toBe('web v1.8.2 → v1.7.0 in prod: Succeeded in 8 min');
  });
});
