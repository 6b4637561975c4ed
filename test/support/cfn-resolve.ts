import { createHash } from 'node:crypto';
import type { Template } from 'aws-cdk-lib/assertions';

/**
 * Resolves the intrinsic functions of a synthesized CloudFormation template the way one deployment would, with
 * made-up but deterministic physical names and ids: the same template and place always give the same names, so the
 * ARNs in a role's policies and the settings in a function's environment agree, as they do once deployed.
 *
 * Generated names follow CloudFormation's `<stack>-<logical id>-<suffix>` (a trust policy's `Opsbot-Worker*` then
 * matches the worker's role as it does in AWS); a name the template sets is kept.
 */

/** Where a template is deployed: what its pseudo parameters resolve to. */
export interface StackPlace {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/** A resource as a template declares it. */
export interface CfnResourceDefinition {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The parts of a template the resolver reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResourceDefinition>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

/** A template as CDK's assertions hold it, or its JSON. */
export type TemplateSource = Template | CfnTemplate;

/** What `Ref: AWS::NoValue` resolves to: the property or element is left out. */
const NO_VALUE = Symbol('AWS::NoValue');

const DOMAIN_SUFFIX = 'amazonaws.com';

/**
 * Resolves values of one template deployed at one place.
 * @example
 * const resolver = new CfnResolver(Template.fromStack(stack), { account: '111111111111', region: 'eu-west-1', stackName: 'Opsbot' });
 * resolver.resolve({ 'Fn::GetAtt': ['Worker11F36D0F', 'Arn'] }); // 'arn:aws:lambda:eu-west-1:111111111111:function:Opsbot-Worker11F36D0F-…'
 */
export class CfnResolver {
  readonly template: CfnTemplate;
  readonly partition: string;

  constructor(
    template: TemplateSource,
    readonly place: StackPlace,
  ) {
    this.template = isAssertionsTemplate(template) ? (template.toJSON() as CfnTemplate) : template;
    this.partition = place.partition ?? 'aws';
  }

  /** The template's resources, by logical id. */
  get resources(): Record<string, CfnResourceDefinition> {
    return this.template.Resources ?? {};
  }

  /** The logical ids of the resources of `type`. */
  logicalIdsOf(type: string): string[] {
    return Object.entries(this.resources)
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id);
  }

  /** Any value of the template with every intrinsic function resolved; `AWS::NoValue` leaves its property out. */
  resolve(value: unknown): unknown {
    const resolved = this.value(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** A value that must resolve to a string. */
  resolveString(value: unknown, what = 'value'): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string' && typeof resolved !== 'number') {
      throw new Error(`cfn-resolve: ${what} resolved to ${JSON.stringify(resolved)}, not a string`);
    }
    return String(resolved);
  }

  /** A Lambda function's environment variables, resolved. */
  environment(functionLogicalId: string): Record<string, string> {
    const fn = this.resource(functionLogicalId, 'AWS::Lambda::Function');
    const variables = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    return Object.fromEntries(
      Object.entries(variables ?? {}).map(([k, v]) => [k, this.resolveString(v, `${functionLogicalId} ${k}`)]),
    );
  }

  /** A resource's definition; throws when the template has none by that id (or not of `type`). */
  resource(logicalId: string, type?: string): CfnResourceDefinition {
    const resource = this.resources[logicalId];
    if (resource === undefined)
      throw new Error(`cfn-resolve: no resource ${logicalId} in stack ${this.place.stackName}`);
    if (type !== undefined && resource.Type !== type) {
      throw new Error(`cfn-resolve: ${logicalId} is a ${resource.Type}, not a ${type}`);
    }
    return resource;
  }

  /** What `Ref` of a logical id (resource, parameter or pseudo parameter) gives. */
  ref(name: string): unknown {
    const pseudo = this.pseudo(name);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.template.Parameters?.[name];
    if (parameter !== undefined) {
      if (parameter.Default === undefined) throw new Error(`cfn-resolve: parameter ${name} has no default`);
      return parameter.Default;
    }
    const resource = this.resource(name);
    const rule = RULES[resource.Type];
    return rule?.ref !== undefined ? rule.ref(this.subject(name, resource)) : this.generatedName(name);
  }

