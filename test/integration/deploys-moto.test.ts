import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { EcrImages } from '../../integrations/aws/ecr-images.adapter';
import { AwsDeployments, type DeployTarget } from '../../integrations/aws/ecs-deployments.adapter';
import { describeMoto, fixMotoTimestamps, type Moto, startMoto } from '../support/moto';

const ACCOUNT = '123456789012';
const REPO = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/web`;

/**
 * Deploys through the real adapters, the real SDK v3 over HTTP, against moto. moto implements the ECS calls for
 * clusters, services and task definitions, CodeDeploy's applications, deployment groups and CreateDeployment /
 * GetDeployment / ListDeployments / BatchGetDeployments, and ECR's repositories and images. It lacks CodeDeploy's
 * GetDeploymentTarget and StopDeployment and ECS's service deployments (ListServiceDeployments,
 * DescribeServiceDeployments, StopServiceDeployment): those are covered with AWS's published responses in
 * test/unit/ecs-deployments.test.ts.
 */
describeMoto('deploys against moto (real SDK v3 over HTTP)', () => {
  let moto: Moto;
  let ecs: ECSClient;
  let codedeploy: CodeDeployClient;
  let ecr: ECRClient;
  const target: DeployTarget = {
    service: 'web',
    environment: 'prod',
    account: { name: 'prod', id: ACCOUNT },
    region: 'eu-west-1',
    cluster: 'prod',
    ecsService: 'web',
    container: 'web',
    codedeploy: { application: 'web', deploymentGroup: 'web-prod' },
  };

  beforeAll(async () => {
    moto = await startMoto();
    ecs = new ECSClient({ ...moto.clientConfig, maxAttempts: 1 });
    codedeploy = new CodeDeployClient({ ...moto.clientConfig, maxAttempts: 1 });
    ecr = new ECRClient({ ...moto.clientConfig, maxAttempts: 1 });
    for (const client of [ecs, codedeploy, ecr]) fixMotoTimestamps(client);
    // moto wants the network and a role before the service and the deployment group.
    const ec2 = new EC2Client(moto.clientConfig);
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc?.VpcId, CidrBlock: '10.0.1.0/24' }));
    const sg = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpc.Vpc?.VpcId }),
    );
    const role = await new IAMClient(moto.clientConfig).send(
      new CreateRoleCommand({ RoleName: 'codedeploy', AssumeRolePolicyDocument: '{}' }),
    );
    await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'web', image: `${REPO}:v1.8.1`, essential: true, portMappings: [{ containerPort: 8080 }] },
        ],
        tags: [{ key: 'team', value: 'storefront' }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'prod',
        serviceName: 'web',
        taskDefinition: 'web:1',
        desiredCount: 1,
        launchType: 'FARGATE',
        deploymentController: { type: 'CODE_DEPLOY' },
        loadBalancers: [
          {
            containerName: 'web',
            containerPort: 8080,
            targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1',
          },
        ],
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [subnet.Subnet?.SubnetId as string], securityGroups: [sg.GroupId as string] },
        },
      }),
    );
    await codedeploy.send(new CreateApplicationCommand({ applicationName: 'web', computePlatform: 'ECS' }));
    await codedeploy.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'web',
        deploymentGroupName: 'web-prod',
        serviceRoleArn: role.Role?.Arn,
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        ecsServices: [{ clusterName: 'prod', serviceName: 'web' }],
      }),
    );
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'web' }));
    for (const tag of ['v1.8.1', 'v1.8.2']) {
      await ecr.send(
        new PutImageCommand({
          repositoryName: 'web',
          imageTag: tag,
          imageManifest: JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
            config: {
              mediaType: 'application/vnd.docker.container.image.v1+json',
              size: 7023,
              digest: `sha256:${tag}`,
            },
            layers: [],
          }),
          imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const client of [ecs, codedeploy, ecr]) client?.destroy();
    await moto?.stop();
  });

  const deployments = () => new AwsDeployments([target], () => ({ ecs, codedeploy }));
  const images = () =>
    new EcrImages(
      [target],
      () => ecr,
      async (service, environment) => (await deployments().current(service, environment)).image,
    );

  it('reads what runs and through which engine', async () => {
    // Act
    const current = await deployments().current('web', 'prod');

    // Assess
    expect(current).toEqual(
      expect.objectContaining({
        version: 'v1.8.1',
        engine: 'codedeploy',
        taskDefinition: 'web:1',
        image: `${REPO}:v1.8.1`,
      }),
    );
    // Its tasks as DescribeServices counts them (moto's service asks for one).
    expect(current.tasks?.desired).toBe(1);
    expect(typeof current.tasks?.running).toBe('number');
  });

  it('finds a tag in ECR, and not one ECR does not hold', async () => {
    // Act
    const found = await images().find('web', 'prod', 'v1.8.2');
    const missing = await images().find('web', 'prod', 'v9.9.9');
    const newest = await images().newest('web', 'prod', 5);

    // Assess
    expect(found?.tag).toBe('v1.8.2');
    expect(found?.digest).toMatch(/^sha256:/);
    expect(missing).toBeUndefined();
    expect(newest.map((i) => i.tag).sort()).toEqual(['v1.8.1', 'v1.8.2']);
  });

  it('registers the next revision and starts a CodeDeploy deployment of it', async () => {
    // Act
    const started = await deployments().start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      requestedBy: 'U0ANA00001',
    });

    // Assess: the new revision in ECS, with only the image changed and who asked
    const revision = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:2', include: ['TAGS'] }));
    expect(revision.taskDefinition?.containerDefinitions?.[0]?.image).toBe(`${REPO}:v1.8.2`);
    expect(revision.taskDefinition?.cpu).toBe('256');
    expect(revision.tags).toEqual(
      expect.arrayContaining([
        { key: 'team', value: 'storefront' },
        { key: 'opsbot:requested-by', value: 'U0ANA00001' },
      ]),
    );
    // …and the deployment in CodeDeploy, naming who asked
    const deployment = await codedeploy.send(new GetDeploymentCommand({ deploymentId: started.id }));
    expect(deployment.deploymentInfo?.description).toBe('opsbot: v1.8.2 for U0ANA00001');
    expect(started).toEqual(
      expect.objectContaining({ engine: 'codedeploy', version: 'v1.8.2', previousVersion: 'v1.8.1' }),
    );
    // History, read afresh, tells what the deployment replaced (a rollback redeploys it) from the revision's tags.
    const history = await deployments().history('web', 'prod', 5);
    expect(history.map((d) => [d.id, d.previousVersion, d.version, d.requestedBy])).toEqual([
      [started.id, 'v1.8.1', 'v1.8.2', 'U0ANA00001'],
    ]);
  });
});
