import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  type DeploymentInfo,
  type ECSTarget,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  type ServiceDeployment,
  StopServiceDeploymentCommand,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { codeDeployProgress, ECS_STAGES, ecsProgress } from '../../integrations/aws/deploy-progress';
import { AwsDeployments, appSpec, type DeployTarget } from '../../integrations/aws/ecs-deployments.adapter';
import type { Gate } from '../../integrations/deployments.port';
import { isOpsbotError } from '../../integrations/errors';
import { describeShared, sharedJson } from '../support/fixtures';
import { asSdkOutput } from '../support/sdk-output';

const REPO = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/web';
const TARGET: DeployTarget = {
  service: 'web',
  environment: 'prod',
  account: { name: 'prod', id: '111111111111' },
  region: 'eu-west-1',
  cluster: 'prod',
  ecsService: 'web',
  container: 'web',
  codedeploy: { application: 'web', deploymentGroup: 'web-prod' },
  hooks: { AfterAllowTestTraffic: 'web-smoke-test' },
};

/** A running task definition as DescribeTaskDefinition returns it, read-only fields and all. */
const RUNNING: TaskDefinition = {
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:41',
  family: 'web',
  revision: 41,
  status: 'ACTIVE',
  taskRoleArn: 'arn:aws:iam::111111111111:role/web-task',
  executionRoleArn: 'arn:aws:iam::111111111111:role/ecsTaskExecutionRole',
  networkMode: 'awsvpc',
  containerDefinitions: [
    {
      name: 'web',
      image: `${REPO}:v1.8.1`,
      essential: true,
      portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
      environment: [{ name: 'NODE_ENV', value: 'production' }],
      secrets: [{ name: 'DB_URL', valueFrom: 'arn:aws:ssm:eu-west-1:111111111111:parameter/web/db' }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } },
    },
    { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29', essential: true },
  ],
  volumes: [],
  placementConstraints: [],
  requiresCompatibilities: ['FARGATE'],
  compatibilities: ['EC2', 'FARGATE'],
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.task-iam-role' }],
  cpu: '512',
  memory: '1024',
  runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
  ephemeralStorage: { sizeInGiB: 30 },
  registeredAt: new Date('2026-11-20T10:00:00Z'),
  registeredBy: 'arn:aws:sts::111111111111:assumed-role/deployer/ci',
};

function service(controller: 'CODE_DEPLOY' | 'ECS' | 'EXTERNAL', strategy?: string): Service {
  return {
    serviceName: 'web',
    status: 'ACTIVE',
    taskDefinition: RUNNING.taskDefinitionArn,
    deploymentController: { type: controller },
    ...(strategy !== undefined && { deploymentConfiguration: { strategy: strategy as 'LINEAR' } }),
    loadBalancers: [{ containerName: 'web', containerPort: 8080, targetGroupArn: 'arn:tg/blue' }],
  };
}

function setup(controller: 'CODE_DEPLOY' | 'ECS' | 'EXTERNAL' = 'CODE_DEPLOY', strategy?: string) {
  const ecs = mockClient(ECSClient);
  const codedeploy = mockClient(CodeDeployClient);
  ecs.on(DescribeServicesCommand).resolves({ services: [service(controller, strategy)] });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: RUNNING,
    tags: [{ key: 'team', value: 'storefront' }],
  });
  ecs.on(RegisterTaskDefinitionCommand).resolves({
    taskDefinition: {
      ...RUNNING,
      revision: 42,
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:42',
    },
  });
  const deployments = new AwsDeployments(
    [TARGET],
    () => ({ ecs: new ECSClient({ region: 'eu-west-1' }), codedeploy: new CodeDeployClient({ region: 'eu-west-1' }) }),
    () => Date.parse('2026-11-23T09:00:00Z'),
    async () => undefined,
  );
  return { ecs, codedeploy, deployments };
}

afterEach(() => {
  mockClient(ECSClient).restore();
  mockClient(CodeDeployClient).restore();
});