  /** What `Fn::GetAtt` of a resource's attribute gives. */
  getAtt(logicalId: string, attribute: string): unknown {
    const resource = this.resource(logicalId);
    const found = RULES[resource.Type]?.attributes?.[attribute];
    if (found === undefined) {
      throw new Error(
        `cfn-resolve: no rule for Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}); add one to test/support/cfn-resolve.ts`,
      );
    }
    return found(this.subject(logicalId, resource));
  }

  /**
   * The name CloudFormation would generate for a resource: `<stack>-<logical id>-<suffix>`, cut to `maxLength` as
   * CloudFormation cuts it (the logical id part first).
   */
  generatedName(logicalId: string, maxLength = 128): string {
    const suffix = token(`${this.seed(logicalId)}/name`, 12, UPPER_ALNUM);
    const base = `${this.place.stackName}-${logicalId}`;
    return `${base.slice(0, Math.max(1, maxLength - suffix.length - 1))}-${suffix}`;
  }

  /** A deterministic id for a resource, from `alphabet`. */
  id(logicalId: string, length: number, alphabet = UPPER_ALNUM, salt = 'id'): string {
    return token(`${this.seed(logicalId)}/${salt}`, length, alphabet);
  }

  /** A deterministic UUID for a resource. */
  uuidOf(logicalId: string, salt = 'uuid'): string {
    return uuid(`${this.seed(logicalId)}/${salt}`);
  }

  /** An ARN in this stack's partition, region and account (either left out when `''`). */
  arn(service: string, resource: string, options: { region?: string; account?: string } = {}): string {
    return `arn:${this.partition}:${service}:${options.region ?? this.place.region}:${options.account ?? this.place.account}:${resource}`;
  }

  private seed(logicalId: string): string {
    return `${this.place.account}/${this.place.region}/${this.place.stackName}/${logicalId}`;
  }

  private subject(logicalId: string, resource: CfnResourceDefinition): Subject {
    return { logicalId, props: resource.Properties ?? {}, r: this };
  }

  private pseudo(name: string): string | string[] | undefined {
    switch (name) {
      case 'AWS::Partition':
        return this.partition;
      case 'AWS::AccountId':
        return this.place.account;
      case 'AWS::Region':
        return this.place.region;
      case 'AWS::URLSuffix':
        return DOMAIN_SUFFIX;
      case 'AWS::StackName':
        return this.place.stackName;
      case 'AWS::StackId':
        return this.arn('cloudformation', `stack/${this.place.stackName}/${uuid(this.seed('AWS::StackId'))}`);
      case 'AWS::NotificationARNs':
        return [];
      default:
        return undefined;
    }
  }

