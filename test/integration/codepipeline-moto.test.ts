import { CodePipelineClient, CreatePipelineCommand } from '@aws-sdk/client-codepipeline';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CodePipelinePipelines } from '../../integrations/aws/codepipeline.adapter';
import { describeMoto, fixMotoTimestamps, type Moto, startMoto } from '../support/moto';

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
    // moto wants the service role to exist before a pipeline refers to it.
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: 'codepipeline-service',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    client = new CodePipelineClient({ ...moto.clientConfig, maxAttempts: 1 });
    fixMotoTimestamps(client);
    for (const name of names) {
      await client.send(
        new CreatePipelineCommand({
          pipeline: {
            name,
            roleArn: role.Role?.Arn,
            artifactStore: { type: 'S3', location: 'opsbot-artifacts' },
            stages: [
              {
                name: 'Source',
                actions: [
                  {
                    name: 'Source',
                    actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
                    configuration: { S3Bucket: 'src', S3ObjectKey: `${name}.zip` },
                    outputArtifacts: [{ name: 'src' }],
                  },
                ],
              },
              {
                name: 'Build',
                actions: [
                  {
                    name: 'Build',
                    actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
                    configuration: { ProjectName: `${name}-build` },
                    inputArtifacts: [{ name: 'src' }],
                  },
                ],
              },
            ],
          },
        }),
      );
    }
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
