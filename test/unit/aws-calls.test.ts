import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { retryRead, retryThrottled } from '../../integrations/aws/aws-calls';
import { AwsDeployments } from '../../integrations/aws/ecs-deployments.adapter';

/** AWS's error shapes as SDK v3 raises them: a server fault, a throttle, a refusal, a connection reset. */
const serverFault = () =>
  Object.assign(new Error('Service Unavailable'), {
    name: 'ServiceUnavailableException',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
  });
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
const refused = () =>
  Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

/** A call that fails with each of `failures` in turn, then answers; and how often it was made. */
function flaky(...failures: Array<() => Error>) {
  let calls = 0;
  return {
    fn: async () => {
      const failure = failures[calls++];
      if (failure !== undefined) throw failure();
      return 'answer';
    },
    calls: () => calls,
  };
}

const quick = { sleep: async () => undefined };

describe('retries when AWS has a bad minute', () => {
  it('retries a read through server faults, throttling and reset connections, within four attempts', async () => {
    // Prepare
    const read = flaky(serverFault, throttled, reset);

    // Act
    const answer = await retryRead(read.fn, quick);

    // Assess
    expect([answer, read.calls()]).toEqual(['answer', 4]);
  });

  it('gives up on a read after four attempts, and never retries a refusal', async () => {
    // Prepare
    const failing = flaky(serverFault, serverFault, serverFault, serverFault, serverFault);
    const denied = flaky(refused);

    // Act
    const gaveUp = await retryRead(failing.fn, quick).catch((e: Error) => e.name);
    const refusal = await retryRead(denied.fn, quick).catch((e: Error) => e.name);

    // Assess
    expect([gaveUp, failing.calls()]).toEqual(['ServiceUnavailableException', 4]);
    expect([refusal, denied.calls()]).toEqual(['AccessDeniedException', 1]);
  });

  it('retries a change only when throttled: after a server fault it may have taken effect', async () => {
    // Prepare
    const afterThrottle = flaky(throttled);
    const afterFault = flaky(serverFault);

    // Act
    const answer = await retryThrottled(afterThrottle.fn, quick);
    const fault = await retryThrottled(afterFault.fn, quick).catch((e: Error) => e.name);

    // Assess
    expect([answer, afterThrottle.calls()]).toEqual(['answer', 2]);
    expect([fault, afterFault.calls()]).toEqual(['ServiceUnavailableException', 1]);
  });

  const RUNNING = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:41';
  const NEXT = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/web:42';

  /** An ECS service whose DescribeServices fails once on AWS's side, then says it runs `runs()`. */
  function ecsService(runs: () => string) {
    const ecs = mockClient(ECSClient);
    ecs
      .on(DescribeServicesCommand)
      .rejectsOnce(serverFault())
      .callsFake(() => ({
        services: [
          { serviceName: 'web', status: 'ACTIVE', taskDefinition: runs(), deploymentController: { type: 'ECS' } },
        ],
      }));
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: RUNNING,
        family: 'web',
        revision: 41,
        containerDefinitions: [{ name: 'web', image: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/web:v1.8.1' }],
      },
    });
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: NEXT, revision: 42 } });
    const deployments = new AwsDeployments(
      [
        {
          service: 'web',
          environment: 'prod',
          account: { name: 'tools', id: '111111111111' },
          region: 'eu-west-1',
          cluster: 'prod',
          ecsService: 'web',
          container: 'web',
        },
      ],
      () => ({
        ecs: new ECSClient({ region: 'eu-west-1' }),
        codedeploy: new CodeDeployClient({ region: 'eu-west-1' }),
      }),
      Date.now,
      async () => undefined,
    );
    return { ecs, deployments };
  }
  afterEach(() => mockClient(ECSClient).restore());

  it('rides out an ECS read that fails on AWS’s side', async () => {
    // Prepare
    const { ecs, deployments } = ecsService(() => RUNNING);

    // Act
    const current = await deployments.current('web', 'prod');

    // Assess
    expect(current.version).toBe('v1.8.1');
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(2);
  });

  it('does not repeat an UpdateService that failed on AWS’s side after ECS took it', async () => {
    // Prepare: the update answers 503, yet the service now runs the new revision
    let runs = RUNNING;
    const { ecs, deployments } = ecsService(() => runs);
    await deployments.current('web', 'prod');
    ecs.on(UpdateServiceCommand).callsFake(() => {
      runs = NEXT;
      throw serverFault();
    });

    // Act
    const started = await deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      requestedBy: 'U1',
    });

    // Assess: asked once, and watched (ECS has not listed the deployment yet)
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(started.status).toBe('InProgress');
  });

  it('asks again, once, for an UpdateService that failed on AWS’s side before ECS took it', async () => {
    // Prepare: the first update answers 503 and changed nothing; the second is taken
    let runs = RUNNING;
    const { ecs, deployments } = ecsService(() => runs);
    await deployments.current('web', 'prod');
    ecs
      .on(UpdateServiceCommand)
      .rejectsOnce(serverFault())
      .callsFake(() => {
        runs = NEXT;
        return {};
      });

    // Act
    const started = await deployments.start({
      service: 'web',
      environment: 'prod',
      version: 'v1.8.2',
      requestedBy: 'U1',
    });

    // Assess
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(2);
    expect(started.status).toBe('InProgress');
  });
});
