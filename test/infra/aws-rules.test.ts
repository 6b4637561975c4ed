import { readFileSync } from 'node:fs';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App, type Stack } from 'aws-cdk-lib';
import { EXAMPLE_CONFIG_PATH, type OpsbotConfig, parseConfig } from '../../bot/config';
import { opsbotStacks } from '../../infra/opsbot-app';
import type { OpsbotAccessStack } from '../../infra/stacks/access-stack';
import type { OpsbotEventsStack } from '../../infra/stacks/events-stack';
import type { OpsbotStack } from '../../infra/stacks/opsbot-stack';
import { asCaller, listenToCalls, type RecordedCall } from '../../integrations/aws/call-ledger';
import { assumeRoleCredentials } from '../../integrations/aws/clients';
import { awsWorld } from '../support/aws-world';
import { EVERY_ENGINE } from '../support/configs';
import { driveOpsbot } from '../support/drive-opsbot';
import {
  type DeployedRoles,
  deployedRoles,
  deployedStack,
  type IgnoredGrant,
  judge,
  type PolicyDocument,
  type Verdict,
} from '../support/iam-judge';
import { describeMoto, type Moto, startMoto, storeTableInput } from '../support/moto';

/**
 * opsbot on AWS, judged by AWS's own rules. The CDK app is synthesized as `cdk synth` would (opsbot's stack and an
 * access stack per other account); opsbot then runs as deployed — each function with the environment its stack
 * gives it — against a simulated AWS (published response shapes; the Store on moto), through every call it can
 * make. Each call the ledger recorded is judged by a real IAM evaluator (`@cloud-copilot/iam-simulate`, with AWS's
 * service authorization data) against the policies synthesized for the role that made it; in another account,
 * after the trust policy of the role assumed there. Least privilege both ways: no call denied, no grant unused.
 */

const HOME = '111111111111';
const REGION = 'eu-west-1';

interface Synthesized {
  readonly config: OpsbotConfig;
  readonly home: OpsbotStack;
  readonly access: readonly OpsbotAccessStack[];
  /** The forwarding of each other place's events to opsbot's bus. */
  readonly events: readonly OpsbotEventsStack[];
}

/** The app as infra/app.ts builds it (opsbotStacks), opsbot placed in its account and region. */
function synthesize(configText: string, options: { engineAlarmRollback?: boolean } = {}): Synthesized {
  const config = parseConfig(configText);
  const stacks = opsbotStacks(new App(), config, {
    homeAccount: HOME,
    homeRegion: REGION,
    engineAlarmRollback: options.engineAlarmRollback === true,
  });
  return { config, ...stacks };
}

const logicalId = (stack: Stack, path: string) =>
  stack.getLogicalId(stack.node.findChild(path).node.defaultChild as never);

/**
 * The calls CDK's own custom resources make when a stack deploys (CodeDeploy's alarm rollback on the groups), read
 * from their synthesized `Create` and `Update` calls, and judged as made by the role their provider function runs as
 * in that stack's account.
 */
async function judgeCustomResources(deployed: DeployedRoles, checked: string[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const stack of deployed.stacks) {
    const resources = stack.logicalIdsOf('Custom::AWS');
    if (resources.length === 0) continue;
    // The one provider function of the stack's AwsCustomResources, named by their service token.
    const providers = new Set(
      resources.map((id) => {
        const token = (stack.resource(id).Properties as { ServiceToken: { 'Fn::GetAtt': [string, string] } })
          .ServiceToken;
        return token['Fn::GetAtt'][0];
      }),
    );
    if (providers.size !== 1) throw new Error(`${stack.place.stackName}: expected one custom resource provider`);
    const provider = [...providers][0] as string;
    const role = `${stack.place.stackName}/${deployed.role(provider).logicalId}`;
    checked.push(role);
    verdicts.push(
      await judge(customResourceCalls(stack), deployed, {
        home: { account: stack.place.account, region: stack.place.region },
        callerRoles: { 'custom-resource': role },
        checkUnused: [role],
        ignoreActions: [{ action: 'logs:*', role, reason: 'The provider function’s own logs (Lambda writes them).' }],
      }),
    );
  }
  return verdicts;
}

type Resolver = DeployedRoles['stacks'][number];

/**
 * The calls AWS services make as opsbot's roles, read from what the stacks configure them to do: Step Functions
 * invoking the worker's poll step (each Lambda task of each state machine), the Scheduler invoking the worker's
 * `events` alias and sending what it could not deliver to the dead-letter queue, and Lambda sending failed
 * asynchronous invocations there as the function's role. Each is judged as made by the role it runs as.
 */
