import {
  CodePipelineClient,
  CodePipelineServiceException,
  GetPipelineStateCommand,
  type GetPipelineStateCommandOutput,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  PipelineNotFoundException,
  RetryStageExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CodePipelinePipelines } from '../../integrations/aws/codepipeline.adapter';
import { describeShared, sharedJson } from '../support/fixtures';
import { asSdkOutput } from '../support/sdk-output';

const noWait = { sleep: async () => undefined, random: () => 0.5 };
const at = (iso: string) => new Date(iso);

/** A GetPipelineState response as the CodePipeline API reference documents it. */
function failedState(name: string, withError = true): GetPipelineStateCommandOutput {
  return asSdkOutput({
    pipelineName: name,
    pipelineVersion: 3,
    stageStates: [
      {
        stageName: 'Source',
        latestExecution: { pipelineExecutionId: 'exec-2', status: 'Succeeded' },
        actionStates: [
          { actionName: 'Source', latestExecution: { status: 'Succeeded', lastStatusChange: 1795400000 } },
        ],
      },
      {
        stageName: 'Build',
        latestExecution: { pipelineExecutionId: 'exec-2', status: 'Failed' },
        actionStates: [
          {
            actionName: 'UnitTests',
            entityUrl: 'https://console.aws.amazon.com/codebuild/home?region=eu-west-1#/projects/api-build/view',
            latestExecution: {
              status: 'Failed',
              lastStatusChange: 1795400600,
              externalExecutionUrl:
                'https://console.aws.amazon.com/codebuild/home?region=eu-west-1#/builds/api-build:42/view/new',
              ...(withError && {
                errorDetails: {
                  code: 'JobFailed',
                  message: 'Error while executing command: npm test. Reason: exit status 1',
                },
              }),
            },
          },
        ],
      },
      { stageName: 'Deploy', actionStates: [{ actionName: 'DeployToECS' }] },
    ],
    created: 1790000000,
    updated: 1795000000,
  });
}

