import { Aws, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { type ResolvedAccount, resolveAccount } from '../bot/accounts';
import type { OpsbotConfig } from '../bot/config';
import { alarmArn, rollbackAlarms } from './alarm-events';

/** A configured service in an environment, where it runs. */
interface Placed {
  readonly service: string;
  readonly environment: string;
  readonly account: ResolvedAccount;
  readonly region: string;
  readonly cluster?: string;
  readonly ecsService: string;
  readonly repository?: string;
  readonly codedeploy?: { readonly application: string; readonly deploymentGroup: string };
}

/**
 * The IAM statements deploys need, for exactly the calls the deployments and images adapters make, on the
 * configured services of the accounts `inAccount` selects: the ECS services (read, update, their service
 * deployments and tasks), the CodeDeploy deployment groups, the ECR repositories, and `iam:PassRole` only towards
 * ECS tasks. `DescribeTaskDefinition` takes no resource but `*`, and `ListTasks` is held to the configured clusters by
 * its `ecs:cluster` condition; everything else is scoped.
 */
export function deployStatements(config: OpsbotConfig, inAccount: (account: ResolvedAccount) => boolean) {
  return deployPolicy(config, inAccount, Aws.PARTITION);
}

/**
 * Grants the deploy statements to `grantee` and acknowledges, with its reason, each wildcard they hold for cdk-nag
 * (`AwsSolutions-IAM5`): every one is the narrowest ECS, IAM or CodeDeploy lets a policy say.
 */
export function grantDeploys(
  scope: IConstruct,
  grantee: { addToPrincipalPolicy(statement: PolicyStatement): unknown },
  config: OpsbotConfig,
  inAccount: (account: ResolvedAccount) => boolean,
): void {
  for (const statement of deployStatements(config, inAccount)) grantee.addToPrincipalPolicy(statement);
  // The same statements written with the partition as cdk-nag prints it, to name each wildcard it finds.
  const seen = new Set<string>();
  for (const statement of deployPolicy(config, inAccount, '<AWS::Partition>')) {
    for (const resource of statement.resources.filter((r) => r.includes('*'))) {
      const id = `AwsSolutions-IAM5[Resource::${resource}]`;
      if (seen.has(id)) continue;
      seen.add(id);
      Validations.of(scope).acknowledge({ id, reason: wildcardReason(resource) });
    }
  }
}

function wildcardReason(resource: string): string {
  if (resource === '*') {
    return 'ecs:DescribeTaskDefinition and CodeDeploy’s GetDeploymentTarget, StopDeployment and ContinueDeployment have no resource type (only * matches them); ecs:ListTasks is limited to the configured clusters by its ecs:cluster condition.';
  }
  if (resource.includes(':service-deployment/'))
    return 'The service deployments of one configured service: ECS names each with its own id.';
  if (resource.includes(':task/'))
    return 'Tasks of a configured cluster, read only to say why a deployment’s tasks stopped.';
  if (resource.includes(':task-definition/'))
    return 'A new revision of the service’s own task definition, whose family is read from the service at deploy time; tagged only as it is registered (ecs:CreateAction condition).';
  if (resource.includes(':role/'))
    return 'Roles are passed to ECS tasks only (iam:PassedToService condition): the task definition’s own roles, kept from the running revision.';
  if (resource.includes(':deploymentconfig:'))
    return 'CreateDeployment reads the deployment configuration its group names, whichever that is.';
  return 'Scoped to the configured services.';
}

function deployPolicy(config: OpsbotConfig, inAccount: (account: ResolvedAccount) => boolean, p: string) {
  const placed: Placed[] = Object.entries(config.services).flatMap(([service, s]) =>
    Object.entries(s.environments).map(([environment, t]) => ({
      service,
      environment,
      account: resolveAccount(config, t.account),
      region: t.region,
      ...(t.cluster !== undefined && { cluster: t.cluster }),
      ecsService: t.service ?? service,
      ...(t.repository !== undefined && { repository: t.repository }),
      ...(t.codedeploy !== undefined && { codedeploy: t.codedeploy }),
    })),
  );
  const targets = placed.filter((t) => inAccount(t.account) && t.cluster !== undefined);
  if (targets.length === 0)
    return [...calendarStatements(config, inAccount, p), ...alarmStatements(config, inAccount, p)];
  const ecs = (t: Placed, resource: string) => `arn:${p}:ecs:${t.region}:${t.account.id}:${resource}`;
  const services = unique(targets.map((t) => ecs(t, `service/${t.cluster}/${t.ecsService}`)));
  const statements = [
    new PolicyStatement({
      actions: ['ecs:DescribeServices', 'ecs:UpdateService', 'ecs:ListServiceDeployments'],
      resources: services,
    }),
    // AWS authorizes each of these on the service as well as on its deployment or revision (both resource types
    // are required in the Service Authorization Reference), so both are named.
    new PolicyStatement({
      // Continue answers a PAUSE lifecycle hook (a gate before production traffic moves).
      actions: ['ecs:DescribeServiceDeployments', 'ecs:StopServiceDeployment', 'ecs:ContinueServiceDeployment'],
      resources: unique([
        ...services,
        ...targets.map((t) => ecs(t, `service-deployment/${t.cluster}/${t.ecsService}/*`)),
      ]),
    }),
    new PolicyStatement({
      actions: ['ecs:DescribeServiceRevisions'],
      resources: unique([
        ...services,
        ...targets.map((t) => ecs(t, `service-revision/${t.cluster}/${t.ecsService}/*`)),
      ]),
    }),
    new PolicyStatement({
      actions: ['ecs:DescribeTasks'],
      resources: unique(targets.map((t) => ecs(t, `task/${t.cluster}/*`))),
    }),
    new PolicyStatement({
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': unique(targets.map((t) => ecs(t, `cluster/${t.cluster}`))) } },
    }),
    // ECS takes no narrower resource for this one.
    new PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }),
    // A new revision of the running one, in a configured account and region: its family is the service's, read then.
    new PolicyStatement({
      actions: ['ecs:RegisterTaskDefinition'],
      resources: unique(targets.map((t) => ecs(t, 'task-definition/*'))),
    }),
    // Tags on the new revision (who asked, which version) are written as it is registered, and only then.
    new PolicyStatement({
      actions: ['ecs:TagResource'],
      resources: unique(targets.map((t) => ecs(t, 'task-definition/*'))),
      conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
    }),
    // The task definition's roles are passed to ECS tasks, and to nothing else.
    new PolicyStatement({
      actions: ['iam:PassRole'],
      resources: unique(targets.map((t) => `arn:${p}:iam::${t.account.id}:role/*`)),
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
    // Versions are checked (DescribeImages), and what changes is read from an image's labels: its manifest
    // (BatchGetImage) and the address of its configuration blob (GetDownloadUrlForLayer).
    new PolicyStatement({
      actions: ['ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      resources: unique(targets.map((t) => repositoryArn(t, p))),
    }),
  ];
  const groups = targets.filter((t) => t.codedeploy !== undefined);
  if (groups.length > 0) {
    const codedeploy = (t: Placed, resource: string) => `arn:${p}:codedeploy:${t.region}:${t.account.id}:${resource}`;
    statements.push(
      new PolicyStatement({
        actions: [
          'codedeploy:CreateDeployment',
          'codedeploy:GetDeployment',
          'codedeploy:ListDeployments',
          'codedeploy:BatchGetDeployments',
          // CreateDeployment with overrideAlarmConfiguration (a rollback, which the group's own alarms must not
          // stop) is authorized as UpdateDeploymentGroup: AWS offers no narrower permission.
          'codedeploy:UpdateDeploymentGroup',
        ],
        resources: unique(
          groups.map((t) =>
            codedeploy(t, `deploymentgroup:${t.codedeploy?.application}/${t.codedeploy?.deploymentGroup}`),
          ),
        ),
      }),
      // AWS defines no resource type for these three (Service Authorization Reference: only `*` matches them); the
      // deployment ids opsbot passes are those of the configured groups, read back from them.
      new PolicyStatement({
        actions: [
          'codedeploy:GetDeploymentTarget',
          'codedeploy:StopDeployment',
          // Reroutes traffic for a deployment group that waits (READY_WAIT) once someone says so.
          'codedeploy:ContinueDeployment',
        ],
        resources: ['*'],
      }),
      // CreateDeployment also reads the group's deployment configuration and records the AppSpec revision.
      new PolicyStatement({
        actions: ['codedeploy:GetDeploymentConfig'],
        resources: unique(groups.map((t) => codedeploy(t, 'deploymentconfig:*'))),
      }),
      new PolicyStatement({
        actions: ['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'],
        resources: unique(groups.map((t) => codedeploy(t, `application:${t.codedeploy?.application}`))),
      }),
    );
  }
  statements.push(...calendarStatements(config, inAccount, p), ...alarmStatements(config, inAccount, p));
  return statements;
}

const unique = (values: string[]) => [...new Set(values)].sort();

/** `ssm:GetCalendarState` on the change calendars environments follow in the selected accounts (freezes). */
function calendarStatements(config: OpsbotConfig, inAccount: (account: ResolvedAccount) => boolean, p: string) {
  const home = Object.entries(config.accounts).find(([, a]) => a.roleArn === undefined);
  const calendars = Object.values(config.environments).flatMap((e) => {
    const c = e.changeCalendar;
    if (c === undefined) return [];
    const account: ResolvedAccount =
      c.account !== undefined
        ? resolveAccount(config, c.account)
        : home !== undefined
          ? { name: home[0], ...home[1] }
          : { name: 'opsbot', id: Aws.ACCOUNT_ID };
    if (!inAccount(account)) return [];
    return [c.name.startsWith('arn:') ? c.name : `arn:${p}:ssm:${c.region}:${account.id}:document/${c.name}`];
  });
  return calendars.length === 0
    ? []
    : [new PolicyStatement({ actions: ['ssm:GetCalendarState'], resources: unique(calendars) })];
}

/**
 * `cloudwatch:DescribeAlarms` on the configured rollback alarms in the selected accounts (the deploy watcher's safety
 * net under the alarm events), and `cloudwatch:GetMetricData` there for their charts. AWS answers for a composite alarm only with the action on `*`; opsbot does not ask
 * for that, so a composite alarm rolls back through its events alone.
 */
function alarmStatements(config: OpsbotConfig, inAccount: (account: ResolvedAccount) => boolean, p: string) {
  const arns = rollbackAlarms(config)
    .filter((a) => inAccount(a.account))
    .map((a) => alarmArn(a, p));
  return arns.length === 0
    ? []
    : [
        new PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: unique(arns) }),
        // The chart of what a rollback alarm watched (its notice, its line in a deploy's thread). GetMetricData names
        // no resource (AWS's service authorization reference lists none for it), so it is granted on `*`, and only
        // where rollback alarms are configured.
        new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
      ];
}

/**
 * The ECR repository a target's images come from: the configured one (a name in the target's account and region, or
 * a URI). Without one, opsbot reads the repository from the running image at deploy time, which no policy written
 * now can name: the stack refuses to guess, rather than grant a repository that may not be the service's.
 */
function repositoryArn(t: Placed, partition: string): string {
  if (t.repository === undefined) {
    throw new Error(
      `services.${t.service}.environments.${t.environment}.repository: set the ECR repository ${t.service}'s images come from (a name in account ${t.account.name}, ${t.region}, or a URI), so that opsbot's role may read its tags and nothing else`,
    );
  }
  const uri = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/.exec(t.repository);
  if (uri !== null) return `arn:${partition}:ecr:${uri[2]}:${uri[1]}:repository/${uri[3]}`;
  return `arn:${partition}:ecr:${t.region}:${t.account.id}:repository/${t.repository}`;
}