async function judgeServiceCalls(deployed: DeployedRoles, checked: string[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  const judgeAs = async (stack: Resolver, roleArn: string, calls: RecordedCall[], reasons: IgnoredGrant[] = []) => {
    const role = deployed.role(roleArn);
    const ref = `${stack.place.stackName}/${role.logicalId}`;
    checked.push(ref);
    verdicts.push(
      await judge(calls, deployed, {
        home: { account: stack.place.account, region: stack.place.region },
        callerRoles: { service: ref },
        resourcePolicies: busPolicies(deployed),
        checkUnused: [ref],
        ignoreActions: reasons.map((r) => ({ ...r, role: ref })),
      }),
    );
  };
  const call = (stack: Resolver, service: string, operation: string, input: Record<string, unknown>): RecordedCall => ({
    caller: 'service',
    service,
    operation,
    region: stack.place.region,
    input,
  });
  for (const stack of deployed.stacks) {
    for (const id of stack.logicalIdsOf('AWS::StepFunctions::StateMachine')) {
      const properties = stack.resource(id).Properties as Record<string, unknown>;
      const definition = JSON.parse(stack.resolveString(properties.DefinitionString, `${id}.DefinitionString`)) as {
        States: Record<
          string,
          { Type: string; Resource?: string; Parameters?: { FunctionName?: string; StateMachineArn?: string } }
        >;
      };
      // Its tasks: Lambda invocations (the poll step) and executions it starts (the watcher handing over to itself).
      const calls = Object.values(definition.States).flatMap((state): RecordedCall[] =>
        state.Type !== 'Task'
          ? []
          : state.Resource === 'arn:aws:states:::lambda:invoke'
            ? [call(stack, 'Lambda', 'Invoke', { FunctionName: state.Parameters?.FunctionName as string })]
            : state.Resource?.startsWith('arn:aws:lambda:') === true
              ? [call(stack, 'Lambda', 'Invoke', { FunctionName: state.Resource })]
              : state.Resource === 'arn:aws:states:::states:startExecution'
                ? [
                    call(stack, 'SFN', 'StartExecution', {
                      stateMachineArn: state.Parameters?.StateMachineArn as string,
                    }),
                  ]
                : [],
      );
      expect(calls.length).toBe(Object.values(definition.States).filter((s) => s.Type === 'Task').length);
      await judgeAs(stack, stack.resolveString(properties.RoleArn), calls, [
        {
          action: 'logs:*',
          reason: 'Step Functions delivers the state machine’s execution logs through CloudWatch Logs’ log delivery.',
        },
      ]);
    }
    // Rules that forward events to another bus (the access stacks' to opsbot's) put them there as the rule's role.
    for (const id of stack.logicalIdsOf('AWS::Events::Rule')) {
      const targets = (stack.resolve((stack.resource(id).Properties as { Targets?: unknown }).Targets) ?? []) as Array<{
        Arn: string;
        RoleArn?: string;
      }>;
      for (const target of targets.filter((t) => t.RoleArn !== undefined && t.Arn.includes(':event-bus/'))) {
        await judgeAs(stack, target.RoleArn as string, [
          call(stack, 'EventBridge', 'PutEvents', { Entries: [{ EventBusName: target.Arn }] }),
        ]);
      }
    }
    for (const id of stack.logicalIdsOf('AWS::Scheduler::Schedule')) {
      const target = stack.resolve((stack.resource(id).Properties as { Target: unknown }).Target) as {
        Arn: string;
        RoleArn: string;
        DeadLetterConfig?: { Arn: string };
      };
      await judgeAs(stack, target.RoleArn, [
        call(stack, 'Lambda', 'Invoke', { FunctionName: target.Arn }),
        ...(target.DeadLetterConfig === undefined
          ? []
          : [call(stack, 'SQS', 'SendMessage', { QueueUrl: target.DeadLetterConfig.Arn })]),
      ]);
    }
  }
  return verdicts;
}

/** The policies of the event buses the stacks open to other accounts (opsbot's default bus), by the bus's ARN. */
function busPolicies(deployed: DeployedRoles): Record<string, PolicyDocument> {
  const policies: Record<string, PolicyDocument> = {};
  for (const stack of deployed.stacks) {
    for (const id of stack.logicalIdsOf('AWS::Events::EventBusPolicy')) {
      const { Statement } = stack.resolve(stack.resource(id).Properties) as {
        Statement: PolicyDocument['Statement'][number];
      };
      const bus = String(Statement.Resource);
      policies[bus] = { Version: '2012-10-17', Statement: [...(policies[bus]?.Statement ?? []), Statement] };
    }
  }
  return policies;
}

/** Lambda's own calls as a function's role: failed asynchronous invocations sent to their destination queue. */
function destinationCalls(home: Resolver, caller: string, functionId: string): RecordedCall[] {
  const name = home.resolveString({ Ref: functionId });
  return home.logicalIdsOf('AWS::Lambda::EventInvokeConfig').flatMap((id) => {
    const properties = home.resolve(home.resource(id).Properties) as {
      FunctionName: string;
      DestinationConfig?: { OnFailure?: { Destination: string } };
    };
    const destination = properties.DestinationConfig?.OnFailure?.Destination;
    return destination === undefined || properties.FunctionName !== name
      ? []
      : [
          {
            caller,
            service: 'SQS',
            operation: 'SendMessage',
            region: home.place.region,
            input: { QueueUrl: destination },
          },
        ];
  });
}

function customResourceCalls(stack: DeployedRoles['stacks'][number]): RecordedCall[] {
  return stack.logicalIdsOf('Custom::AWS').flatMap((id) => {
    const properties = stack.resource(id).Properties as Record<string, unknown>;
    return ['Create', 'Update'].flatMap((when) => {
      const call = JSON.parse(stack.resolveString(properties[when], `${id}.${when}`)) as {
        service: string;
        action: string;
        region?: string;
        parameters: unknown;
      };
      return [
        {
          caller: 'custom-resource',
          service: call.service,
          operation: call.action,
          region: call.region ?? stack.place.region,
          input: call.parameters,
        },
      ];
    });
  });
}

async function proveOnAws(synthesized: Synthesized, moto: Moto) {
  const { config, home, access, events } = synthesized;
  // An access stack is deployed in one region of its account (its IAM is global): here, opsbot's.
  const deployed = deployedRoles([
    deployedStack(home),
    ...access.map((stack) => deployedStack(stack, { region: REGION })),
    ...events.map((stack) => deployedStack(stack)),
  ]);
  const slackFunction = logicalId(home, 'Slack');
  const workerFunction = logicalId(home, 'Worker');
  const environments = {
    slack: deployed.environment(`Opsbot/${slackFunction}`),
    worker: deployed.environment(`Opsbot/${workerFunction}`),
    region: REGION,
  };
  // The Store's table, as the stack defines it, on moto.
  await new DynamoDBClient(moto.clientConfig).send(
    new CreateTableCommand(storeTableInput(environments.worker.OPSBOT_TABLE as string)),
  );
  const world = awsWorld(HOME);
  let calls: RecordedCall[];
  try {
    calls = await driveOpsbot(config, environments, world);
  } finally {
    world.restore();
    await new DynamoDBClient(moto.clientConfig).send(
      new DeleteTableCommand({ TableName: environments.worker.OPSBOT_TABLE }),
    );
  }
  const homeStack = deployed.stacks.find((s) => s.place.stackName === 'Opsbot') as Resolver;
  const made = [
    ...calls,
    ...(await assumeEachRole(config, moto)),
    ...destinationCalls(homeStack, 'worker', workerFunction),
  ];
  const accessRoles = access.map((stack) => `${stack.stackName}/${logicalId(stack, 'OpsbotRole')}`);
  const opsbot = await judge(made, deployed, {
    home: { account: HOME, region: REGION },
    callerRoles: { slack: slackFunction, worker: workerFunction, watcher: workerFunction },
    externalIds: Object.fromEntries(
      Object.values(config.accounts).flatMap((a) =>
        a.roleArn !== undefined && a.externalId !== undefined ? [[a.roleArn, a.externalId]] : [],
      ),
    ),
    checkUnused: [slackFunction, workerFunction, ...accessRoles],
    // A repository in an account opsbot has no role in: its repository policy must let the role read it (README).
    resourcePolicies: {
      ...Object.fromEntries(
        crossAccountRepositories(config).map((arn) => [arn, repositoryPolicyFor(arn, accessRoleArns(config))]),
      ),
      // AssumeRole, as STS was asked, is judged against the trust policy of the role in the other account.
      ...Object.fromEntries(
        access.map((stack) => {
          const role = deployed.role(`${stack.stackName}/${logicalId(stack, 'OpsbotRole')}`);
          return [role.arn, role.trustPolicy];
        }),
      ),
    },
    ignoreActions: [
      {
        action: 'codedeploy:GetApplicationRevision',
        reason:
          'AWS’s CodeDeploy permissions reference and policy examples grant it beside RegisterApplicationRevision for CreateDeployment without saying which of the two an AppSpec-content revision checks: kept until a real account narrows it (README).',
      },
    ],
  });
  const checked = [slackFunction, workerFunction, ...accessRoles];
  const verdicts = [
    opsbot,
    ...(await judgeCustomResources(deployed, checked)),
    ...(await judgeServiceCalls(deployed, checked)),
  ];
  // Every role the stacks create is judged both ways, unless it is granted nothing.
  const unjudged = deployed.roles
    .filter((role) => !checked.some((ref) => deployed.role(ref).arn === role.arn))
    .filter((role) => role.identityPolicies.some((p) => p.source !== 'aws-managed' && p.document.Statement.length > 0))
    .map((role) => `${role.stackName}/${role.logicalId}`);

  const verdict: Verdict = {
    denied: verdicts.flatMap((v) => v.denied),
    accepted: verdicts.flatMap((v) => v.accepted),
    unused: verdicts.flatMap((v) => v.unused),
    judged: verdicts.reduce((n, v) => n + v.judged, 0),
    notes: verdicts.flatMap((v) => v.notes),
  };
  return { verdict, made, unjudged };
}

/**
 * The worker assuming each configured role through the credentials provider opsbot's client factory uses
 * (`assumeRoleCredentials`), with STS on moto: the AssumeRole calls as sent (role, session name, external id). The
 * simulated services answer without asking for credentials, so the driven calls never assume a role themselves.
 */
async function assumeEachRole(config: OpsbotConfig, moto: Moto): Promise<RecordedCall[]> {
  const calls: RecordedCall[] = [];
  const stopListening = listenToCalls((call) => calls.push(call));
  try {
    const credentials = assumeRoleCredentials({
      region: REGION,
      endpoint: moto.endpoint,
      masterCredentials: moto.clientConfig.credentials,
    });
    await asCaller('worker', async () => {
      for (const [name, account] of Object.entries(config.accounts)) {
        if (account.roleArn === undefined) continue;
        await credentials({ name, ...account, roleArn: account.roleArn })();
      }
    });
  } finally {
    stopListening();
  }
  return calls;
}

/** ECR repositories named by URI in an account that is not configured (so no access stack grants there). */
function crossAccountRepositories(config: OpsbotConfig): string[] {
  const accounts = new Set(Object.values(config.accounts).map((a) => a.id));
  return Object.values(config.services).flatMap((s) =>
    Object.values(s.environments).flatMap((t) => {
      const uri = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/(.+)$/.exec(t.repository ?? '');
      return uri === null || accounts.has(uri[1] as string)
        ? []
        : [`arn:aws:ecr:${uri[2]}:${uri[1]}:repository/${uri[3]}`];
    }),
  );
}

const accessRoleArns = (config: OpsbotConfig) =>
  Object.values(config.accounts).flatMap((a) => (a.roleArn === undefined ? [] : [a.roleArn]));

/** The repository policy the README asks for: opsbot's roles may read the repository's images. */
function repositoryPolicyFor(arn: string, roles: string[]) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow' as const,
        Principal: { AWS: [`arn:aws:iam::${HOME}:root`, ...roles] },
        Action: ['ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: arn,
      },
    ],
  };
}

