import { readFileSync } from 'node:fs';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import { prodAccessStack, TWO_ACCOUNT_DEPLOYS } from '../support/configs';

const SAR = 'https://docs.aws.amazon.com/service-authorization/latest/reference';

/**
 * The only actions opsbot's stacks may grant on `*`: those the Service Authorization Reference gives no resource type
 * for (its "Resource types" column is empty, so a policy must say `*`), each with why opsbot calls it and where that
 * is written. Three have resource types that do not fit how opsbot calls them; their reasons say so.
 */
const ALLOWED: Record<string, { readonly reason: string; readonly source: string; readonly condition?: string }> = {
  'ecs:DescribeTaskDefinition': {
    reason: 'Reads the running revision a deploy copies; no resource type.',
    source: `${SAR}/list_amazonelasticcontainerservice.html`,
  },
  ...Object.fromEntries(
    ['codedeploy:GetDeploymentTarget', 'codedeploy:StopDeployment', 'codedeploy:ContinueDeployment'].map((action) => [
      action,
      {
        reason: 'Follows, stops or reroutes a deployment of a configured group; AWS defines no resource type for it.',
        source: `${SAR}/list_awscodedeploy.html`,
      },
    ]),
  ),
  'cloudwatch:GetMetricData': {
    reason:
      'Reads what a rollback alarm watched, for its chart. Its one resource type (dataset, for OTLP metrics) is optional and is not how classic metrics are read, so classic metric data is granted on *.',
    source: `${SAR}/list_amazoncloudwatch.html`,
  },
  'ecs:ListTasks': {
    reason:
      'Its only resource type is container-instance, which Fargate tasks have none of; the statement is held to the configured clusters by the ecs:cluster condition instead.',
    source: `${SAR}/list_amazonelasticcontainerservice.html`,
    condition: 'ecs:cluster',
  },
  'ec2:DescribeInstanceStatus': {
    reason: 'The digest’s EC2 scheduled events; no resource type (only the ec2:Region condition key).',
    source: `${SAR}/list_amazonec2.html`,
  },
  'ec2:DescribeTags': {
    reason: 'Names the instances a scheduled event affects; no resource type.',
    source: `${SAR}/list_amazonec2.html`,
  },
  'rds:DescribePendingMaintenanceActions': {
    reason:
      'Lists every pending action in a region (no ResourceIdentifier); its optional db and cluster types apply only to a call that names one resource.',
    source: `${SAR}/list_amazonrds.html`,
  },
  'elasticache:DescribeUpdateActions': {
    reason:
      'Lists every service update in a region; its optional cluster and replicationgroup types apply only to a call that names them.',
    source: `${SAR}/list_amazonelasticache.html`,
  },
  'es:ListDomainNames': {
    reason: 'Finds the OpenSearch domains whose scheduled actions the digest reads; no resource type.',
    source: `${SAR}/list_amazonopensearchservice.html`,
  },
  'health:DescribeEvents': {
    reason: 'The digest’s AWS Health scheduled changes; no resource type.',
    source: `${SAR}/list_awshealthapisandnotifications.html`,
  },
  'health:DescribeEventsForOrganization': {
    reason: 'AWS Health’s organizational view (notices.organization); no resource type.',
    source: `${SAR}/list_awshealthapisandnotifications.html`,
  },
  'health:DescribeEventDetailsForOrganization': {
    reason: 'AWS Health’s organizational view; no resource type.',
    source: `${SAR}/list_awshealthapisandnotifications.html`,
  },
  'health:DescribeAffectedAccountsForOrganization': {
    reason: 'AWS Health’s organizational view; no resource type.',
    source: `${SAR}/list_awshealthapisandnotifications.html`,
  },
  'health:DescribeAffectedEntitiesForOrganization': {
    reason: 'AWS Health’s organizational view; no resource type.',
    source: `${SAR}/list_awshealthapisandnotifications.html`,
  },
  'organizations:ListAccounts': {
    reason: 'A dependent action of each of AWS Health’s organizational reads; no resource type.',
    source: `${SAR}/list_awsorganizations.html`,
  },
  // The deploy watcher's state machine: the CDK grants its log delivery and tracing (Step Functions' own guidance).
  ...Object.fromEntries(
    [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ].map((action) => [
      action,
      {
        reason:
          'Step Functions delivers the deploy watcher’s logs through CloudWatch Logs’ log delivery; no resource type.',
        source: `${SAR}/list_amazoncloudwatchlogs.html`,
      },
    ]),
  ),
  ...Object.fromEntries(
    ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'].map(
      (action) => [
        action,
        {
          reason: 'The deploy watcher’s X-Ray tracing; no resource type.',
          source: `${SAR}/list_awsx-ray.html`,
        },
      ],
    ),
  ),
};

