import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { parseConfig } from '../../bot/config';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import type { RecordedCall } from '../../integrations/aws/call-ledger';
import { CfnResolver } from '../support/cfn-resolve';
import { prodAccessStack, TWO_ACCOUNT_DEPLOYS } from '../support/configs';
import {
  type DeployedStack,
  deployedRoles,
  deployedStack,
  type JudgeOptions,
  judge,
  type PolicyStatement,
} from '../support/iam-judge';
import { iamRequestsOf } from '../support/iam-map';

const HOME = '111111111111';
const PROD = '222222222222';
const REGION = 'eu-west-1';
const VERSION = '2012-10-17';
const PROD_ROLE = `arn:aws:iam::${PROD}:role/opsbot`;

/** opsbot's stack reduced to one function, `Fn`, running as `FnRole` with `statements`. */
function homeStack(statements: readonly PolicyStatement[]): DeployedStack {
  return {
    template: {
      Resources: {
        FnRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Version: VERSION,
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            },
          },
        },
        FnRoleDefaultPolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'FnRoleDefaultPolicy',
            Roles: [{ Ref: 'FnRole' }],
            PolicyDocument: { Version: VERSION, Statement: statements },
          },
        },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } } },
      },
    },
    account: HOME,
    region: REGION,
    stackName: 'Opsbot',
  };
}

/** The role opsbot assumes in the prod account: trusted by opsbot's `Fn*` roles, with `trust` conditions. */
function accessStack(statements: readonly PolicyStatement[], externalId?: string): DeployedStack {
  return {
    template: {
      Resources: {
        OpsbotRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'opsbot',
            AssumeRolePolicyDocument: {
              Version: VERSION,
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'sts:AssumeRole',
                  Principal: { AWS: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${HOME}:root` } },
                  Condition: {
                    ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${HOME}:role/Opsbot-Fn*` },
                    ...(externalId !== undefined && { StringEquals: { 'sts:ExternalId': externalId } }),
                  },
                },
              ],
            },
            Policies: [{ PolicyName: 'opsbot', PolicyDocument: { Version: VERSION, Statement: statements } }],
          },
        },
      },
    },
    account: PROD,
    region: REGION,
    stackName: 'OpsbotAccess-prod',
  };
}

const OPTIONS: JudgeOptions = { home: { account: HOME, region: REGION }, callerRoles: { worker: 'Fn' } };

function call(service: string, operation: string, input: unknown, more: Partial<RecordedCall> = {}): RecordedCall {
  return { caller: 'worker', service, operation, region: REGION, input, ...more };
}

const allow = (Action: string | string[], Resource: string | string[], more: Partial<PolicyStatement> = {}) =>
  ({ Effect: 'Allow', Action, Resource, ...more }) as PolicyStatement;