  private value(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.value(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [first] = entries;
    if (entries.length === 1 && first !== undefined && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return this.intrinsic(first[0], first[1]);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = this.value(v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  private intrinsic(name: string, argument: unknown): unknown {
    switch (name) {
      case 'Ref': {
        if (argument === 'AWS::NoValue') return NO_VALUE;
        return this.ref(String(argument));
      }
      case 'Fn::GetAtt': {
        const [id, ...attr] = Array.isArray(argument)
          ? (this.value(argument) as unknown[]).map(String)
          : String(argument).split('.');
        return this.getAtt(id as string, attr.join('.'));
      }
      case 'Fn::Join': {
        const [delimiter, list] = argument as [string, unknown];
        return this.list(list, 'Fn::Join').join(delimiter);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        const items = this.list(list, 'Fn::Select');
        const i = Number(this.value(index));
        if (!(i >= 0 && i < items.length)) throw new Error(`cfn-resolve: Fn::Select ${i} of ${items.length} items`);
        return items[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = argument as [string, unknown];
        return this.resolveString(source, 'Fn::Split source').split(delimiter);
      }
      case 'Fn::Sub':
        return this.sub(argument);
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
        return this.condition(condition) ? this.value(whenTrue) : this.value(whenFalse);
      }
      case 'Fn::Base64':
        return Buffer.from(this.resolveString(argument, 'Fn::Base64')).toString('base64');
      case 'Fn::GetAZs': {
        const region = this.resolve(argument);
        const r = typeof region === 'string' && region !== '' ? region : this.place.region;
        return [`${r}a`, `${r}b`, `${r}c`];
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = (this.value(argument) as unknown[]).map(String);
        const found = this.template.Mappings?.[map as string]?.[top as string]?.[second as string];
        if (found === undefined) throw new Error(`cfn-resolve: no mapping ${map}.${top}.${second}`);
        return this.value(found);
      }
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return this.truth(name, argument);
      default:
        throw new Error(
          `cfn-resolve: ${name} is not resolved (${JSON.stringify(argument).slice(0, 200)}); add it to test/support/cfn-resolve.ts`,
        );
    }
  }

  private list(value: unknown, where: string): string[] {
    const resolved = this.value(value);
    if (!Array.isArray(resolved))
      throw new Error(`cfn-resolve: ${where} needs a list, got ${JSON.stringify(resolved)}`);
    return resolved.map((v) => {
      if (typeof v !== 'string' && typeof v !== 'number') {
        throw new Error(`cfn-resolve: ${where} item resolved to ${JSON.stringify(v)}, not a string`);
      }
      return String(v);
    });
  }

  private sub(argument: unknown): string {
    const [text, variables] = Array.isArray(argument)
      ? (argument as [string, Record<string, unknown>])
      : [argument as string, {}];
    return text.replace(/\$\{([^}]+)\}/g, (_all, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in variables) return this.resolveString(variables[name], `Fn::Sub \${${name}}`);
      const dot = name.indexOf('.');
      const value =
        dot > 0 && this.pseudo(name) === undefined
          ? this.getAtt(name.slice(0, dot), name.slice(dot + 1))
          : this.ref(name);
      return String(value);
    });
  }

  private condition(name: string): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`cfn-resolve: no condition ${name}`);
    return this.truthOf(definition);
  }

  private truthOf(value: unknown): boolean {
    if (typeof value === 'boolean') return value;
    const entries = Object.entries((value ?? {}) as Record<string, unknown>);
    const [first] = entries;
    if (first === undefined) throw new Error(`cfn-resolve: condition ${JSON.stringify(value)}`);
    if (first[0] === 'Condition') return this.condition(String(first[1]));
    return this.truth(first[0], first[1]);
  }