describe('deploys against AWS (aws-sdk-client-mock)', () => {
  it('registers the next revision with only the container’s image changed and no read-only field', async () => {
    // Prepare
    const { ecs, codedeploy, deployments } = setup();
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW000001' });
    codedeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: 'd-NEW000001', status: 'Created' } });

    // Act
    await deployments.start({ service: 'web', environment: 'prod', version: 'v1.8.2', requestedBy: 'U0ANA00001' });

    // Assess
    const input = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    const {
      taskDefinitionArn,
      revision,
      status,
      compatibilities,
      requiresAttributes,
      registeredAt,
      registeredBy,
      ...kept
    } = RUNNING;
    void [taskDefinitionArn, revision, status, compatibilities, requiresAttributes, registeredAt, registeredBy];
    expect(input).toEqual({
      ...kept,
      containerDefinitions: [
        { ...RUNNING.containerDefinitions?.[0], image: `${REPO}:v1.8.2` },
        RUNNING.containerDefinitions?.[1],
      ],
      tags: [
        { key: 'team', value: 'storefront' },
        { key: 'opsbot:requested-by', value: 'U0ANA00001' },
        { key: 'opsbot:version', value: 'v1.8.2' },
        { key: 'opsbot:previous-version', value: 'v1.8.1' },
      ],
    });
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({
      taskDefinition: RUNNING.taskDefinitionArn,
      include: ['TAGS'],
    });
  });

  it('registers a revision ECS accepts from one CloudFormation tagged, and says which tags it left out', async () => {
    // Prepare: the running revision carries CloudFormation's tags; ECS refuses keys starting with aws:
    const { ecs, codedeploy, deployments } = setup();
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: RUNNING,
      tags: [
        { key: 'team', value: 'storefront' },
        { key: 'aws:cloudformation:stack-name', value: 'web-prod' },
      ],
    });
    ecs.on(RegisterTaskDefinitionCommand).callsFake((input: { tags?: Array<{ key?: string }> }) => {
      if ((input.tags ?? []).some((t) => /^aws:/i.test(t.key ?? '')))
        throw Object.assign(new Error('Invalid tag key. The aws: prefix is reserved for AWS use.'), {
          name: 'InvalidParameterException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      if ((input.tags ?? []).length > 50)
        throw Object.assign(new Error('Too many tags.'), { name: 'InvalidParameterException', $fault: 'client' });
      return {
        taskDefinition: {
          ...RUNNING,
          revision: 42,
          taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:42',
        },
      };
    });
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW000001' });
    codedeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: 'd-NEW000001', status: 'Created' } });

    // Act
    const current = await deployments.current('web', 'prod');
    const started = await deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      requestedBy: 'U0ANA00001',
    });

    // Assess
    expect(current.tagsLeftOut).toEqual(['aws:cloudformation:stack-name']);
    expect(started.id).toBe('d-NEW000001');
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input.tags?.map((t) => t.key)).toEqual([
      'team',
      'opsbot:requested-by',
      'opsbot:version',
      'opsbot:previous-version',
    ]);
  });

  it('does not create a second CodeDeploy deployment when CreateDeployment failed on AWS’s side after creating one', async () => {
    // Prepare: CreateDeployment answers 503, yet CodeDeploy lists the deployment opsbot asked for
    const { codedeploy, deployments } = setup();
    const fault = Object.assign(new Error('Service Unavailable'), {
      name: 'ServiceUnavailableException',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    });
    codedeploy.on(CreateDeploymentCommand).rejects(fault);
    codedeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-OTHER0001', 'd-OURS00001'] });
    codedeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [
        { deploymentId: 'd-OTHER0001', description: 'opsbot: v1.8.0 for U0BEN00001' },
        { deploymentId: 'd-OURS00001', description: 'opsbot: v1.8.2 for U0ANA00001' },
      ],
    });
    codedeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: 'd-OURS00001', status: 'Created' } });

    // Act
    const started = await deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      requestedBy: 'U0ANA00001',
    });

    // Assess
    expect(started.id).toBe('d-OURS00001');
    expect(codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
  });

  it('asks CodeDeploy again, once, when a CreateDeployment that failed on AWS’s side created nothing', async () => {
    // Prepare
    const { codedeploy, deployments } = setup();
    codedeploy
      .on(CreateDeploymentCommand)
      .rejectsOnce(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))
      .resolves({ deploymentId: 'd-NEW000001' });
    codedeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
    codedeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: 'd-NEW000001', status: 'Created' } });

    // Act
    const started = await deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      requestedBy: 'U0ANA00001',
    });

    // Assess
    expect(started.id).toBe('d-NEW000001');
    expect(codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(2);
  });

  it('deploys a digest by digest', async () => {
    // Prepare
    const { ecs, codedeploy, deployments } = setup();
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW000001' });
    codedeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: 'd-NEW000001', status: 'Created' } });
    const digest = `sha256:${'a'.repeat(64)}`;

    // Act
    await deployments.start({ service: 'web', environment: 'prod', version: digest, requestedBy: 'U0ANA00001' });

    // Assess
    const input = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    expect(input?.containerDefinitions?.[0]?.image).toBe(`${REPO}@${digest}`);
  });

  it('runs a tag by the digest its Confirm card showed, and still names the tag as the version running', async () => {
    // Prepare
    const { ecs, codedeploy, deployments } = setup();
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW000001' });
    codedeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: 'd-NEW000001', status: 'Created' } });
    const digest = `sha256:${'b'.repeat(64)}`;

    // Act
    await deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      digest,
      requestedBy: 'U0ANA00001',
    });
    const input = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    // …and once that revision runs, what it reports
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { ...RUNNING, containerDefinitions: input?.containerDefinitions },
      tags: input?.tags,
    });
    const now = await deployments.current('web', 'prod');

    // Assess
    expect(input?.containerDefinitions?.[0]?.image).toBe(`${REPO}@${digest}`);
    expect(input?.tags).toEqual(expect.arrayContaining([{ key: 'opsbot:version', value: 'v1.8.2' }]));
    expect([now.image, now.version]).toEqual([`${REPO}@${digest}`, 'v1.8.2']);
  });

  it('starts a CodeDeploy deployment with an AppSpec naming the new revision, the load balancer and the hooks', async () => {
    // Prepare
    const { codedeploy, deployments } = setup();
    codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW000001' });
    codedeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: { deploymentId: 'd-NEW000001', status: 'Created', createTime: new Date('2026-11-23T09:00:01Z') },
    });

    // Act
    const started = await deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      requestedBy: 'U0ANA00001',
    });

    // Assess
    const input = codedeploy.commandCalls(CreateDeploymentCommand)[0]?.args[0].input;
    expect(input).toEqual({
      applicationName: 'web',
      deploymentGroupName: 'web-prod',
      description: 'opsbot: v1.8.2 for U0ANA00001',
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: expect.any(String) } },
    });
    expect(JSON.parse(input?.revision?.appSpecContent?.content as string)).toEqual({
      version: 0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: {
              TaskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:42',
              LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 },
            },
          },
        },
      ],
      Hooks: [{ AfterAllowTestTraffic: 'web-smoke-test' }],
    });
    expect(started).toEqual(
      expect.objectContaining({
        id: 'd-NEW000001',
        engine: 'codedeploy',
        status: 'InProgress',
        step: 'Created',
        version: 'v1.8.2',
        previousVersion: 'v1.8.1',
        requestedBy: 'U0ANA00001',
      }),
    );
  });

  it('refuses a service with an EXTERNAL controller, plainly', async () => {
    // Prepare
    const { deployments, ecs } = setup('EXTERNAL');

    // Act
    const failed = await deployments
      .start({ service: 'web', environment: 'prod', version: 'v1.8.2', requestedBy: 'U0ANA00001' })
      .catch((e: unknown) => e);

    // Assess
    expect(isOpsbotError(failed) && failed.userMessage).toContain("opsbot can't deploy web in prod");
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('names the role it may not pass when RegisterTaskDefinition is denied iam:PassRole', async () => {
    // Prepare
    const { ecs, deployments } = setup();
    ecs
      .on(RegisterTaskDefinitionCommand)
      .rejects(
        Object.assign(
          new Error(
            'User: arn:aws:sts::111111111111:assumed-role/opsbot/worker is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111111111111:role/web-task',
          ),
          { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } },
        ),
      );

    // Act
    const failed = await deployments
      .start({ service: 'web', environment: 'prod', version: 'v1.8.2', requestedBy: 'U0ANA00001' })
      .catch((e: unknown) => e);

    // Assess
    expect(isOpsbotError(failed) && failed.userMessage).toBe(
      'opsbot may not pass arn:aws:iam::111111111111:role/web-task to ECS (iam:PassRole), so the new revision of web in prod (account prod, eu-west-1) was not registered.',
    );
  });

  it('names the deployment group CodeDeploy does not have, and where to fix it', async () => {
    // Prepare
    const { codedeploy, deployments } = setup();
    codedeploy
      .on(CreateDeploymentCommand)
      .rejects(Object.assign(new Error('No Deployment Group found'), { name: 'DeploymentGroupDoesNotExistException' }));

    // Act
    const failed = await deployments
      .start({ service: 'web', environment: 'prod', version: 'v1.8.2', requestedBy: 'U0ANA00001' })
      .catch((e: unknown) => e);

    // Assess
    expect(isOpsbotError(failed) && [failed.userMessage, failed.hint]).toEqual([
      'CodeDeploy has no deployment group web-prod in application web for web in prod (account prod, eu-west-1).',
      'Check `codedeploy` under services.web.environments.prod in opsbot.config.yaml.',
    ]);
  });

  it('says CodeDeploy no longer knows a deployment, so the run watching it can end', async () => {
    // Prepare: the deployment is gone (its application deleted), as GetDeployment answers for an unknown id
    const { codedeploy, deployments } = setup();
    codedeploy.on(GetDeploymentCommand).rejects(
      Object.assign(new Error('The deployment d-GONE12345 could not be found'), {
        name: 'DeploymentDoesNotExistException',
      }),
    );

    // Act
    const failed = await deployments.get('web', 'prod', 'd-GONE12345').catch((e: unknown) => e);

    // Assess
    expect(isOpsbotError(failed) && [failed.code, failed.userMessage]).toEqual([
      'UNKNOWN_DEPLOYMENT',
      'CodeDeploy does not know that deployment of web in prod (account prod, eu-west-1).',
    ]);
  });

  it('says a deployment is already in progress when CodeDeploy refuses another', async () => {
    // Prepare
    const { codedeploy, deployments } = setup();
    codedeploy
      .on(CreateDeploymentCommand)
      .rejects(
        Object.assign(new Error('already has an active Deployment'), { name: 'DeploymentLimitExceededException' }),
      );

    // Act
    const failed = await deployments
      .start({ service: 'web', environment: 'prod', version: 'v1.8.2', requestedBy: 'U0ANA00001' })
      .catch((e: unknown) => e);

    // Assess
    expect(isOpsbotError(failed) && failed.code).toBe('DEPLOYMENT_IN_PROGRESS');
  });

  it('deploys an ECS linear service through UpdateService and finds its service deployment', async () => {
    // Prepare
    const { ecs, codedeploy, deployments } = setup('ECS', 'LINEAR');
    const arn = 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/web/abc123';
    const other = 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/web/someone-else';
    ecs.on(UpdateServiceCommand).resolves({});
    // Nothing running before; then two deployments since the update: someone else's, and the one for opsbot's revision.
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    ecs
      .on(ListServiceDeploymentsCommand, {
        cluster: 'prod',
        service: 'web',
        createdAt: { after: new Date(Date.parse('2026-11-23T09:00:00Z') - 60_000) },
      })
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: other }, { serviceDeploymentArn: arn }] });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: other, status: 'IN_PROGRESS', targetServiceRevision: { arn: 'rev/other' } },
        {
          serviceDeploymentArn: arn,
          status: 'IN_PROGRESS',
          lifecycleStage: 'SCALE_UP',
          createdAt: new Date('2026-11-23T09:00:02Z'),
          targetServiceRevision: { arn: 'rev/ours', requestedTaskCount: 4, runningTaskCount: 1, pendingTaskCount: 3 },
        },
      ],
    });
    ecs
      .on(DescribeServiceRevisionsCommand, { serviceRevisionArns: ['rev/other'] })
      .resolves({ serviceRevisions: [{ taskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:7' }] })
      .on(DescribeServiceRevisionsCommand, { serviceRevisionArns: ['rev/ours'] })
      .resolves({
        serviceRevisions: [{ taskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:42' }],
      });

    // Act
    const started = await deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      requestedBy: 'U0ANA00001',
    });

    // Assess
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({
      cluster: 'prod',
      service: 'web',
      taskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:42',
    });
    expect(codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    expect(started).toEqual(
      expect.objectContaining({
        id: arn,
        engine: 'ecs-linear',
        step: 'InstallingGreen',
        tasks: { running: 1, pending: 3, desired: 4 },
      }),
    );
  });

  it('reads CodeDeploy’s history over every page of the last 30 days, newest first whatever the listing order', async () => {
    // Prepare
    const { codedeploy, deployments } = setup('CODE_DEPLOY');
    codedeploy
      .on(ListDeploymentsCommand)
      .resolves({ deployments: ['d-OLD'], nextToken: 'p2' })
      .on(ListDeploymentsCommand, { nextToken: 'p2' })
      .resolves({ deployments: ['d-NEW'] });
    codedeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [
        {
          deploymentId: 'd-OLD',
          status: 'Succeeded',
          createTime: new Date('2026-11-01T00:00:00Z'),
          description: 'opsbot: v1.7.0 for U1',
        },
        {
          deploymentId: 'd-NEW',
          status: 'Succeeded',
          createTime: new Date('2026-11-20T00:00:00Z'),
          description: 'opsbot: v1.8.0 for U2',
        },
      ],
    });
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: {} });

    // Act
    const history = await deployments.history('web', 'prod', 1);

    // Assess
    expect(history.map((d) => [d.id, d.version, d.requestedBy])).toEqual([['d-NEW', 'v1.8.0', 'U2']]);
    expect(codedeploy.commandCalls(ListDeploymentsCommand)[0]?.args[0].input.createTimeRange).toEqual({
      start: new Date(Date.parse('2026-11-23T09:00:00Z') - 30 * 86_400_000),
    });
  });

  it('reads an ECS service’s history back from its revisions: version, what it replaced, who asked', async () => {
    // Prepare
    const { ecs, deployments } = setup('ECS', 'CANARY');
    const arn = 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/web/old1';
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: arn }] });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: arn,
          status: 'SUCCESSFUL',
          targetServiceRevision: { arn: 'arn:aws:ecs:eu-west-1:111111111111:service-revision/prod/web/r2' },
        },
      ],
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [{ taskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:42' }],
    });
    ecs
      .on(DescribeTaskDefinitionCommand, {
        taskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:42',
      })
      .resolves({
        taskDefinition: { ...RUNNING, revision: 42 },
        tags: [
          { key: 'opsbot:version', value: 'v1.8.2' },
          { key: 'opsbot:previous-version', value: 'v1.8.1' },
          { key: 'opsbot:requested-by', value: 'U0ANA00001' },
        ],
      });

    // Act
    const [last] = await deployments.history('web', 'prod', 5);

    // Assess
    expect(last).toEqual(
      expect.objectContaining({
        engine: 'ecs-canary',
        status: 'Succeeded',
        version: 'v1.8.2',
        previousVersion: 'v1.8.1',
        requestedBy: 'U0ANA00001',
      }),
    );
  });

  it('asks ECS about no service whose cluster is not configured, where its role may read nothing', async () => {
    // Prepare: web in prod configured, api in prod without a cluster (as in the example configuration)
    const ecs = mockClient(ECSClient);
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    const codedeploy = mockClient(CodeDeployClient);
    codedeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
    const deployments = new AwsDeployments(
      [TARGET, { ...TARGET, service: 'api', ecsService: 'api', container: 'api', cluster: '', codedeploy: undefined }],
      () => ({
        ecs: new ECSClient({ region: 'eu-west-1' }),
        codedeploy: new CodeDeployClient({ region: 'eu-west-1' }),
      }),
    );

    // Act
    const active = await deployments.active();

    // Assess
    expect(active).toEqual([]);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(0);
    expect(codedeploy.commandCalls(ListDeploymentsCommand)).toHaveLength(1);
  });

  it('refuses a second deploy while ECS is still deploying the service, before registering anything', async () => {
    // Prepare
    const { ecs, deployments } = setup('ECS', 'LINEAR');
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: 'arn:aws:ecs:x' }] });

    // Act
    const failed = await deployments
      .start({ service: 'web', environment: 'prod', version: 'v1.8.2', requestedBy: 'U0ANA00001' })
      .catch((e: unknown) => e);

    // Assess
    expect(isOpsbotError(failed) && failed.code).toBe('DEPLOYMENT_IN_PROGRESS');
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)[0]?.args[0].input.status).toEqual([
      'PENDING',
      'IN_PROGRESS',
      'STOP_REQUESTED',
      'ROLLBACK_REQUESTED',
      'ROLLBACK_IN_PROGRESS',
    ]);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('stops with rollback on either engine', async () => {
    // Prepare
    const { ecs, codedeploy, deployments } = setup('CODE_DEPLOY');
    codedeploy.on(StopDeploymentCommand).resolves({ status: 'Pending' });
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { deploymentId: 'd-1', status: 'InProgress' } });
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: {} });
    ecs.on(StopServiceDeploymentCommand).resolves({});
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ serviceDeploymentArn: 'arn:aws:ecs:x', status: 'ROLLBACK_REQUESTED' }],
    });

    // Act
    const viaCodeDeploy = await deployments.stop('web', 'prod', 'd-1', { rollback: true, reason: 'alarm', by: 'U1' });
    const viaEcs = await deployments.stop('web', 'prod', 'arn:aws:ecs:x', { rollback: true, reason: 'alarm' });

    // Assess
    expect(codedeploy.commandCalls(StopDeploymentCommand)[0]?.args[0].input).toEqual({
      deploymentId: 'd-1',
      autoRollbackEnabled: true,
    });
    expect(ecs.commandCalls(StopServiceDeploymentCommand)[0]?.args[0].input).toEqual({
      serviceDeploymentArn: 'arn:aws:ecs:x',
      stopType: 'ROLLBACK',
    });
    expect(viaCodeDeploy.stoppedBy).toBe('U1');
    expect(viaEcs.step).toBe('RollingBack');
  });

  it('says plainly that a deployment ECS has not listed yet cannot be stopped yet, and asks ECS nothing', async () => {
    // Prepare: started, not listed by ECS within the start's looks
    const { ecs, deployments } = setup('ECS', 'LINEAR');
    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    const started = await deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      requestedBy: 'U1',
    });

    // Act
    const stop = deployments.stop('web', 'prod', started.id, { rollback: true, reason: 'alarm' });

    // Assess
    expect([started.status, started.step]).toEqual(['InProgress', 'Created']);
    await expect(stop).rejects.toMatchObject({ code: 'DEPLOYMENT_NOT_LISTED' });
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });

  it('stops an ECS service deployment only by rolling it back, the one stop type AWS documents', async () => {
    // Prepare
    const { ecs, deployments } = setup('ECS', 'LINEAR');

    // Act
    const halfWay = deployments.stop('web', 'prod', 'arn:aws:ecs:x', { rollback: false, reason: 'stop' });

    // Assess
    await expect(halfWay).rejects.toMatchObject({ code: 'STOP_NEEDS_ROLLBACK' });
    expect(ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
  });

  it('reads a gate on either engine and answers it with the engine’s own call', async () => {
    // Prepare: an ECS PAUSE hook awaiting action, and a CodeDeploy deployment ready and waiting to reroute
    const { ecs, codedeploy, deployments } = setup('ECS', 'BLUE_GREEN');
    const expiresAt = new Date('2026-11-23T10:00:00Z');
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: 'arn:aws:ecs:x',
          status: 'IN_PROGRESS',
          lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
          lifecycleHookDetails: [
            { hookId: 'hook-1', targetType: 'AWS_LAMBDA', status: 'SUCCEEDED' },
            { hookId: 'hook-2', targetType: 'PAUSE', status: 'AWAITING_ACTION', expiresAt, timeoutAction: 'ROLLBACK' },
          ],
        },
      ],
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [] });
    ecs.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: 'arn:aws:ecs:x' });
    codedeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: {
        deploymentId: 'd-1',
        status: 'Ready',
        blueGreenDeploymentConfiguration: {
          deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
        },
      },
    });
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: {} });
    codedeploy.on(ContinueDeploymentCommand).resolves({});
    codedeploy.on(StopDeploymentCommand).resolves({ status: 'Pending' });

    // Act
    const paused = await deployments.get('web', 'prod', 'arn:aws:ecs:x');
    const ready = await deployments.get('web', 'prod', 'd-1');
    await deployments.proceed('web', 'prod', 'arn:aws:ecs:x', paused.gate as Gate, 'continue');
    await deployments.proceed('web', 'prod', 'd-1', ready.gate as Gate, 'continue');
    await deployments.proceed('web', 'prod', 'd-1', ready.gate as Gate, 'rollback');

    // Assess
    expect(paused.gate).toEqual({
      id: 'hook-2',
      kind: 'ecs-pause-hook',
      expiresAt: expiresAt.getTime(),
      onTimeout: 'rollback',
    });
    expect(ready.gate).toEqual({ id: 'd-1', kind: 'codedeploy-ready-wait', waitMinutes: 60, onTimeout: 'stop' });
    expect(ready.step).toBe('TestTraffic');
    expect(ecs.commandCalls(ContinueServiceDeploymentCommand)[0]?.args[0].input).toEqual({
      serviceDeploymentArn: 'arn:aws:ecs:x',
      hookId: 'hook-2',
      action: 'CONTINUE',
    });
    expect(codedeploy.commandCalls(ContinueDeploymentCommand)[0]?.args[0].input).toEqual({
      deploymentId: 'd-1',
      deploymentWaitType: 'READY_WAIT',
    });
    expect(codedeploy.commandCalls(StopDeploymentCommand)[0]?.args[0].input).toEqual({
      deploymentId: 'd-1',
      autoRollbackEnabled: true,
    });
  });

  it('says why the new revision’s tasks would not start when ECS rolled a deployment back', async () => {
    // Prepare: the newest stopped task is an old one ECS drained; the new revision's failed to pull
    const { ecs, deployments } = setup('ECS', 'BLUE_GREEN');
    const ours = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:42';
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: 'arn:aws:ecs:x',
          status: 'ROLLBACK_SUCCESSFUL',
          statusReason: 'Service deployment rolled back because the circuit breaker threshold was exceeded.',
          targetServiceRevision: { arn: 'arn:aws:ecs:rev/2' },
        },
      ],
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ taskDefinition: ours }] });
    ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:task/1', 'arn:aws:ecs:task/2'] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:41',
          stoppedAt: new Date('2026-11-23T09:05:00Z'),
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/123)',
        },
        {
          taskDefinitionArn: ours,
          stoppedAt: new Date('2026-11-23T09:03:00Z'),
          stopCode: 'TaskFailedToStart',
          stoppedReason:
            'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111111111111.dkr.ecr.eu-west-1.amazonaws.com/web:v9.9.9: not found',
        },
      ],
    });

    // Act
    const d = await deployments.get('web', 'prod', 'arn:aws:ecs:x');

    // Assess
    expect(d.step).toBe('RolledBack');
    expect(d.error?.code).toBe('CannotPullContainerError');
    expect(d.reason).toContain('failed to resolve ref');
    expect(d.reason).toContain(
      '(ECS: Service deployment rolled back because the circuit breaker threshold was exceeded.)',
    );
  });
});

