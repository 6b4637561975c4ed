import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../bot/config';
import { opsbotStacks } from '../../infra/opsbot-app';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import { TWO_ACCOUNT_DEPLOYS as CONFIG, prodAccessStack } from '../support/configs';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

function statementsOf(template: Template, roleRef?: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter(
      (p) => roleRef === undefined || (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleRef),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** Resources as strings, with the partition token written as `aws`. */
function resources(statement: Statement | undefined): string[] {
  return [statement?.Resource ?? []]
    .flat()
    .map((r) =>
      typeof r === 'string'
        ? r
        : 'Fn::Join' in (r as object)
          ? (r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
              .map((x) => (typeof x === 'string' ? x : 'aws'))
              .join('')
          : JSON.stringify(r),
    );
}

function find(statements: Statement[], action: string): Statement | undefined {
  return statements.find((s) => [s.Action].flat().includes(action));
}

describe('deploy permissions: exactly the calls deploys make, on the configured services', () => {
  const config = parseConfig(CONFIG);
  const app = new App();
  const home = new OpsbotStack(app, 'Opsbot', { config });
  const access = prodAccessStack(app, config);
  const homeStatements = statementsOf(Template.fromStack(home));
  const accessStatements = statementsOf(Template.fromStack(access));

  it('scopes ECS to the configured services of the account, and CodeDeploy to their deployment groups', () => {
    expect(resources(find(homeStatements, 'ecs:UpdateService'))).toEqual([
      'arn:aws:ecs:eu-west-1:111111111111:service/staging/web',
      'arn:aws:ecs:eu-west-1:111111111111:service/staging/worker-svc',
    ]);
    // AWS authorizes these on the service as well as on its deployment or revision: both are named.
    expect(resources(find(homeStatements, 'ecs:StopServiceDeployment'))).toEqual([
      'arn:aws:ecs:eu-west-1:111111111111:service-deployment/staging/web/*',
      'arn:aws:ecs:eu-west-1:111111111111:service-deployment/staging/worker-svc/*',
      'arn:aws:ecs:eu-west-1:111111111111:service/staging/web',
      'arn:aws:ecs:eu-west-1:111111111111:service/staging/worker-svc',
    ]);
    expect(resources(find(homeStatements, 'ecs:DescribeServiceRevisions'))).toEqual([
      'arn:aws:ecs:eu-west-1:111111111111:service-revision/staging/web/*',
      'arn:aws:ecs:eu-west-1:111111111111:service-revision/staging/worker-svc/*',
      'arn:aws:ecs:eu-west-1:111111111111:service/staging/web',
      'arn:aws:ecs:eu-west-1:111111111111:service/staging/worker-svc',
    ]);
    expect(resources(find(homeStatements, 'codedeploy:CreateDeployment'))).toEqual([
      'arn:aws:codedeploy:eu-west-1:111111111111:deploymentgroup:web/web-staging',
    ]);
    expect(resources(find(accessStatements, 'ecs:UpdateService'))).toEqual([
      'arn:aws:ecs:eu-west-1:222222222222:service/prod/web',
      'arn:aws:ecs:eu-west-1:222222222222:service/prod/worker',
    ]);
    // AWS defines no resource type for StopDeployment: only `*` matches it.
    expect(resources(find(accessStatements, 'codedeploy:StopDeployment'))).toEqual(['*']);
    // CreateDeployment with overrideAlarmConfiguration (a rollback) is authorized as UpdateDeploymentGroup.
    expect(resources(find(accessStatements, 'codedeploy:UpdateDeploymentGroup'))).toEqual([
      'arn:aws:codedeploy:eu-west-1:222222222222:deploymentgroup:web/web-prod',
    ]);
    // The gates: answered on the same deployments and services only
    expect(resources(find(homeStatements, 'ecs:ContinueServiceDeployment'))).toEqual(
      resources(find(homeStatements, 'ecs:StopServiceDeployment')),
    );
    expect(resources(find(accessStatements, 'codedeploy:ContinueDeployment'))).toEqual(['*']);
  });

  it('reads each change calendar in its own account only', () => {
    expect(resources(find(homeStatements, 'ssm:GetCalendarState'))).toEqual([
      'arn:aws:ssm:eu-west-1:111111111111:document/staging-changes',
    ]);
    expect(resources(find(accessStatements, 'ssm:GetCalendarState'))).toEqual([
      'arn:aws:ssm:eu-west-1:222222222222:document/prod-changes',
    ]);
  });

  it('reads the rollback alarms’ states where they live, the metric data of their charts there, and nothing else of CloudWatch', () => {
    expect(resources(find(homeStatements, 'cloudwatch:DescribeAlarms'))).toEqual([
      'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:web-staging-5xx',
    ]);
    expect(resources(find(accessStatements, 'cloudwatch:DescribeAlarms'))).toEqual([
      'arn:aws:cloudwatch:eu-west-1:222222222222:alarm:web-prod-5xx',
      'arn:aws:cloudwatch:us-east-1:222222222222:alarm:edge-5xx',
    ]);
    const cloudwatch = [...homeStatements, ...accessStatements].flatMap((s) =>
      [s.Action].flat().filter((a) => a.startsWith('cloudwatch:')),
    );
    expect([...new Set(cloudwatch)]).toEqual(['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData']);
    // GetMetricData names no resource: granted on *, once in each role that reads alarms.
    expect(resources(find(homeStatements, 'cloudwatch:GetMetricData'))).toEqual(['*']);
    expect(resources(find(accessStatements, 'cloudwatch:GetMetricData'))).toEqual(['*']);
  });

  it('stops and rolls back only the configured deployment groups and services', () => {
    // AWS defines no resource type for StopDeployment: only `*` matches it.
    expect(resources(find(accessStatements, 'codedeploy:StopDeployment'))).toEqual(['*']);
    // CreateDeployment with overrideAlarmConfiguration (a rollback) is authorized as UpdateDeploymentGroup.
    expect(resources(find(accessStatements, 'codedeploy:UpdateDeploymentGroup'))).toEqual([
      'arn:aws:codedeploy:eu-west-1:222222222222:deploymentgroup:web/web-prod',
    ]);
    // AWS authorizes these on the service as well as on its deployment or revision: both are named.
    expect(resources(find(homeStatements, 'ecs:StopServiceDeployment'))).toEqual([
      'arn:aws:ecs:eu-west-1:111111111111:service-deployment/staging/web/*',
      'arn:aws:ecs:eu-west-1:111111111111:service-deployment/staging/worker-svc/*',
      'arn:aws:ecs:eu-west-1:111111111111:service/staging/web',
      'arn:aws:ecs:eu-west-1:111111111111:service/staging/worker-svc',
    ]);
  });

  it('sends the configured alarms’ changes to the worker, and takes the other accounts’ forwarded to its bus', () => {
    // Assess: the rule in opsbot's account, limited to the configured alarm names
    const homeTemplate = Template.fromStack(home);
    homeTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: ['edge-5xx', 'web-prod-5xx', 'web-staging-5xx'] },
      },
    });
    homeTemplate.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
        Action: 'events:PutEvents',
      },
    });
    expect(Object.keys(homeTemplate.findResources('AWS::Events::EventBusPolicy'))).toHaveLength(1);
    // Each of prod's places forwards its own alarms' changes, and only those (and those of the alarm on that
    // forwarding), to opsbot's bus: web-prod-5xx from eu-west-1, edge-5xx (named by ARN) from us-east-1.
    const placed = opsbotStacks(new App(), config, { homeAccount: '111111111111', homeRegion: 'eu-west-1' });
    const forwarded = placed.events.map((stack) => {
      const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
      return [
        stack.stackName,
        stack.region,
        Object.values(rules)
          .filter((r) => r.Properties.EventPattern.source[0] === 'aws.cloudwatch')
          .map((r) => r.Properties.EventPattern.detail.alarmName),
        Object.values(rules).map((r) => r.Properties.Targets[0].Arn),
      ];
    });
    const bus = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:111111111111:event-bus/default']],
    };
    expect(forwarded).toEqual([
      [
        'OpsbotEvents-prod-eu-west-1',
        'eu-west-1',
        [['web-prod-5xx'], ['OpsbotEvents-prod-eu-west-1-self-watch-forward-dead-letters']],
        expect.arrayContaining([bus]),
      ],
      [
        'OpsbotEvents-prod-us-east-1',
        'us-east-1',
        [['edge-5xx'], ['OpsbotEvents-prod-us-east-1-self-watch-forward-dead-letters']],
        [bus, bus],
      ],
    ]);
  });

  it('can give CodeDeploy the same alarms, with auto-rollback, so AWS rolls back while opsbot is down', () => {
    // Prepare
    const guardedApp = new App();
    const guarded = prodAccessStack(guardedApp, config, {
      engineAlarmRollback: true,
      env: { account: '222222222222', region: 'eu-west-1' },
    });

    // Act
    const template = Template.fromStack(guarded);
    const calls = Object.values(template.findResources('Custom::AWS')).map((r) => JSON.stringify(r.Properties.Create));
    const problems = new AwsSolutionsChecks(guardedApp)
      .validateScope(guarded)
      .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => JSON.stringify(r)).join(',')}`);

    // Assess: web's prod group, with its alarm in its own region (edge-5xx lives in us-east-1: opsbot's alone)
    expect(calls).toHaveLength(1);
    const call = JSON.parse(JSON.parse(calls[0] as string)) as Record<string, unknown>;
    expect(call).toMatchObject({
      service: 'CodeDeploy',
      action: 'UpdateDeploymentGroup',
      parameters: {
        applicationName: 'web',
        currentDeploymentGroupName: 'web-prod',
        alarmConfiguration: { enabled: true, alarms: [{ name: 'web-prod-5xx' }] },
        autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
      },
    });
    expect(resources(find(statementsOf(template), 'codedeploy:UpdateDeploymentGroup'))).toEqual([
      'arn:aws:codedeploy:eu-west-1:222222222222:deploymentgroup:web/web-prod',
    ]);
    expect(problems).toEqual([]);
    expect(Template.fromStack(access).findResources('Custom::AWS')).toEqual({});
  });

  it('grants the maintenance digest exactly its read calls, in opsbot’s account and through the access role', () => {
    const maintenance = (statements: Statement[]) =>
      [
        ...new Set(
          statements.flatMap((s) => [s.Action].flat()).filter((a) => /^(health|ec2|rds|elasticache|es):/.test(a)),
        ),
      ].sort();
    const reads = [
      'ec2:DescribeInstanceStatus',
      'ec2:DescribeTags',
      'elasticache:DescribeUpdateActions',
      'es:ListDomainNames',
      'es:ListScheduledActions',
      'health:DescribeAffectedEntities',
      'health:DescribeEventDetails',
      'health:DescribeEvents',
      'rds:DescribePendingMaintenanceActions',
      'rds:ListTagsForResource',
    ];
    expect(maintenance(homeStatements)).toEqual(reads);
    expect(maintenance(accessStatements)).toEqual(reads);
    expect(resources(find(accessStatements, 'rds:ListTagsForResource'))).toEqual([
      'arn:aws:rds:*:222222222222:db:*',
      'arn:aws:rds:*:222222222222:cluster:*',
    ]);
  });

  it('sends AWS Health scheduled changes to the worker, the other accounts’ forwarded by their events stacks', () => {
    Template.fromStack(home).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.health'],
        'detail-type': ['AWS Health Event'],
        detail: { eventTypeCategory: ['scheduledChange'] },
      },
    });
    const placed = opsbotStacks(new App(), config, { homeAccount: '111111111111', homeRegion: 'eu-west-1' });
    const prod = placed.events.find((stack) => stack.stackName === 'OpsbotEvents-prod-eu-west-1') as Stack;
    Template.fromStack(prod).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.health'],
        'detail-type': ['AWS Health Event'],
        detail: { eventTypeCategory: ['scheduledChange'] },
      },
      Targets: [
        {
          Arn: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:111111111111:event-bus/default']],
          },
        },
      ],
    });
  });

  it('reads images from the configured repository only: by name in the service’s account, or by URI', () => {
    expect(resources(find(homeStatements, 'ecr:DescribeImages'))).toEqual([
      'arn:aws:ecr:eu-west-1:111111111111:repository/web',
      'arn:aws:ecr:eu-west-1:111111111111:repository/worker',
    ]);
    expect(resources(find(accessStatements, 'ecr:DescribeImages'))).toEqual([
      'arn:aws:ecr:eu-west-1:222222222222:repository/worker',
      'arn:aws:ecr:eu-west-1:333333333333:repository/shared/web',
    ]);
  });

  it('refuses to guess a repository: a service deployed on AWS names the one its images come from', () => {
    // Prepare
    const config = parseConfig(CONFIG.replace('service: worker-svc, repository: worker', 'service: worker-svc'));

    // Act
    const synth = () => new OpsbotStack(new App(), 'Opsbot', { config });

    // Assess
    expect(synth).toThrow(
      "services.worker.environments.staging.repository: set the ECR repository worker's images come from (a name in account tools, eu-west-1, or a URI), so that opsbot's role may read its tags and nothing else",
    );
  });

  it('passes roles to ECS tasks only, and tags task definitions only as they are registered', () => {
    expect(find(accessStatements, 'iam:PassRole')?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    expect(find(accessStatements, 'ecs:TagResource')?.Condition).toEqual({
      StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
    });
    expect(JSON.stringify(find(accessStatements, 'ecs:ListTasks')?.Condition)).toContain(
      ':ecs:eu-west-1:222222222222:cluster/prod',
    );
  });

  it('registers task definitions only in the configured accounts and regions (every `*` is in iam-wildcards.test.ts)', () => {
    expect(resources(find(homeStatements, 'ecs:RegisterTaskDefinition'))).toEqual([
      'arn:aws:ecs:eu-west-1:111111111111:task-definition/*',
    ]);
    expect(resources(find(accessStatements, 'ecs:RegisterTaskDefinition'))).toEqual([
      'arn:aws:ecs:eu-west-1:222222222222:task-definition/*',
    ]);
  });

  it('passes cdk-nag AwsSolutions checks in both stacks', () => {
    const problems = [home, access].flatMap((stack) =>
      new AwsSolutionsChecks(app)
        .validateScope(stack)
        .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => JSON.stringify(r)).join(',')}`),
    );
    expect(problems).toEqual([]);
  });
});