describe('iam-judge: recorded AWS calls judged by IAM', () => {
  describe('CodePipeline RetryStageExecution, authorized on the stage', () => {
    const retry = call('CodePipeline', 'RetryStageExecution', {
      pipelineName: 'web-pipeline',
      stageName: 'Deploy',
      pipelineExecutionId: 'e-1',
      retryMode: 'FAILED_ACTIONS',
    });

    it('is denied when the policy grants it on the pipeline (the known defect)', async () => {
      // Prepare
      const roles = deployedRoles([
        homeStack([
          allow('codepipeline:RetryStageExecution', {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${…} syntax, not a template literal.
            'Fn::Sub': 'arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:web-pipeline',
          } as unknown as string),
        ]),
      ]);

      // Act
      const verdict = await judge([retry], roles, OPTIONS);

      // Assess
      expect(verdict.denied).toEqual([
        `worker → CodePipeline RetryStageExecution arn:aws:codepipeline:eu-west-1:${HOME}:web-pipeline/Deploy: ImplicitlyDenied (codepipeline:RetryStageExecution)`,
      ]);
      expect(verdict.judged).toBe(1);
    });

    it('is allowed when the policy grants it on the pipeline’s stages', async () => {
      // Prepare
      const roles = deployedRoles([
        homeStack([allow('codepipeline:RetryStageExecution', `arn:aws:codepipeline:${REGION}:${HOME}:web-pipeline/*`)]),
      ]);

      // Act
      const verdict = await judge([retry], roles, OPTIONS);

      // Assess
      expect(verdict.denied).toEqual([]);
    });
  });

  describe('ECS StopServiceDeployment, authorized on the service and on the service deployment', () => {
    const deployment = `arn:aws:ecs:${REGION}:${HOME}:service-deployment/staging/web/3f2a`;
    const stop = call('ECS', 'StopServiceDeployment', { serviceDeploymentArn: deployment, stopType: 'ROLLBACK' });

    it('asks for both (iam-data lists both resource types as required)', async () => {
      // Act
      const requests = await iamRequestsOf(stop, { home: OPTIONS.home });

      // Assess
      expect(requests.map((r) => [r.action, r.resource])).toEqual([
        ['ecs:StopServiceDeployment', `arn:aws:ecs:${REGION}:${HOME}:service/staging/web`],
        ['ecs:StopServiceDeployment', deployment],
      ]);
    });

    it('is denied when granted only on service-deployment/*', async () => {
      // Prepare
      const roles = deployedRoles([
        homeStack([
          allow('ecs:StopServiceDeployment', `arn:aws:ecs:${REGION}:${HOME}:service-deployment/staging/web/*`),
        ]),
      ]);

      // Act
      const verdict = await judge([stop], roles, OPTIONS);

      // Assess
      expect(verdict.denied).toEqual([
        `worker → ECS StopServiceDeployment arn:aws:ecs:${REGION}:${HOME}:service/staging/web: ImplicitlyDenied (ecs:StopServiceDeployment)`,
      ]);
    });

    it('is allowed when the service is granted too', async () => {
      // Prepare
      const roles = deployedRoles([
        homeStack([
          allow('ecs:StopServiceDeployment', [
            `arn:aws:ecs:${REGION}:${HOME}:service-deployment/staging/web/*`,
            `arn:aws:ecs:${REGION}:${HOME}:service/staging/web`,
          ]),
        ]),
      ]);

      // Act
      const verdict = await judge([stop], roles, OPTIONS);

      // Assess
      expect(verdict.denied).toEqual([]);
    });
  });

  describe('CodeDeploy StopDeployment, which iam-data gives no resource type', () => {
    const stop = call('CodeDeploy', 'StopDeployment', { deploymentId: 'd-ABC123', autoRollbackEnabled: true });
    const group = `arn:aws:codedeploy:${REGION}:${HOME}:deploymentgroup:web/web-staging`;

    it('is asked for on * only, and iam-simulate agrees: a deployment group ARN is refused, * scoped to a group denied', async () => {
      // Prepare
      const simulate = (resource: string) =>
        runSimulation(
          {
            request: {
              principal: `arn:aws:iam::${HOME}:role/x`,
              action: 'codedeploy:StopDeployment',
              resource: { resource, accountId: HOME },
              contextVariables: {},
            },
            identityPolicies: [
              { name: 'p', policy: { Version: VERSION, Statement: [allow('codedeploy:StopDeployment', group)] } },
            ],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
          },
          {},
        );

      // Act
      const requests = await iamRequestsOf(stop, { home: OPTIONS.home });
      const onGroup = await simulate(group);
      const onStar = await simulate('*');

      // Assess
      expect(requests.map((r) => r.resource)).toEqual(['*']);
      expect(onGroup).toMatchObject({ resultType: 'error', errors: { message: 'must.use.wildcard' } });
      expect(onStar).toMatchObject({ resultType: 'single', overallResult: 'ImplicitlyDenied' });
    });

    it('is denied when the policy scopes it to the deployment group, allowed on *', async () => {
      // Prepare
      const scoped = deployedRoles([homeStack([allow('codedeploy:StopDeployment', group)])]);
      const onStar = deployedRoles([homeStack([allow('codedeploy:StopDeployment', '*')])]);

      // Act
      const denied = await judge([stop], scoped, OPTIONS);
      const allowed = await judge([stop], onStar, OPTIONS);

      // Assess
      expect(denied.denied).toEqual([
        'worker → CodeDeploy StopDeployment *: ImplicitlyDenied (codedeploy:StopDeployment)',
      ]);
      expect(allowed.denied).toEqual([]);
    });
  });

  describe('a call in another account, through the role assumed there', () => {
    const describe_ = call(
      'ECS',
      'DescribeServices',
      { cluster: 'prod', services: ['web'] },
      { account: PROD, roleArn: PROD_ROLE },
    );
    const stacks = [
      homeStack([allow('sts:AssumeRole', PROD_ROLE)]),
      accessStack([allow('ecs:DescribeServices', `arn:aws:ecs:${REGION}:${PROD}:service/prod/web`)], 'opsbot-example'),
    ];

    it('is denied when opsbot does not send the external id the trust policy requires', async () => {
      // Act
      const verdict = await judge([describe_], deployedRoles(stacks), OPTIONS);

      // Assess
      expect(verdict.denied).toEqual([
        `worker → STS AssumeRole ${PROD_ROLE}: ImplicitlyDenied (sts:AssumeRole; identity policy: Allowed, trust policy: ImplicitlyDenied)`,
      ]);
    });

    it('is allowed with it, and judged against the assumed role’s policies', async () => {
      // Prepare
      const options = { ...OPTIONS, externalIds: { [PROD_ROLE]: 'opsbot-example' } };
      const elsewhere = call(
        'ECS',
        'DescribeServices',
        { cluster: 'prod', services: ['api'] },
        { account: PROD, roleArn: PROD_ROLE },
      );

      // Act
      const verdict = await judge([describe_, elsewhere], deployedRoles(stacks), options);

      // Assess
      expect(verdict.denied).toEqual([
        `worker (as ${PROD_ROLE}) → ECS DescribeServices arn:aws:ecs:${REGION}:${PROD}:service/prod/api: ImplicitlyDenied (ecs:DescribeServices)`,
      ]);
    });

    it('is denied when the caller’s own role may not assume the role', async () => {
      // Prepare
      const roles = deployedRoles([homeStack([]), stacks[1] as DeployedStack]);

      // Act
      const verdict = await judge([describe_], roles, { ...OPTIONS, externalIds: { [PROD]: 'opsbot-example' } });

      // Assess
      expect(verdict.denied).toEqual([
        `worker → STS AssumeRole ${PROD_ROLE}: ImplicitlyDenied (sts:AssumeRole; identity policy: ImplicitlyDenied, trust policy: AllowedForAccount)`,
      ]);
    });
  });

  describe('the map of operations to IAM', () => {
    it('throws for an operation it does not know, so it stays complete', async () => {
      // Prepare
      const roles = deployedRoles([homeStack([])]);
      const unknown = call('ECS', 'DeleteService', { cluster: 'staging', service: 'web' });

      // Act
      const judged = judge([unknown], roles, OPTIONS);

      // Assess
      await expect(judged).rejects.toThrow('iam-map: no IAM mapping for ECS DeleteService (called by worker)');
    });

    it('throws for a resource that is none of the action’s resource types in iam-data', async () => {
      // Prepare
      const parameter = `arn:aws:ssm:${REGION}:${HOME}:parameter/prod-changes`;
      const read = call('SSM', 'GetCalendarState', { CalendarNames: [parameter] });
      const stop = call('ECS', 'StopServiceDeployment', { serviceDeploymentArn: 'deployment-3f2a' });

      // Act
      const calendar = await iamRequestsOf(read, { home: OPTIONS.home }).catch((error: Error) => error.message);
      const deployment = await iamRequestsOf(stop, { home: OPTIONS.home }).catch((error: Error) => error.message);

      // Assess
      expect(calendar).toBe(
        `iam-map: SSM GetCalendarState → ssm:GetCalendarState on ${parameter}: the ARN is none of the action's resource types (iam-data: arn:\${Partition}:ssm:\${Region}:\${Account}:document/\${DocumentName})`,
      );
      expect(deployment).toContain('deployment-3f2a is not a service-deployment ARN');
    });

    it('names a deployment’s group from another call of the ledger when the answer does not', async () => {
      // Prepare
      const created = call(
        'CodeDeploy',
        'CreateDeployment',
        { applicationName: 'web', deploymentGroupName: 'web-staging', revision: { revisionType: 'AppSpecContent' } },
        { output: { deploymentId: 'd-ABC123' } },
      );
      const get = call('CodeDeploy', 'GetDeployment', { deploymentId: 'd-ABC123' });

      // Act
      const alone = await iamRequestsOf(get, { home: OPTIONS.home }).catch((error: Error) => error);
      const withLedger = await iamRequestsOf(get, { home: OPTIONS.home, ledger: [created, get] });

      // Assess
      expect((alone as Error).message).toContain(
        'its deployment group is named neither by the answer nor by another call',
      );
      expect(withLedger.map((r) => r.resource)).toEqual([
        `arn:aws:codedeploy:${REGION}:${HOME}:deploymentgroup:web/web-staging`,
      ]);
    });

    it('asks, for CreateDeployment, the group, its configuration, and Register or Get of the application revision', async () => {
      // Prepare
      const create = call(
        'CodeDeploy',
        'CreateDeployment',
        {
          applicationName: 'web',
          deploymentGroupName: 'web-staging',
          deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
          revision: { revisionType: 'AppSpecContent' },
          overrideAlarmConfiguration: { enabled: false },
        },
        { output: { deploymentId: 'd-ABC123' } },
      );

      // Act
      const requests = await iamRequestsOf(create, { home: OPTIONS.home });

      // Assess
      const cd = `arn:aws:codedeploy:${REGION}:${HOME}`;
      expect(requests.map((r) => [r.action, r.resource, (r.orElse ?? []).map((o) => o.action)])).toEqual([
        ['codedeploy:CreateDeployment', `${cd}:deploymentgroup:web/web-staging`, []],
        ['codedeploy:GetDeploymentConfig', `${cd}:deploymentconfig:CodeDeployDefault.ECSCanary10Percent5Minutes`, []],
        ['codedeploy:RegisterApplicationRevision', `${cd}:application:web`, ['codedeploy:GetApplicationRevision']],
        ['codedeploy:UpdateDeploymentGroup', `${cd}:deploymentgroup:web/web-staging`, []],
      ]);
    });

    it('adds the dependent action AWS Health’s organizational view needs', async () => {
      // Act
      const requests = await iamRequestsOf(call('Health', 'DescribeEventsForOrganization', {}), {
        home: OPTIONS.home,
      });

      // Assess
      expect(requests.map((r) => [r.action, r.resource])).toEqual([
        ['health:DescribeEventsForOrganization', '*'],
        ['organizations:ListAccounts', '*'],
      ]);
    });

    it('reads an invoked function however the call names it', async () => {
      // Prepare
      const names = [
        'worker',
        'worker:events',
        `${HOME}:function:worker`,
        `arn:aws:lambda:${REGION}:${HOME}:function:worker`,
      ];

      // Act
      const resources = await Promise.all(
        names.map(async (FunctionName) => {
          const [request] = await iamRequestsOf(call('Lambda', 'Invoke', { FunctionName }), { home: OPTIONS.home });
          return request?.resource;
        }),
      );

      // Assess
      const fn = `arn:aws:lambda:${REGION}:${HOME}:function:worker`;
      expect(resources).toEqual([fn, `${fn}:events`, fn, fn]);
    });
  });

  describe('requests on * for an action with resource types', () => {
    const pending = call('RDS', 'DescribePendingMaintenanceActions', {});

    it('are allowed only by a grant on * itself, not by one on some resources', async () => {
      // Prepare
      const scoped = deployedRoles([
        homeStack([allow('rds:DescribePendingMaintenanceActions', `arn:aws:rds:*:${HOME}:db:*`)]),
      ]);
      const onStar = deployedRoles([homeStack([allow('rds:DescribePendingMaintenanceActions', '*')])]);

      // Act
      const denied = await judge([pending], scoped, OPTIONS);
      const allowed = await judge([pending], onStar, OPTIONS);

      // Assess
      expect(denied.denied).toEqual([
        `worker → RDS DescribePendingMaintenanceActions *: ImplicitlyDenied (rds:DescribePendingMaintenanceActions, no resource named: the listing is authorized on *; granted only on arn:aws:rds:*:${HOME}:db:*, not on *)`,
      ]);
      expect(allowed.denied).toEqual([]);
    });
  });

  it('moves a denial the test expects, with its reason, from denied to accepted', async () => {
    // Prepare
    const alarm = `arn:aws:cloudwatch:${REGION}:${HOME}:alarm:web-staging-5xx`;
    const roles = deployedRoles([homeStack([allow('cloudwatch:DescribeAlarms', alarm)])]);
    const calls = [
      call('CloudWatch', 'DescribeAlarms', { AlarmNames: ['web-staging-5xx'], AlarmTypes: ['MetricAlarm'] }),
      call('CloudWatch', 'DescribeAlarms', { AlarmNames: ['web-staging-5xx'], AlarmTypes: ['CompositeAlarm'] }),
    ];

    // Act
    const verdict = await judge(calls, roles, {
      ...OPTIONS,
      acceptDenied: [
        { match: 'DescribeAlarms *', reason: 'a composite alarm left to its events when AWS refuses to describe it' },
      ],
    });

    // Assess
    expect(verdict.denied).toEqual([]);
    expect(verdict.accepted).toEqual([
      `worker → CloudWatch DescribeAlarms *: ImplicitlyDenied (cloudwatch:DescribeAlarms, composite alarms are described only with the action on *; granted only on ${alarm}, not on *) — accepted: a composite alarm left to its events when AWS refuses to describe it`,
    ]);
  });

  it('reports a policy iam-simulate cannot evaluate as a failure line', async () => {
    // Prepare
    const roles = deployedRoles([homeStack([allow('ecs DescribeTaskDefinition', '*')])]);

    // Act
    const verdict = await judge([call('ECS', 'DescribeTaskDefinition', { taskDefinition: 'web:3' })], roles, OPTIONS);

    // Assess
    expect(verdict.denied).toHaveLength(1);
    expect(verdict.denied[0]).toMatch(
      /^worker → ECS DescribeTaskDefinition \*: error \(ecs:DescribeTaskDefinition; iam-simulate: policy\.errors; identityPolicyErrors: /,
    );
  });

  describe('grants no recorded call needs', () => {
    it('are reported per action, however they were granted: by name, by an action wildcard, on *', async () => {
      // Prepare
      const pipeline = `arn:aws:codepipeline:${REGION}:${HOME}:web-pipeline`;
      const roles = deployedRoles([
        homeStack([
          allow(['codepipeline:GetPipelineState', 'codepipeline:ListPipelineExecutions'], pipeline),
          allow('codedeploy:Get*', `arn:aws:codedeploy:${REGION}:${HOME}:deploymentgroup:web/web-staging`),
          allow('ecs:DescribeTaskDefinition', '*'),
          allow(['xray:PutTraceSegments', 'sqs:SendMessage'], '*'),
        ]),
      ]);
      const calls = [
        call('CodePipeline', 'GetPipelineState', { name: 'web-pipeline' }),
        call(
          'CodeDeploy',
          'GetDeployment',
          { deploymentId: 'd-1' },
          {
            output: {
              deploymentInfo: { deploymentId: 'd-1', applicationName: 'web', deploymentGroupName: 'web-staging' },
            },
          },
        ),
      ];

      // Act
      const verdict = await judge(calls, roles, {
        ...OPTIONS,
        checkUnused: ['worker'],
        ignoreActions: [{ action: 'sqs:SendMessage', reason: 'Lambda sends failed invocations to the dead letters' }],
      });

      // Assess
      expect(verdict.denied).toEqual([]);
      expect(verdict.unused).toContain(
        'worker role: codepipeline:ListPipelineExecutions granted, no recorded call needs it',
      );
      expect(verdict.unused).toContain(
        'worker role: codedeploy:GetDeploymentConfig granted (by codedeploy:Get*), no recorded call needs it',
      );
      expect(verdict.unused).toContain('worker role: ecs:DescribeTaskDefinition granted, no recorded call needs it');
      expect(verdict.unused.join('\n')).not.toMatch(/GetPipelineState|codedeploy:GetDeployment |xray|sqs/);
    });

    it('count the first of alternatives that is allowed: a second grant AWS would accept instead is reported', async () => {
      // Prepare
      const app = `arn:aws:codedeploy:${REGION}:${HOME}:application:web`;
      const roles = deployedRoles([
        homeStack([
          allow('codedeploy:CreateDeployment', `arn:aws:codedeploy:${REGION}:${HOME}:deploymentgroup:web/web-staging`),
          allow('codedeploy:GetDeploymentConfig', `arn:aws:codedeploy:${REGION}:${HOME}:deploymentconfig:*`),
          allow(['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'], app),
        ]),
      ]);
      const create = call(
        'CodeDeploy',
        'CreateDeployment',
        { applicationName: 'web', deploymentGroupName: 'web-staging', revision: { revisionType: 'AppSpecContent' } },
        { output: { deploymentId: 'd-1' } },
      );

      // Act
      const verdict = await judge([create], roles, { ...OPTIONS, checkUnused: ['worker'] });

      // Assess
      expect(verdict.denied).toEqual([]);
      expect(verdict.unused).toEqual([
        'worker role: codedeploy:GetApplicationRevision granted, no recorded call needs it',
      ]);
      expect(verdict.notes).toEqual([
        `CodeDeploy CreateDeployment arn:aws:codedeploy:${REGION}:${HOME}:deploymentconfig:CodeDeployDefault.ECSAllAtOnce: the deployment group's configuration is not in the ledger: CodeDeploy's ECS default assumed`,
      ]);
    });
  });

  describe('cfn-resolve', () => {
    it('resolves Sub, Join, Select and Split, pseudo parameters and NoValue deterministically', () => {
      // Prepare
      const template = {
        Resources: {
          Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
          Secret: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
        },
      };
      const place = { account: HOME, region: REGION, stackName: 'Opsbot' };
      const resolver = new CfnResolver(template, place);

      // Act
      const resolved = resolver.resolve({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${…} syntax, not a template literal.
        table: { 'Fn::Sub': '${Table.Arn}/index/*' },
        name: { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Table', 'Arn'] }] }] },
        url: { 'Fn::Join': ['.', ['sqs', { Ref: 'AWS::Region' }, { Ref: 'AWS::URLSuffix' }]] },
        secret: { Ref: 'Secret' },
        gone: { Ref: 'AWS::NoValue' },
      });

      // Assess
      const name = resolver.resolve({ Ref: 'Table' }) as string;
      expect(name).toMatch(/^Opsbot-Table-[A-Z0-9]{12}$/);
      expect(resolved).toEqual({
        table: `arn:aws:dynamodb:${REGION}:${HOME}:table/${name}/index/*`,
        name,
        url: `sqs.${REGION}.amazonaws.com`,
        secret: expect.stringMatching(
          new RegExp(`^arn:aws:secretsmanager:${REGION}:${HOME}:secret:Secret-[A-Za-z]{6}$`),
        ),
      });
      expect(new CfnResolver(template, place).resolve({ Ref: 'Table' })).toBe(name);
    });
  });

  describe('the synthesized stacks', () => {
    const config = parseConfig(TWO_ACCOUNT_DEPLOYS);
    const app = new App();
    const home = new OpsbotStack(app, 'Opsbot', { config, env: { account: HOME, region: REGION } });
    const access = prodAccessStack(app, config);
    const roles = deployedRoles([deployedStack(home), deployedStack(access, { region: REGION })]);
    const functionId = (prefix: string) =>
      roles.roles.flatMap((r) => r.usedBy.functions).find((id) => id.startsWith(prefix)) as string;

    it('hold the worker’s and the slack function’s roles and the access role, every policy resolved', () => {
      // Act
      const worker = roles.role(functionId('Worker'));
      const slack = roles.role(functionId('Slack'));
      const prod = roles.role(PROD_ROLE);

      // Assess
      expect(worker.arn).toMatch(new RegExp(`^arn:aws:iam::${HOME}:role/Opsbot-Worker`));
      expect(slack.arn).toMatch(new RegExp(`^arn:aws:iam::${HOME}:role/Opsbot-Slack`));
      expect(prod.account).toBe(PROD);
      for (const role of [worker, slack, prod]) {
        expect(role.identityPolicies.length).toBeGreaterThan(0);
        expect(JSON.stringify([role.identityPolicies, role.trustPolicy])).not.toMatch(/"(Fn::[A-Za-z]+|Ref)"/);
      }
      expect(worker.identityPolicies.map((p) => p.name)).toContain('AWSLambdaBasicExecutionRole');
      expect(worker.unknownManagedPolicies).toEqual([]);
    });

    it('resolve the functions’ settings to the names and ARNs their policies grant', async () => {
      // Prepare
      const env = roles.environment(functionId('Slack'));
      const handOver = call('Lambda', 'Invoke', { FunctionName: env.OPSBOT_WORKER_FUNCTION, InvocationType: 'Event' });
      const secret = call('Secrets Manager', 'GetSecretValue', { SecretId: env.SLACK_SIGNING_SECRET_ARN });

      // Act
      const verdict = await judge(
        [
          { ...handOver, caller: 'slack' },
          { ...secret, caller: 'slack' },
        ],
        roles,
        {
          ...OPTIONS,
          callerRoles: { slack: functionId('Slack') },
        },
      );

      // Assess
      expect(env.OPSBOT_WORKER_FUNCTION).toMatch(/^Opsbot-Worker/);
      expect(verdict.denied).toEqual([]);
    });

    it('let the worker reach its own resources by the settings it is deployed with', async () => {
      // Prepare
      const env = roles.environment(functionId('Worker'));
      const calls = [
        call('Lex Runtime V2', 'RecognizeText', {
          botId: env.OPSBOT_LEX_BOT_ID,
          botAliasId: env.OPSBOT_LEX_BOT_ALIAS_ID,
          localeId: env.OPSBOT_LEX_LOCALES?.split(',')[0],
          sessionId: 's-1',
          text: 'deploy web to staging',
        }),
        // Each message goes to the locale it is written in.
        ...(env.OPSBOT_LEX_LOCALES?.split(',').slice(1) ?? []).map((localeId) =>
          call('Lex Runtime V2', 'RecognizeText', {
            botId: env.OPSBOT_LEX_BOT_ID,
            botAliasId: env.OPSBOT_LEX_BOT_ALIAS_ID,
            localeId,
            sessionId: 's-1',
            text: 'web 배포해줘',
          }),
        ),
        call('SFN', 'StartExecution', { stateMachineArn: env.OPSBOT_WATCHER, name: 'd-1', input: '{}' }),
        call('DynamoDB', 'Query', { TableName: env.OPSBOT_TABLE, IndexName: 'listing' }),
        call('Secrets Manager', 'GetSecretValue', { SecretId: env.SLACK_BOT_TOKEN_SECRET_ARN }),
      ];

      // Act
      const verdict = await judge(calls, roles, { ...OPTIONS, callerRoles: { worker: functionId('Worker') } });

      // Assess
      expect(verdict.denied).toEqual([]);
    });

    it('let the worker assume the prod role with the configured external id, and act there', async () => {
      // Prepare
      const describeServices = call(
        'ECS',
        'DescribeServices',
        { cluster: 'prod', services: ['web'] },
        { account: PROD, roleArn: PROD_ROLE },
      );

      // Act
      const verdict = await judge([describeServices], roles, {
        ...OPTIONS,
        callerRoles: { worker: functionId('Worker') },
        externalIds: { [PROD_ROLE]: 'opsbot-example' },
      });

      // Assess
      expect(verdict.denied).toEqual([]);
    });
  });
});