/** The deploys of both accounts (CodeDeploy and ECS, change calendars, rollback alarms), pipelines in both, and
 * Health's organizational view. */
const RICH = `${TWO_ACCOUNT_DEPLOYS}pipelines:
  web-pipeline: { account: tools, region: eu-west-1 }
  release: { account: prod, region: eu-west-1 }
notices:
  organization: prod
`;

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: Record<string, object> };

/** Every IAM policy statement in a stack: policies, roles' inline policies, managed policies. */
function statementsOf(stack: Stack): Array<Statement & { where: string }> {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  return Object.entries(resources).flatMap(([id, r]) => {
    const documents =
      r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy'
        ? [r.Properties?.PolicyDocument]
        : r.Type === 'AWS::IAM::Role'
          ? ((r.Properties?.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []).map(
              (p) => p.PolicyDocument,
            )
          : [];
    return documents.flatMap((d) =>
      ((d as { Statement: Statement[] }).Statement ?? []).map((s) => ({ ...s, where: `${stack.stackName}/${id}` })),
    );
  });
}

describe('IAM in both stacks: `*` only for actions AWS gives no resource to scope by', () => {
  // Bundling is skipped (the `aws:cdk:bundling-stacks` context): the policies do not depend on the code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const example = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
  const rich = parseConfig(RICH);
  const stacks: Stack[] = [
    new OpsbotStack(app, 'Opsbot', { config: example }),
    prodAccessStack(app, example),
    new OpsbotStack(app, 'OpsbotRich', { config: rich }),
    prodAccessStack(
      app,
      rich,
      { engineAlarmRollback: true, env: { account: '222222222222', region: 'eu-west-1' } },
      'OpsbotAccess-rich',
    ),
  ];
  const statements = stacks.flatMap(statementsOf);
  const wildcards = statements.filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*'));

  it('grants on `*` no action outside the allow-list', () => {
    // Act
    const outside = wildcards.flatMap((s) =>
      [s.Action]
        .flat()
        .filter((a) => ALLOWED[a] === undefined)
        .map((a) => `${a} @ ${s.where}`),
    );

    // Assess
    expect(outside).toEqual([]);
  });

  it('holds an allow-listed action to its condition where the list names one', () => {
    for (const s of wildcards) {
      for (const action of [s.Action].flat()) {
        const needed = ALLOWED[action]?.condition;
        if (needed === undefined) continue;
        expect(JSON.stringify(s.Condition ?? {})).toContain(`"${needed}"`);
      }
    }
  });

  it('lists only actions the stacks grant, each with its reason and source', () => {
    // Prepare
    const granted = new Set(wildcards.flatMap((s) => [s.Action].flat()));

    // Assess: an action no longer granted on `*` leaves the list
    expect(Object.keys(ALLOWED).filter((a) => !granted.has(a))).toEqual([]);
    for (const entry of Object.values(ALLOWED)) {
      expect(entry.reason.length).toBeGreaterThan(20);
      expect(entry.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/service-authorization\/latest\/reference\//);
    }
  });
});
