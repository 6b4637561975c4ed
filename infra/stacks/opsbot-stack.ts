import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Aws,
  type CfnElement,
  CfnOutput,
  CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type CfnFunction,
  type IDestination,
  Function as LambdaFunctionResource,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { resolveAccount } from '../../bot/accounts';
import type { OpsbotConfig } from '../../bot/config';
import { renderDeployedConfig } from '../../bot/deployed-config';
import { vocabularyOf } from '../../bot/vocabulary';
import { declarations } from '../../intents/declarations';
import type { EventType } from '../../intents/define-reaction';
import { reactionDeclarations as reactions } from '../../intents/reaction-declarations';
import { ownAlarmDescription, ownAlarmName, readOwnAlarmName } from '../../intents/self/own-alarms';
import { inEveryLanguage } from '../../intents/utterances-by-language';
import { rollbackAlarms } from '../alarm-events';
import { lambdaBundleOptions, lambdaEntryFile, workerFilePackageCommands } from '../bundling/bundling';
import { splitBundleCode } from '../bundling/split-bundle';
import { DeployWatcher } from '../constructs/deploy-watcher';
import { OpsbotLexBot } from '../constructs/lex-bot';
import { SelfWatch } from '../constructs/self-watch';
import { grantDeploys } from '../deploy-permissions';
import { eventsStackName, forwardingPlaces } from '../event-places';
import type { AssistedNlu } from '../lex/bot-definition';
import { grantMaintenance } from '../maintenance-permissions';
import { pipelineStages } from '../pipeline-permissions';

const ROOT = join(__dirname, '..', '..');

/**
 * Memory, from `npm run bench` (README, Benchmark). Both functions are sized for CPU, which Lambda gives in
 * proportion to memory (1,769 MB is one vCPU), not for what they hold: the slack function peaks at about 155 MB
 * after a thousand acknowledgements, the worker at about 180 MB on the digest of 200 accounts × 4 regions. The
 * slack function's cold first ack is CPU-bound (about 0.3 s on one core of the bench machine, so about 0.5 s with the
 * 0.58 vCPU of 1,024 MB, within Slack's 3 s); the worker gets the same share for understanding and answering, which
 * costs about what 512 MB would (half the time at twice the rate).
 */
export const FUNCTION_MEMORY_MB = { slack: 1024, worker: 1024 } as const;

/** The Store's index of listed items (the audit trail): the Store adapter queries it by this name (`LISTING_INDEX`). */
const STORE_LISTING_INDEX = 'listing';

export interface OpsbotStackProps extends StackProps {
  /** The validated configuration, carried to the functions as JSON. */
  readonly config: OpsbotConfig;
  /**
   * How long opsbot's own logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * The region opsbot's stack runs in, when its environment does not say (an environment-agnostic synth): the
   * places whose events are forwarded to it are every other one (`OpsbotEventsStack`).
   * @default the stack's own region, when known; otherwise only other accounts' places are known to be elsewhere
   */
  readonly homeRegion?: string;
  /**
   * Assisted NLU in the Lex bot's locales (`Primary` or `Fallback` by locale id).
   * @default off in every locale
   */
  readonly lexAssistedNlu?: AssistedNlu;
}

/**
 * opsbot in one stack: the `slack` function behind an HTTP API route (the Slack request URL), the `worker` it
 * invokes asynchronously, the DynamoDB table of the Store, the Slack secrets, the logs of both functions, and the
 * alarms opsbot keeps on itself (whose changes reach the worker, to be told in the alerts channel).
 */
export class OpsbotStack extends Stack {
  readonly slackFunction: LambdaFunctionResource;
  readonly workerFunction: NodejsFunction;
  readonly table: TableV2;
  readonly deployWatcher: DeployWatcher;
  readonly lexBot: OpsbotLexBot;
  readonly requestUrl: string;
  readonly selfWatch: SelfWatch;
  /** The names of opsbot's own alarms whose changes the worker is told: this stack's and the access stacks'. */
  readonly ownAlarmNames: readonly string[];