describeMoto("opsbot on AWS, judged by AWS's rules: every call allowed by the IAM it deploys, every grant used", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = moto.endpoint;
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  }, 30_000);
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await moto.stop();
  });

  describe.each([
    // No cluster is configured, so nothing can be deployed on AWS: pipelines, alarms and maintenance only.
    ['the example configuration', false, () => synthesize(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'))],
    [
      'every engine, three accounts, two regions, alarms by ARN elsewhere, the organizational view, CodeDeploy’s own alarm rollback',
      true,
      () => synthesize(EVERY_ENGINE, { engineAlarmRollback: true }),
    ],
  ])('%s', (_name, deploys, build) => {
    let verdict: Verdict;
    let made: RecordedCall[];
    let unjudged: string[];
    // Prepare and Act, once for the three checks: synthesize, run opsbot as deployed, judge every call.
    beforeAll(async () => {
      ({ verdict, made, unjudged } = await proveOnAws(build(), moto));
    }, 120_000);

    it('makes no call the deployed IAM would deny', () => {
      // Assess
      expect(verdict.denied).toEqual([]);
    });

    it('grants no action that no call needs', () => {
      // Assess
      expect(verdict.unused).toEqual([]);
      expect(unjudged).toEqual([]);
    });

    it('was driven through both functions, and the watcher’s poll step where a service can be deployed', () => {
      // Assess
      const callers = new Set(made.map((c) => c.caller));
      expect([...callers]).toEqual(expect.arrayContaining(['slack', 'worker', ...(deploys ? ['watcher'] : [])]));
      expect(made.filter((c) => c.caller === 'unknown')).toEqual([]);
    });
  });
});
