import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  RetryStageExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { DescribeInstanceStatusCommand, DescribeTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
} from '@aws-sdk/client-ecr';
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
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { DescribeUpdateActionsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import {
  DescribeAffectedAccountsForOrganizationCommand,
  DescribeAffectedEntitiesCommand,
  DescribeAffectedEntitiesForOrganizationCommand,
  DescribeEventDetailsCommand,
  DescribeEventDetailsForOrganizationCommand,
  DescribeEventsCommand,
  DescribeEventsForOrganizationCommand,
  HealthClient,
} from '@aws-sdk/client-health';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LexRuntimeV2Client, RecognizeTextCommand } from '@aws-sdk/client-lex-runtime-v2';
import { ListDomainNamesCommand, ListScheduledActionsCommand, OpenSearchClient } from '@aws-sdk/client-opensearch';
import { DescribePendingMaintenanceActionsCommand, ListTagsForResourceCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCalendarStateCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { callPlaceOf } from '../../integrations/aws/call-ledger';

/**
 * A simulated AWS for the IAM proof: every service opsbot calls answers as AWS documents, through aws-sdk-client-mock
 * stubs on the SDK classes (so opsbot's own clients, from its own factory, send them), and each answer names the
 * resources of the account and region the call went to, so that the next call opsbot builds from it (a service
 * deployment's ARN, an RDS instance's ARN) is the one AWS would see. DynamoDB is not stubbed: the Store runs on moto.
 */
export interface AwsWorld {
  /** The engine ECS reports for the service being driven: how it answers DescribeServices. */
  engine: 'codedeploy' | 'ecs';
  /** The container of the service being driven, whose image opsbot changes. */
  container: string;
  /** Tasks of the new revision stop (so opsbot reads why), or the deployment succeeds. */
  failing: boolean;
  /** The pipeline Lex hears asked about. */
  pipeline: string;
  /** Lambda refuses the next hand-over (throttled), so the slack function lets go of what it claimed. */
  refuseHandOver: boolean;
  /** The inputs of the watcher's executions started (each a poll job). */
  readonly executions: unknown[];
  /** Messages Lambda received (the jobs the slack function handed over). */
  readonly invoked: unknown[];
  restore(): void;
}

type Where = { account: string; region: string };

export function awsWorld(home: string): AwsWorld {
  const stubs: Array<{ restore(): void }> = [];
  const stub = <S extends { restore(): void }>(s: S): S => {
    stubs.push(s);
    return s;
  };
  const where = async (getClient: () => unknown): Promise<Where> => {
    const client = getClient() as { config: { region: () => Promise<string> } };
    return { account: callPlaceOf(client as object)?.account ?? home, region: await client.config.region() };
  };
  const world: AwsWorld = {
    engine: 'codedeploy',
    container: 'web',
    failing: false,
    refuseHandOver: false,
    pipeline: 'api-pipeline',
    invoked: [],
    executions: [],
    restore: () => {
      for (const s of stubs) s.restore();
    },
  };
  const future = new Date(Date.now() + 3 * 86_400_000);

  // ECS, answering for the cluster and service asked about.
  const ecs = stub(mockClient(ECSClient));
  const td = (w: Where, family: string, revision: number) =>
    `arn:aws:ecs:${w.region}:${w.account}:task-definition/${family}:${revision}`;
  const sd = (w: Where, cluster: string, service: string) =>
    `arn:aws:ecs:${w.region}:${w.account}:service-deployment/${cluster}/${service}/sd0001`;
  const sr = (w: Where, cluster: string, service: string) =>
    `arn:aws:ecs:${w.region}:${w.account}:service-revision/${cluster}/${service}/sr0042`;
  ecs.on(DescribeServicesCommand).callsFake(async (input, getClient) => {
    const w = await where(getClient);
    const name = input.services[0] as string;
    return {
      services: [
        {
          serviceName: name,
          serviceArn: `arn:aws:ecs:${w.region}:${w.account}:service/${input.cluster}/${name}`,
          clusterArn: `arn:aws:ecs:${w.region}:${w.account}:cluster/${input.cluster}`,
          status: 'ACTIVE',
          taskDefinition: td(w, name, 41),
          deploymentController: { type: world.engine === 'codedeploy' ? 'CODE_DEPLOY' : 'ECS' },
          ...(world.engine === 'ecs' && { deploymentConfiguration: { strategy: 'LINEAR' } }),
          loadBalancers: [{ containerName: world.container, containerPort: 8080, targetGroupArn: 'arn:tg/blue' }],
        },
      ],
    };
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake(async (input, getClient) => {
    const w = await where(getClient);
    const arn = String(input.taskDefinition);
    const family = /task-definition\/([^:]+)/.exec(arn)?.[1] ?? arn;
    return {
      taskDefinition: {
        taskDefinitionArn: arn,
        family,
        revision: 41,
        status: 'ACTIVE',
        taskRoleArn: `arn:aws:iam::${w.account}:role/${family}-task`,
        executionRoleArn: `arn:aws:iam::${w.account}:role/ecsTaskExecutionRole`,
        networkMode: 'awsvpc',
        containerDefinitions: [
          {
            name: world.container,
            image: `${w.account}.dkr.ecr.${w.region}.amazonaws.com/${family}:v1.8.1`,
            essential: true,
            portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
          },
        ],
        requiresCompatibilities: ['FARGATE'],
        cpu: '512',
        memory: '1024',
      },
      tags: [
        { key: 'team', value: 'storefront' },
        { key: 'opsbot:version', value: 'v1.8.1' },
        { key: 'opsbot:previous-version', value: 'v1.8.0' },
        { key: 'opsbot:requested-by', value: 'U0ANA00001' },
      ],
    };
  });
  ecs.on(RegisterTaskDefinitionCommand).callsFake(async (input, getClient) => ({
    taskDefinition: { ...input, taskDefinitionArn: td(await where(getClient), input.family, 42), revision: 42 },
  }));
  ecs.on(UpdateServiceCommand).resolves({});
  ecs.on(ListServiceDeploymentsCommand).callsFake(async (input, getClient) => {
    // Nothing running before a deploy; the deploy's own deployment once it started, and in the history.
    if (input.status !== undefined) return { serviceDeployments: [] };
    return { serviceDeployments: [{ serviceDeploymentArn: sd(await where(getClient), input.cluster, input.service) }] };
  });
  ecs.on(DescribeServiceDeploymentsCommand).callsFake(async (input) => ({
    serviceDeployments: (input.serviceDeploymentArns as string[]).map((arn) => {
      const [, region, account, cluster, service] =
        /^arn:aws:ecs:([^:]+):(\d+):service-deployment\/([^/]+)\/([^/]+)\//.exec(arn) ?? [];
      const w = { region: region ?? '', account: account ?? '' };
      return {
        serviceDeploymentArn: arn,
        serviceArn: `arn:aws:ecs:${region}:${account}:service/${cluster}/${service}`,
        status: world.failing ? 'ROLLBACK_SUCCESSFUL' : 'IN_PROGRESS',
        ...(world.failing && { statusReason: 'tasks failed to start' }),
        lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
        // Started a minute ago: an alarm now fires during it.
        createdAt: new Date(Date.now() - 60_000),
        startedAt: new Date(Date.now() - 60_000),
        targetServiceRevision: {
          arn: sr(w, cluster ?? '', service ?? ''),
          requestedTaskCount: 2,
          runningTaskCount: 1,
          pendingTaskCount: 1,
        },
        lifecycleHookDetails: [
          {
            hookId: 'hook-1',
            targetType: 'PAUSE',
            status: 'AWAITING_ACTION',
            expiresAt: future,
            timeoutAction: 'ROLLBACK',
          },
        ],
      };
    }),
  }));
  ecs.on(DescribeServiceRevisionsCommand).callsFake(async (input) => ({
    serviceRevisions: (input.serviceRevisionArns as string[]).map((arn) => {
      const [, region, account, , service] =
        /^arn:aws:ecs:([^:]+):(\d+):service-revision\/([^/]+)\/([^/]+)\//.exec(arn) ?? [];
      return {
        serviceRevisionArn: arn,
        taskDefinition: td({ region: region ?? '', account: account ?? '' }, service ?? '', 42),
      };
    }),
  }));
  ecs.on(StopServiceDeploymentCommand).resolves({});
  ecs.on(ContinueServiceDeploymentCommand).resolves({});
  ecs.on(ListTasksCommand).callsFake(async (input, getClient) => {
    const w = await where(getClient);
    return { taskArns: [`arn:aws:ecs:${w.region}:${w.account}:task/${input.cluster}/0123456789abcdef`] };
  });
  ecs.on(DescribeTasksCommand).callsFake(async (input, getClient) => {
    const w = await where(getClient);
    return {
      tasks: (input.tasks as string[]).map((taskArn) => ({
        taskArn,
        taskDefinitionArn: td(w, 'any', 42),
        lastStatus: 'STOPPED',
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
        stoppedAt: new Date(),
      })),
    };
  });

  // CodeDeploy: a deployment of the group asked for, in progress and waiting to reroute.
  const codedeploy = stub(mockClient(CodeDeployClient));
  const groups = new Map<string, { application: string; group: string }>();
  codedeploy.on(CreateDeploymentCommand).callsFake(async (input) => {
    const id = `d-${String(groups.size + 1).padStart(9, '0')}`;
    groups.set(id, { application: input.applicationName, group: input.deploymentGroupName });
    return { deploymentId: id };
  });
  const info = (id: string) => {
    const g = groups.get(id) ?? { application: 'unknown', group: 'unknown' };
    return {
      deploymentId: id,
      applicationName: g.application,
      deploymentGroupName: g.group,
      status: world.failing ? 'Failed' : 'Ready',
      createTime: new Date(Date.now() - 60_000),
      description: 'opsbot: v1.8.2 for U0ANA00001',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
      },
      ...(world.failing && {
        errorInformation: { code: 'ECS_UPDATE_ERROR', message: 'The ECS service cannot reach a steady state' },
      }),
    };
  };
  codedeploy.on(GetDeploymentCommand).callsFake(async (input) => ({ deploymentInfo: info(input.deploymentId) }));
  codedeploy.on(GetDeploymentTargetCommand).callsFake(async (input) => ({
    deploymentTarget: {
      deploymentTargetType: 'ECSTarget',
      ecsTarget: {
        deploymentId: input.deploymentId,
        targetId: input.targetId,
        status: 'Ready',
        lifecycleEvents: [
          { lifecycleEventName: 'Install', status: 'Succeeded' },
          { lifecycleEventName: 'AfterAllowTestTraffic', status: 'Succeeded' },
          { lifecycleEventName: 'BeforeAllowTraffic', status: 'Pending' },
        ],
        taskSetsInfo: [
          { identifer: 'ecs-svc/1', taskSetLabel: 'Blue', desiredCount: 2, runningCount: 2, trafficWeight: 100 },
          { identifer: 'ecs-svc/2', taskSetLabel: 'Green', desiredCount: 2, runningCount: 2, trafficWeight: 0 },
        ],
      },
    },
  }));
  codedeploy.on(StopDeploymentCommand).resolves({ status: 'Pending' });
  codedeploy.on(ContinueDeploymentCommand).resolves({});
  codedeploy.on(ListDeploymentsCommand).callsFake(async (input) => {
    const id = `d-L${String(groups.size + 1).padStart(8, '0')}`;
    groups.set(id, { application: input.applicationName, group: input.deploymentGroupName });
    return { deployments: [id] };
  });
  codedeploy.on(BatchGetDeploymentsCommand).callsFake(async (input) => ({
    deploymentsInfo: (input.deploymentIds as string[]).map((id) => ({ ...info(id), status: 'Succeeded' })),
  }));

  // ECR: every release the service's repository holds; each image's manifest, and where its configuration is (an
  // address nothing answers at: the labels are not read, the calls are made).
  const ecr = stub(mockClient(ECRClient));
  ecr.on(BatchGetImageCommand).callsFake(async (input) => ({
    images: (input.imageIds ?? []).map((id: { imageDigest?: string }) => ({
      imageId: id,
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 2 },
        layers: [],
      }),
    })),
  }));
  ecr.on(GetDownloadUrlForLayerCommand).callsFake(async (input) => ({
    downloadUrl: 'http://127.0.0.1:9/config',
    layerDigest: input.layerDigest,
  }));
  ecr.on(DescribeImagesCommand).callsFake(async (input) => {
    const all = ['v1.8.1', 'v1.8.2'].map((tag, i) => ({
      registryId: input.registryId,
      repositoryName: input.repositoryName,
      imageDigest: `sha256:${String(i).repeat(64)}`,
      imageTags: [tag],
      imagePushedAt: new Date(Date.now() - (2 - i) * 86_400_000),
    }));
    // As ECR: the images asked for by tag or digest, or every one.
    const ids = (input.imageIds ?? []) as Array<{ imageTag?: string; imageDigest?: string }>;
    return {
      imageDetails:
        ids.length === 0
          ? all
          : all.filter((d) =>
              ids.some((id) => d.imageTags.includes(id.imageTag ?? '') || d.imageDigest === id.imageDigest),
            ),
    };
  });

  // CodePipeline: a pipeline whose Deploy stage failed.
  const pipelines = stub(mockClient(CodePipelineClient));
  pipelines.on(GetPipelineStateCommand).callsFake(async (input) => ({
    pipelineName: input.name,
    stageStates: [
      {
        stageName: 'Source',
        latestExecution: { pipelineExecutionId: 'exec-1', status: 'Succeeded' },
        actionStates: [{ actionName: 'Source', latestExecution: { status: 'Succeeded' } }],
      },
      {
        stageName: 'Deploy',
        latestExecution: { pipelineExecutionId: 'exec-1', status: 'Failed' },
        actionStates: [
          {
            actionName: 'Deploy',
            latestExecution: {
              status: 'Failed',
              // No message: opsbot reads the action's result with ListActionExecutions, as it must for some actions.
              errorDetails: { code: 'JobFailed' },
            },
          },
        ],
      },
    ],
  }));
  pipelines.on(ListPipelineExecutionsCommand).resolves({
    pipelineExecutionSummaries: [{ pipelineExecutionId: 'exec-1', status: 'Failed', startTime: new Date() }],
  });
  pipelines.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] });
  pipelines.on(GetPipelineExecutionCommand).callsFake(async (input) => ({
    pipelineExecution: {
      pipelineName: input.pipelineName,
      pipelineExecutionId: input.pipelineExecutionId,
      status: 'Succeeded',
      artifactRevisions: [{ name: 'SourceArtifact', revisionId: 'a'.repeat(40), revisionSummary: 'Fix the build' }],
    },
  }));
  pipelines.on(RetryStageExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });

  // CloudWatch: the rollback alarms asked for, OK; what they watched, a value a period over the window asked for.
  const cloudwatch = stub(mockClient(CloudWatchClient));
  cloudwatch.on(GetMetricDataCommand).callsFake(async (input) => {
    const from = (input.StartTime as Date).getTime();
    const to = (input.EndTime as Date).getTime();
    const returned = ((input.MetricDataQueries ?? []) as Array<{ Id: string; ReturnData?: boolean }>).find(
      (q) => q.ReturnData === true,
    );
    const times: Date[] = [];
    for (let at = from; at <= to; at += 300_000) times.push(new Date(at));
    return {
      MetricDataResults: [
        {
          Id: returned?.Id,
          Label: 'HTTPCode_Target_5XX_Count',
          Timestamps: times,
          Values: times.map((_, i) => i % 4),
          StatusCode: 'Complete',
        },
      ],
      Messages: [],
    };
  });
  cloudwatch.on(DescribeAlarmsCommand).callsFake(async (input, getClient) => {
    const w = await where(getClient);
    return {
      MetricAlarms: ((input.AlarmNames as string[] | undefined) ?? []).map((name) => ({
        AlarmName: name,
        AlarmArn: `arn:aws:cloudwatch:${w.region}:${w.account}:alarm:${name}`,
        StateValue: 'OK',
        StateUpdatedTimestamp: new Date(Date.now() - 3_600_000),
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [{ Name: 'LoadBalancer', Value: 'app/web/50dc6c495c0c9188' }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 2,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
      })),
      CompositeAlarms: [],
    };
  });
  stub(mockClient(SSMClient)).on(GetCalendarStateCommand).resolves({ State: 'OPEN', AtTime: new Date().toISOString() });

  // Maintenance sources, each with something scheduled, so that their follow-up reads are made.
  const health = stub(mockClient(HealthClient));
  const healthEvent = (w: Where) => ({
    arn: `arn:aws:health:${w.region}::event/EC2/AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED/AWS_EC2_SYSTEM_REBOOT_${w.account}`,
    service: 'EC2',
    eventTypeCode: 'AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED',
    eventTypeCategory: 'scheduledChange',
    region: 'eu-west-1',
    startTime: future,
    statusCode: 'upcoming',
    lastUpdatedTime: new Date(),
  });
  health
    .on(DescribeEventsCommand)
    .callsFake(async (_input, getClient) => ({ events: [healthEvent(await where(getClient))] }));
  health.on(DescribeEventDetailsCommand).callsFake(async (input, getClient) => {
    const w = await where(getClient);
    return {
      successfulSet: (input.eventArns as string[]).map(() => ({
        event: healthEvent(w),
        eventDescription: { latestDescription: 'EC2 has scheduled a reboot of your instance.' },
      })),
      failedSet: [],
    };
  });
  health.on(DescribeAffectedEntitiesCommand).resolves({
    entities: [{ entityValue: 'i-0123456789abcdef0', statusCode: 'PENDING', awsAccountId: home }],
  });
  health.on(DescribeEventsForOrganizationCommand).callsFake(async (_input, getClient) => ({
    events: [healthEvent(await where(getClient))],
  }));
  health.on(DescribeAffectedAccountsForOrganizationCommand).resolves({ affectedAccounts: [home] });
  health.on(DescribeEventDetailsForOrganizationCommand).callsFake(async (input, getClient) => {
    const w = await where(getClient);
    return {
      successfulSet: (input.organizationEventDetailFilters as Array<{ awsAccountId: string }>).map((f) => ({
        awsAccountId: f.awsAccountId,
        event: healthEvent(w),
        eventDescription: { latestDescription: 'EC2 has scheduled a reboot of your instance.' },
      })),
      failedSet: [],
    };
  });
  health.on(DescribeAffectedEntitiesForOrganizationCommand).resolves({
    entities: [{ entityValue: 'i-0123456789abcdef0', statusCode: 'PENDING', awsAccountId: home }],
  });
  const ec2 = stub(mockClient(EC2Client));
  ec2.on(DescribeInstanceStatusCommand).resolves({
    InstanceStatuses: [
      {
        InstanceId: 'i-0123456789abcdef0',
        AvailabilityZone: 'eu-west-1a',
        Events: [
          {
            InstanceEventId: 'instance-event-1',
            Code: 'system-reboot',
            NotBefore: future,
            Description: 'scheduled reboot',
          },
        ],
      },
    ],
  });
  ec2.on(DescribeTagsCommand).resolves({
    Tags: [{ ResourceId: 'i-0123456789abcdef0', ResourceType: 'instance', Key: 'Name', Value: 'web-1' }],
  });
  const rds = stub(mockClient(RDSClient));
  rds.on(DescribePendingMaintenanceActionsCommand).callsFake(async (_input, getClient) => {
    const w = await where(getClient);
    return {
      PendingMaintenanceActions: [
        {
          ResourceIdentifier: `arn:aws:rds:${w.region}:${w.account}:db:payments-db`,
          PendingMaintenanceActionDetails: [
            {
              Action: 'system-update',
              CurrentApplyDate: future,
              Description: 'New Operating System update is available',
            },
          ],
        },
      ],
    };
  });
  rds.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: 'opsbot:service', Value: 'payments' }] });
  stub(mockClient(ElastiCacheClient))
    .on(DescribeUpdateActionsCommand)
    .resolves({
      UpdateActions: [
        {
          ReplicationGroupId: 'sessions',
          ServiceUpdateName: 'elasticache-20261201-002',
          ServiceUpdateRecommendedApplyByDate: future,
          ServiceUpdateSeverity: 'important',
          UpdateActionStatus: 'not-applied',
        },
      ],
    });
  const opensearch = stub(mockClient(OpenSearchClient));
  opensearch.on(ListDomainNamesCommand).resolves({ DomainNames: [{ DomainName: 'search', EngineType: 'OpenSearch' }] });
  opensearch.on(ListScheduledActionsCommand).resolves({
    ScheduledActions: [
      {
        Id: 'sa-1',
        Type: 'JVM_HEAP_SIZE_TUNING',
        Severity: 'LOW',
        ScheduledTime: future.getTime(),
        Description: 'Service software update',
        ScheduledBy: 'SYSTEM',
        Status: 'PENDING_UPDATE',
        Mandatory: false,
        Cancellable: true,
      },
    ],
  });

  // opsbot's own services: the secrets, the hand-over, the watcher, Lex.
  stub(mockClient(SecretsManagerClient))
    .on(GetSecretValueCommand)
    .callsFake(async (input) => ({
      ARN: input.SecretId,
      SecretString: String(input.SecretId).includes('Signing')
        ? 'test-signing-secret-0123456789abcdef'
        : 'xoxb-test-000-opsbot',
    }));
  stub(mockClient(LambdaClient))
    .on(InvokeCommand)
    .callsFake(async (input) => {
      if (world.refuseHandOver) {
        world.refuseHandOver = false;
        throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      }
      world.invoked.push(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8')));
      return { StatusCode: 202 };
    });
  stub(mockClient(SFNClient))
    .on(StartExecutionCommand)
    .callsFake(async (input) => {
      world.executions.push(JSON.parse(String(input.input)));
      return {
        executionArn: `${input.stateMachineArn}:${input.name}`.replace(':stateMachine:', ':execution:'),
        startDate: new Date(),
      };
    });
  stub(mockClient(LexRuntimeV2Client))
    .on(RecognizeTextCommand)
    .callsFake(() => ({
      sessionState: {
        intent: {
          name: 'PipelineStatus',
          state: 'ReadyForFulfillment',
          confirmationState: 'None',
          slots: {
            pipeline: {
              value: {
                originalValue: world.pipeline,
                interpretedValue: world.pipeline,
                resolvedValues: [world.pipeline],
              },
            },
          },
        },
        dialogAction: { type: 'Close' },
      },
      interpretations: [],
      messages: [],
    }));
  return world;
}