describe('CodePipeline adapter (aws-sdk-client-mock)', () => {
  const codepipeline = mockClient(CodePipelineClient);
  beforeEach(() => codepipeline.reset());
  const adapter = (options = {}) =>
    new CodePipelinePipelines(new CodePipelineClient({ region: 'eu-west-1' }), {
      region: 'eu-west-1',
      ...noWait,
      ...options,
    });

  it('lists every page of pipelines, and reads stages only of the failing ones', async () => {
    // Prepare
    codepipeline
      .on(ListPipelinesCommand)
      .resolvesOnce({ pipelines: [{ name: 'api-pipeline' }, { name: 'web-pipeline' }], nextToken: 'page-2' })
      .resolvesOnce({ pipelines: [{ name: 'worker-pipeline' }] });
    codepipeline.on(ListPipelineExecutionsCommand).callsFake(({ pipelineName }) => ({
      pipelineExecutionSummaries: [
        {
          pipelineExecutionId: 'exec-2',
          status: pipelineName === 'api-pipeline' ? 'Failed' : 'Succeeded',
          startTime: at('2026-11-23T08:00:00Z'),
        },
      ],
    }));
    codepipeline.on(GetPipelineStateCommand, { name: 'api-pipeline' }).resolves(failedState('api-pipeline'));

    // Act
    const list = await adapter().list();

    // Assess
    expect(list).toEqual([
      {
        name: 'api-pipeline',
        status: 'Failed',
        failingStage: 'Build',
        lastExecutionAt: Date.parse('2026-11-23T08:00:00Z'),
      },
      { name: 'web-pipeline', status: 'Succeeded', lastExecutionAt: Date.parse('2026-11-23T08:00:00Z') },
      { name: 'worker-pipeline', status: 'Succeeded', lastExecutionAt: Date.parse('2026-11-23T08:00:00Z') },
    ]);
    expect(codepipeline).toHaveReceivedCommandWith(ListPipelinesCommand, { nextToken: 'page-2' });
    expect(codepipeline).toHaveReceivedCommandTimes(GetPipelineStateCommand, 1);
  });

  it('keeps at most its concurrency of calls in flight', async () => {
    // Prepare
    codepipeline
      .on(ListPipelinesCommand)
      .resolves({ pipelines: Array.from({ length: 50 }, (_, i) => ({ name: `p${i}` })) });
    let inFlight = 0;
    let most = 0;
    codepipeline.on(ListPipelineExecutionsCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { pipelineExecutionSummaries: [{ status: 'Succeeded' }] };
    });

    // Act
    const list = await adapter({ concurrency: 8 }).list();

    // Assess
    expect(list).toHaveLength(50);
    expect(most).toBe(8);
  });

  it('shows a failed action’s error, its log link and the revision that ran', async () => {
    // Prepare
    codepipeline.on(GetPipelineStateCommand).resolves(failedState('api-pipeline'));
    codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        {
          pipelineExecutionId: 'exec-2',
          status: 'Failed',
          sourceRevisions: [
            {
              actionName: 'Source',
              revisionId: '4f2a9c1d8e7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c',
              revisionSummary:
                '{"ProviderType":"GitHub","CommitMessage":"Fix retry budget\\n\\nLonger text","AuthorDisplayName":"Ana Lima"}',
              revisionUrl: 'https://github.com/example/api/commit/4f2a9c1',
            },
          ],
        },
      ],
    });

    // Act
    const detail = await adapter().get('api-pipeline');

    // Assess
    expect(detail.stages.map((s) => [s.name, s.status])).toEqual([
      ['Source', 'Succeeded'],
      ['Build', 'Failed'],
      ['Deploy', 'Unknown'],
    ]);
    expect(detail.stages[1]?.actions[0]).toEqual({
      name: 'UnitTests',
      status: 'Failed',
      lastChangedAt: 1795400600_000,
      errorMessage: 'Error while executing command: npm test. Reason: exit status 1',
      url: 'https://console.aws.amazon.com/codebuild/home?region=eu-west-1#/builds/api-build:42/view/new',
    });
    expect(detail.revision).toEqual({
      id: '4f2a9c1d8e7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c',
      message: 'Fix retry budget',
      author: 'Ana Lima',
      url: 'https://github.com/example/api/commit/4f2a9c1',
    });
    expect(detail.url).toBe(
      'https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/api-pipeline/view?region=eu-west-1',
    );
    expect(codepipeline).not.toHaveReceivedCommand(ListActionExecutionsCommand);
  });

  it('reads the error from ListActionExecutions when the state has none', async () => {
    // Prepare
    codepipeline.on(GetPipelineStateCommand).resolves(failedState('api-pipeline', false));
    codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [{ pipelineExecutionId: 'exec-2', status: 'Failed' }] });
    codepipeline.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [
        {
          pipelineExecutionId: 'exec-2',
          stageName: 'Build',
          actionName: 'UnitTests',
          status: 'Failed',
          output: { executionResult: { externalExecutionSummary: 'Build api-build:42 failed in phase BUILD' } },
        },
      ],
    });

    // Act
    const detail = await adapter().get('api-pipeline');

    // Assess
    expect(detail.stages[1]?.actions[0]?.errorMessage).toBe('Build api-build:42 failed in phase BUILD');
    expect(codepipeline).toHaveReceivedCommandWith(ListActionExecutionsCommand, {
      pipelineName: 'api-pipeline',
      filter: { pipelineExecutionId: 'exec-2' },
    });
  });

  it('retries a throttled call, then succeeds', async () => {
    // Prepare
    const throttled = new CodePipelineServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    codepipeline.on(ListPipelinesCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ pipelines: [] });
    const waits: number[] = [];

    // Act
    const names = await adapter({ sleep: async (ms: number) => void waits.push(ms) }).names();

    // Assess
    expect(names).toEqual([]);
    expect(codepipeline).toHaveReceivedCommandTimes(ListPipelinesCommand, 3);
    expect(waits).toEqual([100, 200]);
  });

  it('says which IAM action is missing when access is denied', async () => {
    // Prepare
    codepipeline.on(GetPipelineStateCommand).rejects(
      new CodePipelineServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message:
          'User: arn:aws:sts::111111111111:assumed-role/opsbot-worker/x is not authorized to perform: codepipeline:GetPipelineState',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    codepipeline.on(ListPipelineExecutionsCommand).resolves({});

    // Act
    const attempt = adapter().get('api-pipeline');

    // Assess
    await expect(attempt).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      userMessage: 'opsbot is not allowed to call codepipeline:GetPipelineState on api-pipeline.',
      hint: expect.stringContaining('allow codepipeline:GetPipelineState'),
    });
  });

  it('says so when a pipeline does not exist', async () => {
    codepipeline
      .on(GetPipelineStateCommand)
      .rejects(new PipelineNotFoundException({ message: 'not found', $metadata: {} }));
    codepipeline
      .on(ListPipelineExecutionsCommand)
      .rejects(new PipelineNotFoundException({ message: 'not found', $metadata: {} }));
    await expect(adapter().get('nope')).rejects.toMatchObject({
      code: 'UNKNOWN_PIPELINE',
      userMessage: 'There is no pipeline called nope in this AWS account and region.',
    });
  });

  it('retries the failed actions of a stage', async () => {
    codepipeline.on(RetryStageExecutionCommand).resolves({ pipelineExecutionId: 'exec-2' });
    await adapter().retryStage('api-pipeline', 'Build', 'exec-2');
    expect(codepipeline).toHaveReceivedCommandWith(RetryStageExecutionCommand, {
      pipelineName: 'api-pipeline',
      stageName: 'Build',
      pipelineExecutionId: 'exec-2',
      retryMode: 'FAILED_ACTIONS',
    });
  });

  // In an ordinary account: configured pipelines, a newer run, retry answers.

  it('reads only the configured pipelines for the overview, never listing the account', async () => {
    // Prepare
    codepipeline.on(ListPipelinesCommand).rejects(new Error('not expected'));
    codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        { pipelineExecutionId: 'e', status: 'Succeeded', startTime: at('2026-11-23T08:00:00Z') },
      ],
    });

    // Act
    const list = await adapter({ pipelines: ['api-pipeline'] }).list();

    // Assess
    expect(list.map((p) => [p.name, p.status])).toEqual([['api-pipeline', 'Succeeded']]);
    expect(codepipeline).not.toHaveReceivedCommand(ListPipelinesCommand);
  });

  it('offers the failed stage’s own execution for retry while a newer execution runs, and reads its error there', async () => {
    // Prepare: exec-3 is running Source; Build failed in exec-2
    const state = failedState('api-pipeline', false);
    codepipeline.on(GetPipelineStateCommand).resolves({
      ...state,
      stageStates: [
        { ...state.stageStates?.[0], latestExecution: { pipelineExecutionId: 'exec-3', status: 'InProgress' } },
        ...(state.stageStates ?? []).slice(1),
      ],
    });
    codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [{ pipelineExecutionId: 'exec-3', status: 'InProgress' }],
    });
    codepipeline.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [
        {
          stageName: 'Build',
          actionName: 'UnitTests',
          status: 'Failed',
          output: { executionResult: { externalExecutionSummary: 'exit status 1' } },
        },
      ],
    });

    // Act
    const detail = await adapter().get('api-pipeline');

    // Assess
    expect(detail.executionId).toBe('exec-3');
    expect(detail.stages.find((s) => s.name === 'Build')?.executionId).toBe('exec-2');
    expect(codepipeline).toHaveReceivedCommandWith(ListActionExecutionsCommand, {
      filter: { pipelineExecutionId: 'exec-2' },
    });
  });

  it.each([
    ['StageNotRetryableException', 'STAGE_NOT_RETRYABLE', /can't be retried now/],
    ['NotLatestPipelineExecutionException', 'EXECUTION_SUPERSEDED', /newer run of api-pipeline has reached Build/],
  ])('answers %s clearly', async (name, code, message) => {
    // Prepare
    codepipeline
      .on(RetryStageExecutionCommand)
      .rejects(
        new CodePipelineServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: name }),
      );

    // Act
    const attempt = adapter().retryStage('api-pipeline', 'Build', 'exec-2');

    // Assess
    await expect(attempt).rejects.toMatchObject({ code, userMessage: expect.stringMatching(message) });
  });
});