  /**
   * Read-only CodePipeline access for exactly the calls opsbot makes, on the configured pipelines of opsbot's own
   * account, and retry; in the other accounts opsbot acts through the role it assumes there (sts:AssumeRole on
   * exactly the configured roles), which OpsbotAccessStack grants the same calls.
   */
  private grantPipelines(config: OpsbotConfig): void {
    const arns = Object.entries(config.pipelines)
      .map(([name, p]) => ({ name, p, account: resolveAccount(config, p.account) }))
      .filter(({ account }) => account.roleArn === undefined)
      .map(({ name, p, account }) => pipelineArn(name, { region: p.region, account: account.id }));
    // Written in the partition the stack is deployed to (the configured ARN says which account and role).
    const roles = [
      ...new Set(
        Object.values(config.accounts).flatMap((a) =>
          a.roleArn === undefined ? [] : [`arn:${Aws.PARTITION}:iam::${a.id}:role/${a.roleArn.split(':role/')[1]}`],
        ),
      ),
    ];
    if (roles.length > 0) {
      this.workerFunction.addToRolePolicy(new PolicyStatement({ actions: ['sts:AssumeRole'], resources: roles }));
    }
    if (arns.length > 0) {
      this.workerFunction.addToRolePolicy(
        new PolicyStatement({
          actions: [
            'codepipeline:GetPipelineState',
            'codepipeline:ListPipelineExecutions',
            'codepipeline:ListActionExecutions',
            // What a Confirm card says changes: the run that built an image tagged with its execution id.
            'codepipeline:GetPipelineExecution',
          ],
          resources: arns,
        }),
      );
      // The one write: the Retry button on a failed stage. AWS authorizes it on the stage (`pipeline/stage`), whose
      // name comes from the failure being retried.
      this.workerFunction.addToRolePolicy(
        new PolicyStatement({
          actions: ['codepipeline:RetryStageExecution'],
          resources: pipelineStages(this, arns),
        }),
      );
    }
  }

  constructor(scope: Construct, id: string, props: OpsbotStackProps) {
    super(scope, id, props);
    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;

    this.table = new TableV2(this, 'Store', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      // Listed items (the audit trail) by collection and time: a sparse index, only they carry `lc`.
      globalSecondaryIndexes: [
        {
          indexName: STORE_LISTING_INDEX,
          partitionKey: { name: 'lc', type: AttributeType.STRING },
          sortKey: { name: 'lo', type: AttributeType.STRING },
        },
      ],
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const botToken = new Secret(this, 'SlackBotToken', {
      description: 'opsbot: the Slack bot token (xoxb-…); set its value after the first deploy',
    });
    const signingSecret = new Secret(this, 'SlackSigningSecret', {
      description: 'opsbot: the Slack app signing secret; set its value after the first deploy',
    });
    for (const secret of [botToken, signingSecret]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Slack issues these credentials; rotating them is done in the Slack app, not by a rotation Lambda.',
      });
    }

    const configFile = writeConfigAsset(props.config, this.node.addr);
    // Each function is told only the secrets it reads, and may read only those: the worker posts with the bot token
    // and never checks a signature.
    const environment = {
      OPSBOT_CONFIG: '/var/task/opsbot.config.json',
      OPSBOT_BACKEND: 'aws',
      OPSBOT_TABLE: this.table.tableName,
      SLACK_BOT_TOKEN_SECRET_ARN: botToken.secretArn,
      POWERTOOLS_SERVICE_NAME: 'opsbot',
      LOG_LEVEL: 'INFO',
    };