  private truth(name: string, argument: unknown): boolean {
    const args = argument as unknown[];
    switch (name) {
      case 'Fn::Equals':
        return JSON.stringify(this.resolve(args[0])) === JSON.stringify(this.resolve(args[1]));
      case 'Fn::Not':
        return !this.truthOf(args[0]);
      case 'Fn::And':
        return args.every((a) => this.truthOf(a));
      case 'Fn::Or':
        return args.some((a) => this.truthOf(a));
      default:
        throw new Error(`cfn-resolve: condition function ${name}`);
    }
  }
}

/**
 * Resolves `value` as it reads in `template` deployed at `place`.
 * @example
 * resolveCfn(Template.fromStack(stack), place, { Ref: 'Store1D2A845B' }); // the table's name
 */
export function resolveCfn(template: TemplateSource, place: StackPlace, value: unknown): unknown {
  return new CfnResolver(template, place).resolve(value);
}

/** A resource being resolved: its logical id, its properties (unresolved) and the resolver. */
interface Subject {
  readonly logicalId: string;
  readonly props: Record<string, unknown>;
  readonly r: CfnResolver;
}

type Rule = {
  readonly ref?: (s: Subject) => unknown;
  readonly attributes?: Readonly<Record<string, (s: Subject) => unknown>>;
};

/** A property the template sets, resolved, or the name CloudFormation would generate. */
function nameOf(s: Subject, property: string, maxLength?: number): string {
  const set = s.props[property];
  return set !== undefined
    ? s.r.resolveString(set, `${s.logicalId}.${property}`)
    : s.r.generatedName(s.logicalId, maxLength);
}

/** A Lambda function's ARN from what a property names it by (name, partial or full ARN). */
function functionArn(s: Subject, property: string): string {
  const named = s.r.resolveString(s.props[property], `${s.logicalId}.${property}`);
  if (named.startsWith('arn:')) return named;
  return s.r.arn('lambda', `function:${named}`);
}

const roleArn = (s: Subject) => {
  const path = s.props.Path !== undefined ? s.r.resolveString(s.props.Path) : '/';
  return `arn:${s.r.partition}:iam::${s.r.place.account}:role${path}${nameOf(s, 'RoleName', 64)}`;
};
const managedPolicyArn = (s: Subject) => {
  const path = s.props.Path !== undefined ? s.r.resolveString(s.props.Path) : '/';
  return `arn:${s.r.partition}:iam::${s.r.place.account}:policy${path}${nameOf(s, 'ManagedPolicyName', 128)}`;
};
const lambdaArn = (s: Subject) => s.r.arn('lambda', `function:${nameOf(s, 'FunctionName', 64)}`);
const tableArn = (s: Subject) => s.r.arn('dynamodb', `table/${nameOf(s, 'TableName', 255)}`);
/** Secrets Manager adds six random characters to a secret's name in its ARN. */
const secretArn = (s: Subject) => {
  const name = s.props.Name !== undefined ? s.r.resolveString(s.props.Name) : s.logicalId;
  return s.r.arn('secretsmanager', `secret:${name}-${s.r.id(s.logicalId, 6, MIXED_ALPHA, 'secret')}`);
};
const stateMachineArn = (s: Subject) => s.r.arn('states', `stateMachine:${nameOf(s, 'StateMachineName', 80)}`);
const queueName = (s: Subject) => nameOf(s, 'QueueName', 80);
const logGroupName = (s: Subject) => nameOf(s, 'LogGroupName', 512);
const botId = (s: Subject) => s.r.id(s.logicalId, 10, UPPER_ALNUM, 'bot');
const botAliasId = (s: Subject) => s.r.id(s.logicalId, 10, UPPER_ALNUM, 'alias');
const apiId = (s: Subject) => s.r.id(s.logicalId, 10, LOWER_ALNUM, 'api');
const ruleName = (s: Subject) => nameOf(s, 'Name', 64);
const alarmName = (s: Subject) => nameOf(s, 'AlarmName', 255);
const topicArn = (s: Subject) => s.r.arn('sns', nameOf(s, 'TopicName', 256));
const bucketName = (s: Subject) =>
  s.props.BucketName !== undefined
    ? s.r.resolveString(s.props.BucketName)
    : s.r.generatedName(s.logicalId, 63).toLowerCase();
const scheduleArn = (s: Subject) => {
  const group = s.props.GroupName !== undefined ? s.r.resolveString(s.props.GroupName) : 'default';
  return s.r.arn('scheduler', `schedule/${group}/${nameOf(s, 'Name', 64)}`);
};

/** What `Ref` and `Fn::GetAtt` give for the resource types opsbot's stacks hold (CloudFormation's documented values). */
const RULES: Readonly<Record<string, Rule>> = {
  'AWS::IAM::Role': {
    ref: (s) => nameOf(s, 'RoleName', 64),
    attributes: { Arn: roleArn, RoleId: (s) => `AROA${s.r.id(s.logicalId, 17, UPPER_ALNUM, 'role')}` },
  },
  'AWS::IAM::Policy': { ref: (s) => s.r.id(s.logicalId, 20, UPPER_ALNUM, 'policy') },
  'AWS::IAM::ManagedPolicy': { ref: managedPolicyArn, attributes: { PolicyArn: managedPolicyArn } },
  'AWS::Lambda::Function': {
    ref: (s) => nameOf(s, 'FunctionName', 64),
    attributes: { Arn: lambdaArn },
  },
  'AWS::Lambda::Version': {
    ref: (s) => `${functionArn(s, 'FunctionName')}:1`,
    attributes: { Version: () => '1', FunctionArn: (s) => `${functionArn(s, 'FunctionName')}:1` },
  },
  'AWS::Lambda::Alias': {
    ref: (s) => `${functionArn(s, 'FunctionName')}:${s.r.resolveString(s.props.Name)}`,
    attributes: { AliasArn: (s) => `${functionArn(s, 'FunctionName')}:${s.r.resolveString(s.props.Name)}` },
  },
  'AWS::DynamoDB::Table': {
    ref: (s) => nameOf(s, 'TableName', 255),
    attributes: { Arn: tableArn, StreamArn: (s) => `${tableArn(s)}/stream/2026-01-01T00:00:00.000` },
  },
  'AWS::DynamoDB::GlobalTable': {
    ref: (s) => nameOf(s, 'TableName', 255),
    attributes: {
      Arn: tableArn,
      StreamArn: (s) => `${tableArn(s)}/stream/2026-01-01T00:00:00.000`,
      TableId: (s) => s.r.uuidOf(s.logicalId, 'table'),
    },
  },
  'AWS::SecretsManager::Secret': { ref: secretArn, attributes: { Id: secretArn } },
  'AWS::StepFunctions::StateMachine': {
    ref: stateMachineArn,
    attributes: { Arn: stateMachineArn, Name: (s) => nameOf(s, 'StateMachineName', 80) },
  },
  'AWS::SQS::Queue': {
    ref: (s) => `https://sqs.${s.r.place.region}.${DOMAIN_SUFFIX}/${s.r.place.account}/${queueName(s)}`,
    attributes: {
      Arn: (s) => s.r.arn('sqs', queueName(s)),
      QueueName: queueName,
      QueueUrl: (s) => `https://sqs.${s.r.place.region}.${DOMAIN_SUFFIX}/${s.r.place.account}/${queueName(s)}`,
    },
  },
  'AWS::Logs::LogGroup': {
    ref: logGroupName,
    attributes: { Arn: (s) => s.r.arn('logs', `log-group:${logGroupName(s)}:*`) },
  },
  'AWS::Lex::Bot': {
    ref: botId,
    attributes: { Id: botId, Arn: (s) => s.r.arn('lex', `bot/${botId(s)}`) },
  },
  'AWS::Lex::BotAlias': {
    ref: botAliasId,
    attributes: {
      BotAliasId: botAliasId,
      Arn: (s) => s.r.arn('lex', `bot-alias/${s.r.resolveString(s.props.BotId)}/${botAliasId(s)}`),
    },
  },
  'AWS::Lex::BotVersion': { ref: () => '1', attributes: { BotVersion: () => '1' } },
  'AWS::Events::Rule': {
    ref: ruleName,
    attributes: { Arn: (s) => s.r.arn('events', `rule/${ruleName(s)}`) },
  },
  'AWS::Events::EventBus': {
    ref: (s) => nameOf(s, 'Name'),
    attributes: { Arn: (s) => s.r.arn('events', `event-bus/${nameOf(s, 'Name')}`), Name: (s) => nameOf(s, 'Name') },
  },
  'AWS::SNS::Topic': {
    ref: topicArn,
    attributes: { TopicArn: topicArn, TopicName: (s) => nameOf(s, 'TopicName', 256) },
  },
  'AWS::CloudWatch::Alarm': {
    ref: alarmName,
    attributes: { Arn: (s) => s.r.arn('cloudwatch', `alarm:${alarmName(s)}`) },
  },
  'AWS::ApiGatewayV2::Api': {
    ref: apiId,
    attributes: {
      ApiId: apiId,
      ApiEndpoint: (s) => `https://${apiId(s)}.execute-api.${s.r.place.region}.${DOMAIN_SUFFIX}`,
    },
  },
  'AWS::ApiGatewayV2::Stage': { ref: (s) => s.r.resolveString(s.props.StageName) },
  'AWS::Scheduler::Schedule': { ref: (s) => nameOf(s, 'Name', 64), attributes: { Arn: scheduleArn } },
  'AWS::S3::Bucket': {
    ref: bucketName,
    attributes: { Arn: (s) => `arn:${s.r.partition}:s3:::${bucketName(s)}` },
  },
  'AWS::KMS::Key': {
    ref: (s) => s.r.uuidOf(s.logicalId, 'key'),
    attributes: {
      KeyId: (s) => s.r.uuidOf(s.logicalId, 'key'),
      Arn: (s) => s.r.arn('kms', `key/${s.r.uuidOf(s.logicalId, 'key')}`),
    },
  },
};

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED_ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `length` characters of `alphabet` drawn from the hash of `seed`: the same seed, the same token. */
function token(seed: string, length: number, alphabet: string): string {
  const bytes = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; out.length < length; i++) out += alphabet[(bytes[i % bytes.length] as number) % alphabet.length];
  return out;
}

function uuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function isAssertionsTemplate(template: TemplateSource): template is Template {
  return typeof (template as { toJSON?: unknown }).toJSON === 'function';
}