describeShared('the AppSpec, against AWS’s published example', () => {
  it('keeps what the running task set runs on: platform version, network, capacity providers', () => {
    // Prepare: a service whose PRIMARY task set runs as the published example's does
    const published = sharedJson<{ Resources: Array<{ TargetService: { Properties: Record<string, unknown> } }> }>(
      'ecs-appspec__aws-docs__full-with-hooks.json',
    );
    const running: Service = {
      ...service('CODE_DEPLOY'),
      loadBalancers: [{ containerName: 'web', containerPort: 80 }],
      taskSets: [
        {
          status: 'PRIMARY',
          platformVersion: 'LATEST',
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: ['subnet-1234abcd', 'subnet-5678abcd'],
              securityGroups: ['sg-12345678'],
              assignPublicIp: 'ENABLED',
            },
          },
          capacityProviderStrategy: [
            { base: 1, capacityProvider: 'FARGATE_SPOT', weight: 2 },
            { base: 0, capacityProvider: 'FARGATE', weight: 1 },
          ],
        },
      ],
    };

    // Act
    const spec = JSON.parse(
      appSpec(
        { ...TARGET, hooks: undefined } as DeployTarget,
        running,
        'arn:aws:ecs:us-east-1:111222333444:task-definition/my-task-definition-family-name:1',
      ),
    );

    // Assess: the same properties as AWS's example, container name aside
    const expected = published.Resources[0]?.TargetService.Properties as Record<string, unknown>;
    expect(spec.Resources[0].TargetService.Properties).toEqual({
      ...expected,
      LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 80 },
    });
  });
});