    const deadLetters = new Queue(this, 'WorkerDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the worker’s failed async invocations.',
    });

    this.workerFunction = new NodejsFunction(this, 'Worker', {
      ...functionDefaults('worker', configFile, retention, this),
      description: 'opsbot worker: understands requests, calls AWS, answers in Slack',
      timeout: Duration.seconds(60),
      memorySize: FUNCTION_MEMORY_MB.worker,
      // Stack traces through the source map beside the bundle. The slack function ships its map too but does not
      // read it at start: that costs its cold first ack about 40 ms (`npm run bench`); its rare errors are logged with
      // a reference, and the map decodes them offline.
      environment: { ...environment, OPSBOT_FUNCTION: 'worker', NODE_OPTIONS: '--enable-source-maps' },
      // A failed job is not retried: it could post twice. The dispatcher answers the person on failure, and
      // what still fails lands here for inspection.
      retryAttempts: 0,
      onFailure: deadLetterDestination(deadLetters),
    });

    this.grantPipelines(props.config);
    // Deploys in opsbot's own account; elsewhere through the role OpsbotAccessStack creates there.
    grantDeploys(this, this.workerFunction.role as IRole, props.config, (account) => account.roleArn === undefined);

    const lex = new OpsbotLexBot(this, 'Lex', {
      intents: inEveryLanguage(declarations),
      vocabulary: vocabularyOf(props.config),
      ...(props.lexAssistedNlu !== undefined && { assistedNlu: props.lexAssistedNlu }),
    });
    lex.grantRecognizeText(this.workerFunction);
    this.workerFunction.addEnvironment('OPSBOT_LEX_BOT_ID', lex.bot.attrId);
    this.workerFunction.addEnvironment('OPSBOT_LEX_BOT_ALIAS_ID', lex.alias.attrBotAliasId);
    this.workerFunction.addEnvironment('OPSBOT_LEX_LOCALES', lex.localeIds.join(','));
    this.lexBot = lex;

    // An ES module in chunks (NodejsFunction writes one file): a cold start reads what its first request runs.
    this.slackFunction = new LambdaFunctionResource(this, 'Slack', {
      code: splitBundleCode('slack', configFile),
      handler: `${lambdaEntryFile('slack').replace(/\.m?js$/, '')}.handler`,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      logGroup: functionLogGroup('slack', retention, this),
      description: 'opsbot Slack edge: verifies, acknowledges within 3 s, hands work to the worker',
      timeout: Duration.seconds(10),
      memorySize: FUNCTION_MEMORY_MB.slack,
      environment: {
        ...environment,
        OPSBOT_FUNCTION: 'slack',
        SLACK_SIGNING_SECRET_ARN: signingSecret.secretArn,
        OPSBOT_WORKER_FUNCTION: this.workerFunction.functionName,
      },
    });

    this.workerFunction.grantInvoke(this.slackFunction);

    // Deploys are watched to their end by a state machine the worker starts per deploy.
    const watcher = new DeployWatcher(this, 'DeployWatcher', {
      worker: this.workerFunction,
      logRetention: retention,
      failedAlarmName: SelfWatch.alarmName(this, 'deploy-watcher-failures'),
      failedAlarmDescription: ownAlarmDescription('deploy-watcher-failures'),
    });
    // Started after a deploy, which needs a configured cluster: without one, the worker never starts it.
    const deployable = Object.values(props.config.services).some((s) =>
      Object.values(s.environments).some((t) => t.cluster !== undefined),
    );
    if (deployable) watcher.grantStart(this.workerFunction.role as IRole);
    this.workerFunction.addEnvironment('OPSBOT_WATCHER', watcher.stateMachineArn);
    this.deployWatcher = watcher;
    Validations.of(this).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.table.node.defaultChild as CfnElement)}.Arn>/index/*]`,
        reason: 'The Store’s own indexes: the functions list audit records through its listing index.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The basic execution role only lets each function write its own CloudWatch Logs.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.workerFunction.node.defaultChild as CfnFunction)}.Arn>:*]`,
        reason: 'Invoke on the worker’s own qualified ARNs (versions and aliases) only; no other function.',
      },
    );
    // Exactly the Store's calls (DynamoDbStore): the edge claims, reads and releases items; the worker also lists
    // the audit trail through the `listing` index.
    const table = this.table.tableArn;
    this.slackFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [table],
      }),
    );
    this.workerFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [table],
      }),
    );
    this.workerFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table}/index/${STORE_LISTING_INDEX}`] }),
    );
    // GetSecretValue only (Powertools reads nothing else): the slack function both secrets, the worker the token.
    this.slackFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [signingSecret.secretArn, botToken.secretArn],
      }),
    );
    this.workerFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [botToken.secretArn] }),
    );

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    const api = new HttpApi(this, 'Api', { description: 'opsbot: the Slack request URL', createDefaultStage: false });
    api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    api.addRoutes({
      path: '/slack/events',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('SlackEvents', this.slackFunction),
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Slack cannot send IAM or JWT credentials; every request is authenticated by its Slack signature in the function.',
    });
    this.requestUrl = `${api.apiEndpoint}/slack/events`;

    // opsbot watches itself: its functions, its dead letters, its acknowledgements to Slack, its deploy watcher (that
    // alarm is the watcher's), and in each other account the forwarding of events to it (that alarm is the access
    // stack's). Their changes reach the worker through the rule below, as the reactions' other events do.
    this.selfWatch = new SelfWatch(this, 'SelfWatch', {
      slack: this.slackFunction,
      worker: this.workerFunction,
      deadLetters,
      api,
    });
    const places = forwardingPlaces(
      props.config,
      props.homeRegion ?? (Token.isUnresolved(this.region) ? undefined : this.region),
    );
    // Other accounts put events on this bus (their places' forwarding); this account's other regions need no policy.
    const forwarding = [...new Set(places.filter((p) => p.account.roleArn !== undefined).map((p) => p.account.id))];
    this.ownAlarmNames = [
      ...this.selfWatch.alarmNames,
      SelfWatch.alarmName(this, 'deploy-watcher-failures'),
      ...places.map((place) => ownAlarmName(eventsStackName(place), 'forward-dead-letters')),
    ].sort();

    // The events the reactions declare (and only those, about configured things), pushed to the worker.
    const pipelines = Object.keys(props.config.pipelines);
    // Events go through an alias whose failed invocations are retried (after about 1 and 3 minutes): a reaction that
    // could not post (Slack down past its budget) runs again, and its claims keep a repeat from posting twice. Jobs
    // from the Slack function invoke the function itself, which never retries.
    const events = this.workerFunction.addAlias('events', {
      retryAttempts: 2,
      maxEventAge: Duration.hours(2),
      onFailure: deadLetterDestination(deadLetters),
    });
    const target = new LambdaFunction(events, {
      deadLetterQueue: deadLetters,
      retryAttempts: 2,
      maxEventAge: Duration.hours(2),
    });
    const alarmNames = [...new Set(rollbackAlarms(props.config).map((a) => a.name))].sort();
    // A rollback alarm named like one of opsbot's own would be told as opsbot failing: the two rules, and the worker's
    // routing, must never take one event for the other.
    const mistaken = alarmNames.filter((name) => readOwnAlarmName(name) !== undefined);
    if (mistaken.length > 0) {
      throw new Error(
        `rollbackAlarms: ${mistaken.map((n) => `"${n}"`).join(', ')} named like opsbot's own alarms (<stack>-self-watch-<kind>); rename ${mistaken.length === 1 ? 'it' : 'them'} in CloudWatch and in the configuration`,
      );
    }
    // Events about opsbot's own alarms: from this account, and from the access stacks' (forwarded to this bus).
    const ownAccounts = [Aws.ACCOUNT_ID, ...forwarding];
    /** A rule's `detail` (and `account`) scope for a declared event type; undefined: no rule (nothing to match). */
    const scopeOf = (type: EventType): { detail?: Record<string, string[]>; account?: string[] } | undefined => {
      const configured = type.configured;
      const declared = type.detail as Record<string, string[]> | undefined;
      const detail = (scope: Record<string, string[]>) =>
        declared === undefined && Object.keys(scope).length === 0 ? {} : { detail: { ...declared, ...scope } };
      if (configured === undefined) return detail({});
      // Alarm events only for the configured rollback alarms: with none configured, no rule at all.
      if ('alarmField' in configured) {
        return alarmNames.length === 0 ? undefined : detail({ [configured.alarmField]: alarmNames });
      }
      if ('ownAlarmField' in configured) {
        return { ...detail({ [configured.ownAlarmField]: [...this.ownAlarmNames] }), account: ownAccounts };
      }
      return detail(pipelines.length > 0 ? { [configured.pipelineField]: pipelines } : {});
    };
    for (const reaction of reactions) {
      reaction.events.forEach((type, i) => {
        // Scheduled events come from their schedule (below), not from a rule.
        if (type.scheduled === true) return;
        const scope = scopeOf(type);
        if (scope === undefined) return;
        new Rule(this, `${reaction.name}Events${i === 0 ? '' : i + 1}`, {
          description: `opsbot: ${type.purpose ?? type.detailType} → worker (${reaction.name})`,
          eventPattern: {
            source: [type.source],
            detailType: [type.detailType],
            ...(scope.account !== undefined && { account: scope.account }),
            ...(scope.detail !== undefined && { detail: scope.detail }),
          },
          targets: [target],
        });
      });
    }

    // The daily maintenance digest: EventBridge Scheduler in the team's time zone (DST included), to the same alias.
    const [hour, minute] = props.config.notices.at.split(':');
    new Schedule(this, 'MaintenanceDigest', {
      description: `opsbot: the daily AWS maintenance digest at ${props.config.notices.at} ${props.config.timeZone}`,
      schedule: ScheduleExpression.cron({ hour, minute, timeZone: TimeZone.of(props.config.timeZone) }),
      target: new LambdaInvoke(events, {
        input: ScheduleTargetInput.fromObject({
          version: '0',
          id: ContextAttribute.executionId,
          'detail-type': 'Maintenance Digest',
          source: 'opsbot.scheduler',
          account: Aws.ACCOUNT_ID,
          time: ContextAttribute.scheduledTime,
          region: Aws.REGION,
          resources: [],
          detail: {},
        }),
        deadLetterQueue: deadLetters,
        retryAttempts: 2,
        maxEventAge: Duration.hours(2),
      }),
    });
    grantMaintenance(this, this.workerFunction.role as IRole, props.config, (account) => account.roleArn === undefined);

    // The other accounts' events arrive through their default buses (each place's OpsbotEventsStack forwards them).
    for (const accountId of forwarding) {
      // The plain resource: CfnEventBusPolicy's deprecated `principal` getter warns at every synth.
      new CfnResource(this, `AlarmEventsFrom${accountId}`, {
        type: 'AWS::Events::EventBusPolicy',
        properties: {
          EventBusName: 'default',
          StatementId: `opsbot-alarm-events-from-${accountId}`,
          Statement: {
            Sid: `opsbot-alarm-events-from-${accountId}`,
            Effect: 'Allow',
            Principal: { AWS: `arn:${Aws.PARTITION}:iam::${accountId}:root` },
            Action: 'events:PutEvents',
            Resource: `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`,
          },
        },
      });
    }

    new CfnOutput(this, 'SlackRequestUrl', {
      value: this.requestUrl,
      description: 'Paste into the Slack app: slash command, events and interactivity',
    });
    new CfnOutput(this, 'SlackBotTokenSecret', { value: botToken.secretName });
    new CfnOutput(this, 'SlackSigningSecretName', { value: signingSecret.secretName });
  }
}