describeShared('CodePipeline adapter with GetPipelineState responses published by AWS', () => {
  const codepipeline = mockClient(CodePipelineClient);
  beforeEach(() => codepipeline.reset());

  it.each([
    [
      'codepipeline-GetPipelineState-response__aws-cli-example.json',
      [
        ['Source', 'Succeeded'],
        ['Beta', 'Succeeded'],
      ],
    ],
    [
      'codepipeline-GetPipelineState-response__captured-boto3-GitHub-source-CodeBuild.json',
      [
        ['Source', 'Succeeded'],
        ['Build', 'Succeeded'],
      ],
    ],
  ])('reads %s', async (file, stages) => {
    // Prepare
    codepipeline.on(GetPipelineStateCommand).resolves(asSdkOutput(sharedJson(file)));
    codepipeline.on(ListPipelineExecutionsCommand).resolves({});

    // Act
    const detail = await new CodePipelinePipelines(new CodePipelineClient({ region: 'eu-west-1' }), noWait).get('p');

    // Assess
    expect(detail.stages.map((s) => [s.name, s.status])).toEqual(stages);
    expect(detail.stages.every((s) => s.actions.every((a) => a.url?.startsWith('https://')))).toBe(true);
    expect(detail.stages[0]?.lastChangedAt).toBeGreaterThan(Date.UTC(2015, 0, 1));
  });
});
