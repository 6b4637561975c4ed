import { SandboxAccount } from '../../integrations/sandbox/account';
import { SandboxClock } from '../../integrations/sandbox/clock';
import { RETRIED_STAGE_MS } from '../../integrations/sandbox/pipelines';
import type { SandboxWorld } from '../../integrations/sandbox/world';
import { describeShared, sharedJson } from '../support/fixtures';

const START = Date.UTC(2026, 10, 23, 9, 0, 0);
const world: SandboxWorld = {
  services: [],
  maintenance: { accounts: [{ id: '111111111111', name: 'tools' }], regions: ['eu-west-1'] },
  pipelines: [{ name: 'api-pipeline', account: '111111111111', region: 'eu-west-1' }],
};

/** A sandbox whose api-pipeline has just failed in Build, with the execution that failed. */
async function failed() {
  const clock = new SandboxClock(START);
  const sandbox = new SandboxAccount(world, clock, 7);
  const [, executionFailed] = sandbox.pipelines.run('api-pipeline', 'fail');
  const executionId = executionFailed?.detail['execution-id'] as string;
  return { clock, sandbox, executionId };
}

const keysOf = (value: unknown): string[] => Object.keys(value as object).sort();

describeShared(
  'the sandbox pipeline twin: a retried stage ends by the sandbox clock, with the events AWS sends',
  () => {
    it('delivers the execution’s SUCCEEDED once, when the retried stage and the rest have run', async () => {
      // Prepare
      const { clock, sandbox, executionId } = await failed();
      await sandbox.pipelines.retryStage('api-pipeline', 'Build', executionId);

      // Act
      clock.advance(2 * RETRIED_STAGE_MS - 1);
      const early = sandbox.pipelines.dueEvents();
      clock.advance(1);
      const ended = sandbox.pipelines.dueEvents();
      const again = sandbox.pipelines.dueEvents();

      // Assess: the shape of AWS's own sample, for the same execution, at the time it ended
      const sample = sharedJson('eb-codepipeline-pipeline-execution-state-change__aws-docs__SUCCEEDED.json');
      expect(early).toEqual([]);
      expect(ended).toHaveLength(1);
      expect(keysOf(ended[0])).toEqual(keysOf(sample));
      expect(keysOf(ended[0]?.detail)).toEqual(keysOf(sample.detail));
      expect(ended[0]).toMatchObject({
        'detail-type': 'CodePipeline Pipeline Execution State Change',
        source: 'aws.codepipeline',
        time: new Date(START + 2 * RETRIED_STAGE_MS).toISOString(),
        resources: ['arn:aws:codepipeline:eu-west-1:111111111111:api-pipeline'],
        detail: { pipeline: 'api-pipeline', 'execution-id': executionId, state: 'SUCCEEDED' },
      });
      expect(again).toEqual([]);
      expect((await sandbox.pipelines.list())[0]?.status).toBe('Succeeded');
    });

    it('fails a retry again when told to: the action’s FAILED and the execution’s, and then the stage can be retried', async () => {
      // Prepare
      const { clock, sandbox, executionId } = await failed();
      sandbox.pipelines.failNextRetry('api-pipeline');
      await sandbox.pipelines.retryStage('api-pipeline', 'Build', executionId);

      // Act
      const whileRunning = sandbox.pipelines.retryStage('api-pipeline', 'Build', executionId);
      clock.advance(RETRIED_STAGE_MS);
      const ended = sandbox.pipelines.dueEvents();
      const state = await sandbox.pipelines.get('api-pipeline');
      await sandbox.pipelines.retryStage('api-pipeline', 'Build', executionId);
      clock.advance(2 * RETRIED_STAGE_MS);

      // Assess
      await expect(whileRunning).rejects.toMatchObject({ code: 'STAGE_NOT_RETRYABLE' });
      expect(ended.map((e) => [e['detail-type'], e.detail.state, e.detail['execution-id']])).toEqual([
        ['CodePipeline Action Execution State Change', 'FAILED', executionId],
        ['CodePipeline Pipeline Execution State Change', 'FAILED', executionId],
      ]);
      expect(new Set(ended.map((e) => e.id)).size).toBe(2);
      expect(state.stages.map((s) => s.status)).toEqual(['Succeeded', 'Failed', 'Unknown']);
      expect(state.stages[1]?.actions[0]?.errorMessage).toContain('npm test');
      // Only the next retry fails: the one after passes
      expect(sandbox.pipelines.dueEvents().map((e) => e.detail.state)).toEqual(['SUCCEEDED']);
    });

    it('keeps a retry and a pending failing one across a restart, and reads a state saved before either existed', async () => {
      // Prepare
      const { sandbox, executionId } = await failed();
      await sandbox.pipelines.retryStage('api-pipeline', 'Build', executionId);
      sandbox.pipelines.failNextRetry('api-pipeline');
      const saved = sandbox.snapshot();
      const older = { ...saved, pipelines: { executions: (saved.pipelines as { executions: unknown }).executions } };

      // Act
      const clock = new SandboxClock(START);
      const restarted = new SandboxAccount(world, clock, 7);
      const restored = restarted.restore(saved);
      const fromOlder = new SandboxAccount(world, new SandboxClock(START), 7).restore(older);
      clock.advance(2 * RETRIED_STAGE_MS);

      // Assess
      expect([restored, fromOlder]).toEqual([true, true]);
      expect(restarted.pipelines.dueEvents().map((e) => e.detail.state)).toEqual(['SUCCEEDED']);
      expect(restarted.snapshot().pipelines).toMatchObject({ failingRetries: ['api-pipeline'] });
    });
  },
);