/**
 * The dead-letter queue as the destination of failed asynchronous invocations. Lambda sends there as the function's
 * role, with `sqs:SendMessage` and nothing else (CDK's SqsDestination would grant two reads Lambda never makes).
 */
function deadLetterDestination(queue: Queue): IDestination {
  return {
    bind(_scope, fn) {
      fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
      return { destination: queue.queueArn };
    },
  };
}

function pipelineArn(name: string, pipeline: { account: string; region: string }): string {
  return `arn:${Aws.PARTITION}:codepipeline:${pipeline.region}:${pipeline.account}:${name}`;
}

function functionDefaults(
  name: 'worker',
  configFile: string,
  retention: RetentionDays,
  scope: Construct,
): NodejsFunctionProps {
  return {
    entry: join(ROOT, 'bot', 'lambdas', `${name}.lambda.ts`),
    handler: 'handler',
    runtime: LAMBDA_RUNTIME,
    architecture: Architecture.ARM_64,
    projectRoot: ROOT,
    depsLockFilePath: join(ROOT, 'package-lock.json'),
    logGroup: functionLogGroup(name, retention, scope),
    bundling: {
      // Local esbuild (a devDependency): bundling never needs Docker.
      forceDockerBundling: false,
      format: OutputFormat.CJS,
      target: lambdaBundleOptions(name).target,
      minify: lambdaBundleOptions(name).minify,
      sourceMap: lambdaBundleOptions(name).sourcemap,
      sourcesContent: lambdaBundleOptions(name).sourcesContent,
      externalModules: lambdaBundleOptions(name).external,
      esbuildArgs: Object.fromEntries(
        Object.entries(lambdaBundleOptions(name).alias).map(([from, to]) => [`--alias:${from}`, to]),
      ),
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_input: string, output: string) => [
          `cp "${configFile}" "${output}/opsbot.config.json"`,
          ...workerFilePackageCommands(output),
        ],
      },
    },
  };
}

/** The current Node.js Lambda runtime, for both functions. */
const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

function functionLogGroup(name: 'slack' | 'worker', retention: RetentionDays, scope: Construct): LogGroup {
  return new LogGroup(scope, `${name === 'slack' ? 'Slack' : 'Worker'}Logs`, {
    retention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** Writes the validated configuration as the JSON the functions read; returns its path. */
function writeConfigAsset(config: OpsbotConfig, id: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-config-'));
  const file = join(dir, `${id}.json`);
  writeFileSync(file, renderDeployedConfig(config));
  return file;
}
