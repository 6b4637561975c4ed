import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { OpsbotAccessStack } from '../../infra/stacks/access-stack';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import { prodAccessStack } from '../support/configs';

describe('OpsbotAccessStack: the role opsbot assumes in another account', () => {
  const config = parseConfig(
    `${readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')}\n`.replace(
      '  worker-pipeline: { account: tools, region: eu-west-1 }',
      '  worker-pipeline: { account: tools, region: eu-west-1 }\n  prod-release: { account: prod, region: eu-west-1 }',
    ),
  );
  const app = new App();
  const stack = prodAccessStack(app, config);
  const template = Template.fromStack(stack);

  it('is the configured role, trusted by opsbot’s worker role in the home account only, with the external id', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'opsbot',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
            Condition: {
              ArnLike: {
                'aws:PrincipalArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/Opsbot-Worker*']],
                },
              },
              StringEquals: { 'sts:ExternalId': 'opsbot-example' },
            },
          },
        ],
      },
    });
  });

  it('grants read and retry of the configured pipelines in this account, its rollback alarms’ states, and nothing else', () => {
    // Act
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>,
    );

    // Assess: the example configures no cluster, so no deploy grants; its prod alarms are read, and the maintenance
    // digest reads it (the forwarding of its events is each place's events stack's)
    expect(statements.map((s) => [s.Action].flat()[0])).toEqual([
      'codepipeline:GetPipelineState',
      'codepipeline:RetryStageExecution',
      'cloudwatch:DescribeAlarms',
      'cloudwatch:GetMetricData',
      'ec2:DescribeInstanceStatus',
      'rds:ListTagsForResource',
      'es:ListScheduledActions',
      'health:DescribeEvents',
      'health:DescribeEventDetails',
    ]);
    expect(template.findResources('AWS::Events::Rule')).toEqual({});
    expect(statements[0]?.Action.sort()).toEqual([
      'codepipeline:GetPipelineExecution',
      'codepipeline:GetPipelineState',
      'codepipeline:ListActionExecutions',
      'codepipeline:ListPipelineExecutions',
    ]);
    expect(JSON.stringify(statements[0]?.Resource)).toBe(
      JSON.stringify({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:eu-west-1:222222222222:prod-release']],
      }),
    );
    // Retry is authorized on the failed stage (`pipeline/stage`), in the configured pipelines only.
    expect(JSON.stringify(statements[1]?.Resource)).toBe(
      JSON.stringify({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:eu-west-1:222222222222:prod-release/*']],
      }),
    );
  });

  it('with AWS Health’s organizational view here, grants its four reads and the Organizations listing they depend on', () => {
    // Prepare
    const withOrganization = parseConfig(
      readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').replace(
        '  # organization: tools           #',
        '  organization: prod #',
      ),
    );

    // Act
    const statements = Object.values(
      Template.fromStack(prodAccessStack(new App(), withOrganization)).findResources('AWS::IAM::Policy'),
    ).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string[] | string; Resource: unknown }>);
    const health = statements.find((s) => [s.Action].flat().includes('health:DescribeEventsForOrganization'));

    // Assess: read once there for every account, not account by account
    expect([health?.Action].flat().sort()).toEqual([
      'health:DescribeAffectedAccountsForOrganization',
      'health:DescribeAffectedEntitiesForOrganization',
      'health:DescribeEventDetailsForOrganization',
      'health:DescribeEventsForOrganization',
      'organizations:ListAccounts',
    ]);
    expect(health?.Resource).toBe('*');
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('health:DescribeEvents');
  });

  it('trusts the role CloudFormation names for the Opsbot stack’s worker (<stack>-<logical id>-<suffix>)', () => {
    // Prepare
    const home = Template.fromStack(new OpsbotStack(new App(), 'Opsbot', { config }));
    const worker = Object.entries(home.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('Worker'));
    const role = worker?.[1].Properties.Role as { 'Fn::GetAtt': [string, string] } | undefined;
    const roleId = role?.['Fn::GetAtt'][0];

    // Assess: IAM ArnLike 'Opsbot-Worker*' matches the generated name
    expect(`Opsbot-${roleId}-ABC123`).toMatch(/^Opsbot-Worker/);
  });

  it('passes cdk-nag AwsSolutions checks', () => {
    // Act
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('is refused for opsbot’s own account, which needs no role', () => {
    expect(
      () => new OpsbotAccessStack(new App(), 'X', { config, accountName: 'tools', homeAccountId: '111111111111' }),
    ).toThrow('accounts.tools has no roleArn');
  });
});
