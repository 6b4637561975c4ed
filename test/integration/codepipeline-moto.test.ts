import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { IAMClient } from '@aws-sdk/client-iam';
import { CodePipelinePipelines } from '../../integrations/aws/codepipeline.adapter';
import { createMotoPipeline, describeMoto, fixMotoTimestamps, type Moto, startMoto } from '../support/moto';

/**
 * Only the adapter's own calls are asserted. moto implements CreatePipeline, GetPipeline, ListPipelines (and
 * Update/Delete/tags) but not GetPipelineState,
 * ListPipelineExecutions, ListActionExecutions or RetryStageExecution: those are covered by the mocked-client
 * tests in test/unit/codepipeline.test.ts with response shapes as AWS documents them.
 */
describeMoto('CodePipeline adapter against moto (real SDK v3 over HTTP)', () => {
  let moto: Moto;
  let client: CodePipelineClient;
  const names = ['api-pipeline', 'web-pipeline', 'payments-pipeline'];

  beforeAll(async () => {
    moto = await startMoto();
    const iam = new IAMClient(moto.clientConfig);
    client = new CodePipelineClient({ ...moto.clientConfig, maxAttempts: 1 });
    fixMotoTimestamps(client);
    for (const name of names) await createMotoPipeline(client, iam, name);
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it('lists every pipeline through ListPipelines', async () => {
    // Act
    const found = await new CodePipelinePipelines(client).names();

    // Assess
    expect(found.sort()).toEqual([...names].sort());
  });
});