describeShared('deployment progress from AWS’s published responses', () => {
  const publishedTarget = () =>
    asSdkOutput<{ deploymentTarget: { ecsTarget: ECSTarget } }>(
      sharedJson('codedeploy-GetDeploymentTarget-response__ecs-target__aws-ecs-docs.json'),
    ).deploymentTarget.ecsTarget;

  it('reads a finished ECS target: traffic on the new (PRIMARY) task set, blue being terminated', () => {
    // Act
    const p = codeDeployProgress({ status: 'InProgress' }, publishedTarget());

    // Assess
    expect(p).toEqual(expect.objectContaining({ status: 'InProgress', step: 'TerminatingBlue', trafficOnGreen: 100 }));
  });

  it('reads traffic mid-shift from the replacement (ACTIVE) task set before traffic is rerouted', () => {
    // Prepare: the published target, rewound to AllowTraffic in progress with 40% on the replacement
    const target = publishedTarget();
    const events = (target.lifecycleEvents ?? []).map((e) =>
      e.lifecycleEventName === 'AllowTraffic'
        ? { ...e, status: 'InProgress' as const }
        : e.lifecycleEventName === 'AfterAllowTraffic'
          ? { ...e, status: 'Pending' as const }
          : e,
    );
    const sets = (target.taskSetsInfo ?? []).map((s) => ({
      ...s,
      trafficWeight: s.status === 'ACTIVE' ? 40 : 60,
    }));

    // Act
    const p = codeDeployProgress({ status: 'InProgress' }, { ...target, lifecycleEvents: events, taskSetsInfo: sets });

    // Assess
    expect(p).toEqual(expect.objectContaining({ step: 'ShiftingTraffic', trafficOnGreen: 40 }));
  });

  it('reads a published GetDeployment response’s status and times', () => {
    // Prepare
    const { deploymentInfo } = asSdkOutput<{ deploymentInfo: DeploymentInfo }>(
      sharedJson('codedeploy-GetDeployment-response__aws-cli-example__EC2-Server.json'),
    );

    // Act
    const p = codeDeployProgress(deploymentInfo, undefined);

    // Assess
    expect(p).toEqual(
      expect.objectContaining({
        status: 'Succeeded',
        step: 'Succeeded',
        startedAt: 1409764576589,
        endedAt: 1409764596101,
      }),
    );
  });
});

