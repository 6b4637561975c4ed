import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { HAND_OVER_ROUNDS } from '../../infra/constructs/deploy-watcher';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import { LISTING_INDEX } from '../../integrations/store.port';
import { reactions } from '../../intents';
import { TWO_ACCOUNT_DEPLOYS } from '../support/configs';

describe('the synthesized opsbot stack', () => {
  const app = new App();
  const stack = new OpsbotStack(app, 'Opsbot', { config: parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) });
  const template = Template.fromStack(stack);
  const functions = template.findResources('AWS::Lambda::Function');
  const logicalIdOf = (prefix: string) => Object.keys(functions).find((id) => id.startsWith(prefix)) as string;
  const slackId = logicalIdOf('Slack');
  const workerId = logicalIdOf('Worker');
  /** The logical id of a function's execution role. */
  const roleOf = (functionId: string) => {
    const role = functions[functionId]?.Properties.Role as { 'Fn::GetAtt': [string, string] } | undefined;
    return role?.['Fn::GetAtt'][0];
  };

  it('has the slack and worker functions on Node.js 24, bundled with their configuration', () => {
    expect(Object.keys(functions).sort()).toEqual([slackId, workerId].sort());
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          OPSBOT_CONFIG: '/var/task/opsbot.config.json',
          OPSBOT_BACKEND: 'aws',
          OPSBOT_WORKER_FUNCTION: { Ref: workerId },
        }),
      },
    });
  });

  it('runs both functions on arm64, with the memory the benchmark sized, the worker with source-mapped stack traces', () => {
    for (const id of [slackId, workerId]) {
      const props = functions[id]?.Properties as {
        Architectures: string[];
        MemorySize: number;
        Environment: { Variables: Record<string, unknown> };
      };
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.MemorySize).toBe(1024);
    }
    // The worker reads its source map for stack traces; the slack function's cold start does not pay for that.
    const variables = (id: string) =>
      (functions[id]?.Properties as { Environment?: { Variables?: Record<string, unknown> } } | undefined)?.Environment
        ?.Variables ?? {};
    expect(variables(workerId).NODE_OPTIONS).toBe('--enable-source-maps');
    expect(variables(slackId)).not.toHaveProperty('NODE_OPTIONS');
  });

  it('routes POST /slack/events to the slack function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /slack/events' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [slackId, 'Arn'] },
    });
  });

  it('has the Store table with pk and TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      // The audit trail is listed through this index, under the name the Store adapter queries.
      GlobalSecondaryIndexes: [
        {
          IndexName: LISTING_INDEX,
          KeySchema: [
            { AttributeName: 'lc', KeyType: 'HASH' },
            { AttributeName: 'lo', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('has the two Slack secrets, and log retention on both functions', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(2);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('lets the slack function invoke the worker and nothing broader', () => {
    // Prepare
    const slackRole = roleOf(slackId);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === slackRole),
    );
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
    );

    // Act
    const lambdaStatements = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('lambda:')));

    // Assess
    expect(lambdaStatements).toHaveLength(1);
    expect(lambdaStatements[0]?.Action).toBe('lambda:InvokeFunction');
    expect(lambdaStatements[0]?.Resource).toEqual([
      { 'Fn::GetAtt': [workerId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [workerId, 'Arn'] }, ':*']] },
    ]);
    expect(statements.every((s) => s.Resource !== '*')).toBe(true);
  });

  it('sends pipeline failures and recoveries of the configured pipelines to the worker', () => {
    const pipelines = ['api-pipeline', 'web-pipeline', 'payments-pipeline', 'worker-pipeline'];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codepipeline'],
        'detail-type': ['CodePipeline Pipeline Execution State Change'],
        detail: { state: ['FAILED', 'SUCCEEDED'], pipeline: pipelines },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^WorkerAliasevents') } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['CodePipeline Action Execution State Change'],
        detail: { state: ['FAILED'], pipeline: pipelines },
      },
    });
  });

  it('retries a reaction that failed (events, through the worker’s events alias), never a Slack job', () => {
    // Assess: events arrive through an alias whose failed invocations run again, twice
    template.hasResourceProperties('AWS::Lambda::Alias', {
      FunctionName: { Ref: workerId },
      Name: 'events',
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: workerId },
      Qualifier: Match.not('$LATEST'),
      MaximumRetryAttempts: 2,
    });
    // Slack jobs invoke the function itself, whose failed invocations never run again (an answer could post twice).
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: workerId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
    });
  });

  it('routes exactly the events the reactions declare: one rule per declared event type, each to the worker', () => {
    // Prepare
    const declared = reactions.flatMap((r) =>
      r.events.filter((e) => e.scheduled !== true).map((e) => [e.source, e.detailType]),
    );

    // Act
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Array<{
      Properties: { EventPattern: { source: string[]; 'detail-type': string[] } };
    }>;

    // Assess
    expect(
      rules.map((r) => [r.Properties.EventPattern.source[0], r.Properties.EventPattern['detail-type'][0]]),
    ).toEqual(declared);
  });

  it('gives the worker exactly the CodePipeline actions it uses, on the configured pipelines', () => {
    // Prepare
    const workerRole = roleOf(workerId);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === workerRole))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((st) => [st.Action].flat().some((a) => a.startsWith('codepipeline:')));

    // Assess
    expect(statements.flatMap((st) => [st.Action].flat()).sort()).toEqual([
      'codepipeline:GetPipelineExecution',
      'codepipeline:GetPipelineState',
      'codepipeline:ListActionExecutions',
      'codepipeline:ListPipelineExecutions',
      'codepipeline:RetryStageExecution',
    ]);
    // Retry is authorized on a stage of a configured pipeline (`pipeline/stage`), never on another pipeline's.
    const scoped = JSON.stringify(statements.find((st) => st.Action === 'codepipeline:RetryStageExecution')?.Resource);
    expect(scoped).toContain(':codepipeline:eu-west-1:111111111111:api-pipeline/*');
    expect(scoped).not.toContain('"*"');
  });

  it('lets the worker assume exactly the configured roles of the other accounts', () => {
    // Prepare
    const workerRole = roleOf(workerId);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === workerRole))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((st) => [st.Action].flat().includes('sts:AssumeRole'));

    // Assess
    expect(statements.map((st) => st.Resource)).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:role/opsbot']] },
    ]);
  });

  it('watches deploys with a Standard state machine: Wait, poll through the worker, Choice, Count — handing over to itself, logged and alarmed', () => {
    // Prepare
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const body = machine?.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
    const definition = JSON.parse(
      body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(''),
    ) as { StartAt: string; States: Record<string, Record<string, unknown>>; TimeoutSeconds: number };

    // Assess
    expect(machine?.Properties.StateMachineType).toBe('STANDARD');
    expect(definition.StartAt).toBe('Wait');
    expect(definition.States.Wait).toMatchObject({ Type: 'Wait', Seconds: 10, Next: 'Poll' });
    expect(definition.States.Poll).toMatchObject({
      Type: 'Task',
      Resource: expect.stringContaining('lambda:invoke'),
      Parameters: { Payload: { kind: 'watch', 'runId.$': '$.runId', 'watchedSince.$': '$$.Execution.StartTime' } },
      ResultSelector: { 'done.$': '$.Payload.done', 'handOver.$': '$.Payload.handOver' },
      ResultPath: '$.poll',
      Next: 'Done?',
    });
    expect(definition.States['Done?']).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.poll.done', BooleanEquals: true, Next: 'Ended' },
        {
          Or: [
            { Variable: '$.round', NumericGreaterThanEquals: HAND_OVER_ROUNDS - 1 },
            { Variable: '$.poll.handOver', BooleanEquals: true },
          ],
          Next: 'Hand over',
        },
      ],
      Default: 'Count',
    });
    expect(definition.States.Count).toMatchObject({ Type: 'Pass', Next: 'Wait' });
    expect(definition.States['Hand over']).toMatchObject({
      Type: 'Task',
      Resource: 'arn:TOKEN:states:::states:startExecution',
      Parameters: { 'Name.$': "States.Format('{}_w{}', $.execution, States.MathAdd($.generation, 1))" },
      // A successor's name already taken is caught at once, not retried
      Retry: [{ ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'], MaxAttempts: 0 }, expect.anything()],
      Catch: [
        { ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'], Next: 'Handed over' },
        { ErrorEquals: ['States.ALL'], Next: 'Count' },
      ],
      Next: 'Handed over',
    });
    expect(definition.States.Ended).toEqual({ Type: 'Succeed' });
    expect(definition.TimeoutSeconds).toBe(50 * 60 * 60);
    // A failing poll answers "not done" and counts as a round: watching ends when a poll says done, or at the timeout
    expect(definition.States.Poll).toMatchObject({
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.pollError', Next: 'Unanswered' }],
    });
    expect(machine?.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    // Failed, timed out or aborted: any of the three raises the alarm (asserted in self-watch.test.ts).
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Opsbot-self-watch-deploy-watcher-failures',
      Threshold: 1,
    });
    // The worker knows the state machine's ARN. The example configures no cluster, so nothing can be deployed on
    // AWS and the worker may start no execution; with a deployable service it may start this state machine's only.
    // The state machine itself may start itself only (its hand-over).
    const arn = {
      'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':stateMachine:Opsbot-deploy-watcher$')])],
    };
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ OPSBOT_WATCHER: arn }) },
    });
    const starting = (t: Template) =>
      Object.entries(t.findResources('AWS::IAM::Policy'))
        .filter(([, p]) => JSON.stringify(p).includes('states:StartExecution'))
        .map(([id, p]) => [id, (p.Properties.Roles as Array<{ Ref: string }>).map((r) => r.Ref)]);
    expect(starting(template)).toEqual([
      [
        expect.stringMatching(/^DeployWatcherStateMachineRoleDefaultPolicy/),
        [expect.stringMatching(/^DeployWatcherStateMachineRole/)],
      ],
    ]);
    const deployable = Template.fromStack(
      new OpsbotStack(new App(), 'Opsbot', { config: parseConfig(TWO_ACCOUNT_DEPLOYS) }),
    );
    expect(starting(deployable)).toHaveLength(2);
    deployable.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: arn }]),
      },
    });
  });

  it('sends CodeDeploy’s and ECS’s deployment state changes to the worker', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codedeploy'],
        'detail-type': ['CodeDeploy Deployment State-change Notification'],
        detail: { state: ['SUCCESS', 'FAILURE', 'STOP', 'READY'] },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecs'], 'detail-type': ['ECS Deployment State Change'] },
    });
  });

  it('subscribes only to events AWS documents, by source and detail type', () => {
    // Prepare: the detail types of EventBridge's event reference (docs.aws.amazon.com/eventbridge/latest/ref/), for the
    // sources opsbot listens to
    const documented: Record<string, string[]> = {
      'aws.ecs': [
        'ECS Container Instance State Change',
        'ECS Task State Change',
        'ECS Service Action',
        'ECS Deployment State Change',
      ],
      'aws.codedeploy': [
        'CodeDeploy Deployment State-change Notification',
        'CodeDeploy Instance State-change Notification',
      ],
      'aws.codepipeline': [
        'CodePipeline Pipeline Execution State Change',
        'CodePipeline Stage Execution State Change',
        'CodePipeline Action Execution State Change',
      ],
      'aws.cloudwatch': ['CloudWatch Alarm State Change'],
      'aws.health': ['AWS Health Event'],
    };
    const deployable = Template.fromStack(
      new OpsbotStack(new App(), 'Opsbot', { config: parseConfig(TWO_ACCOUNT_DEPLOYS) }),
    );

    // Act
    const subscribed = [template, deployable].flatMap((t) =>
      Object.values(t.findResources('AWS::Events::Rule')).flatMap((rule) => {
        const pattern = rule.Properties.EventPattern as { source?: string[]; 'detail-type'?: string[] } | undefined;
        return (pattern?.source ?? []).flatMap((source) =>
          (pattern?.['detail-type'] ?? ['(any)']).map((type) => `${source}: ${type}`),
        );
      }),
    );

    // Assess
    expect(subscribed.length).toBeGreaterThan(3);
    for (const pair of subscribed) {
      const [source, type] = pair.split(': ') as [string, string];
      expect({ pair, documented: documented[source]?.includes(type) ?? false }).toEqual({ pair, documented: true });
    }
  });

  it('posts the maintenance digest daily at the configured time in the team’s time zone, through EventBridge Scheduler', () => {
    // Prepare
    const berlin = new OpsbotStack(new App(), 'Opsbot', {
      config: parseConfig(
        `timeZone: Europe/Berlin\n${readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').replace('at: "09:00"', 'at: "08:30"')}`,
      ),
    });

    // Act
    const schedules = Template.fromStack(berlin).findResources('AWS::Scheduler::Schedule');

    // Assess
    const [schedule] = Object.values(schedules) as Array<{
      Properties: {
        ScheduleExpression: string;
        ScheduleExpressionTimezone: string;
        Target: { Input: unknown; DeadLetterConfig?: unknown };
      };
    }>;
    expect(Object.keys(schedules)).toHaveLength(1);
    expect(schedule?.Properties.ScheduleExpression).toBe('cron(30 08 * * ? *)');
    expect(schedule?.Properties.ScheduleExpressionTimezone).toBe('Europe/Berlin');
    // The input is the event the worker routes to the digest (joined with the account and region at deploy).
    const input = JSON.stringify(schedule?.Properties.Target.Input);
    for (const part of ['opsbot.scheduler', 'Maintenance Digest', '<aws.scheduler.scheduled-time>']) {
      expect(input).toContain(part);
    }
    expect(schedule?.Properties.Target.DeadLetterConfig).toBeDefined();
  });

  it('passes cdk-nag AwsSolutions checks, every acknowledgement with a reason', () => {
    // Act
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    // Assess
    const problems = report.violations.map(
      (v) => `${v.ruleName}: ${v.description} @ ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`,
    );
    expect(problems).toEqual([]);
  });
});

describe('two opsbot stacks in one app', () => {
  it('ship each its own slack bundle, with its own configuration', () => {
    // Prepare
    const example = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
    const app = new App();

    // Act
    const [first, second] = [
      new OpsbotStack(app, 'OpsbotOne', { config: example }),
      new OpsbotStack(app, 'OpsbotTwo', { config: { ...example, audit: { retentionDays: 30 } } }),
    ].map((stack) => {
      const slack = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find(([id]) =>
        id.startsWith('Slack'),
      )?.[1];
      return slack?.Properties.Code.S3Key as string;
    });

    // Assess
    expect(first).toMatch(/\.zip$/);
    expect(second).not.toBe(first);
  });
});