describe('deployment progress, engine by engine', () => {
  it('follows a CodeDeploy deployment that failed to its rollback, to the rollback’s end', () => {
    // Prepare
    const failed: DeploymentInfo = {
      deploymentId: 'd-1',
      status: 'Failed',
      errorInformation: { code: 'ECS_UPDATE_ERROR', message: 'The ECS service cannot reach a steady state.' },
      rollbackInfo: { rollbackDeploymentId: 'd-2', rollbackMessage: 'Deployment d-1 failed' },
      createTime: new Date('2026-11-23T09:00:00Z'),
    };

    // Act
    const during = codeDeployProgress(failed, undefined, { info: { deploymentId: 'd-2', status: 'InProgress' } });
    const after = codeDeployProgress(failed, undefined, {
      info: { deploymentId: 'd-2', status: 'Succeeded', completeTime: new Date('2026-11-23T09:06:00Z') },
    });
    const stuck = codeDeployProgress(failed, undefined, { info: { deploymentId: 'd-2', status: 'Failed' } });

    // Assess
    expect(during).toEqual(
      expect.objectContaining({ status: 'InProgress', step: 'RollingBack', rollbackDeploymentId: 'd-2' }),
    );
    expect(after).toEqual(
      expect.objectContaining({
        status: 'Failed',
        step: 'RolledBack',
        endedAt: Date.parse('2026-11-23T09:06:00Z'),
        error: { code: 'ECS_UPDATE_ERROR', message: 'The ECS service cannot reach a steady state.' },
      }),
    );
    expect(stuck).toEqual(expect.objectContaining({ status: 'Failed', step: 'Failed' }));
  });

  it('maps every ECS lifecycle stage, in order, onto opsbot’s steps', () => {
    // Act
    const steps = ECS_STAGES.map(
      (stage) =>
        ecsProgress({
          status: 'IN_PROGRESS',
          lifecycleStage: stage,
          targetServiceRevision: { requestedProductionTrafficWeight: 30 },
        } as ServiceDeployment).step,
    );

    // Assess
    expect(steps).toEqual([
      'InstallingGreen',
      'InstallingGreen',
      'InstallingGreen',
      'InstallingGreen',
      'TestTraffic',
      'TestTraffic',
      // PRE_PRODUCTION_TRAFFIC_SHIFT with 30% already on green: between two steps of a linear deployment
      'ShiftingTraffic',
      'ShiftingTraffic',
      'ShiftingTraffic',
      'Baking',
      'TerminatingBlue',
    ]);
  });

  it('shows a linear deployment paused before production traffic as green up and waiting, not as installing', () => {
    // Act: a PAUSE hook awaiting its answer at PRE_PRODUCTION_TRAFFIC_SHIFT, before the first step and before a later one
    const paused = (traffic: number) =>
      ecsProgress({
        status: 'IN_PROGRESS',
        lifecycleStage: 'PRE_PRODUCTION_TRAFFIC_SHIFT' as ServiceDeployment['lifecycleStage'],
        targetServiceRevision: { requestedProductionTrafficWeight: traffic },
        lifecycleHookDetails: [{ hookId: 'hook-1', targetType: 'PAUSE', status: 'AWAITING_ACTION' }],
      } as ServiceDeployment);

    // Assess
    expect([paused(0).step, paused(0).gate?.kind]).toEqual(['TestTraffic', 'ecs-pause-hook']);
    expect([paused(20).step, paused(20).trafficOnGreen]).toEqual(['ShiftingTraffic', 20]);
  });

  it.each([
    ['PENDING', 'InProgress', 'Created'],
    ['IN_PROGRESS', 'InProgress', 'ShiftingTraffic'],
    ['STOP_REQUESTED', 'InProgress', 'ShiftingTraffic'],
    ['SUCCESSFUL', 'Succeeded', 'Succeeded'],
    ['STOPPED', 'Stopped', 'Failed'],
    ['ROLLBACK_REQUESTED', 'InProgress', 'RollingBack'],
    ['ROLLBACK_IN_PROGRESS', 'InProgress', 'RollingBack'],
    ['ROLLBACK_SUCCESSFUL', 'Failed', 'RolledBack'],
    ['ROLLBACK_FAILED', 'Failed', 'Failed'],
  ])('reads an ECS service deployment %s as %s, %s', (ecsStatus, status, step) => {
    // Act
    const p = ecsProgress({
      status: ecsStatus,
      lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
      targetServiceRevision: { requestedProductionTrafficWeight: 30 },
    } as ServiceDeployment);

    // Assess
    expect([p.status, p.step]).toEqual([status, step]);
  });
});
