import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import { AccountPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { resolveAccount } from '../../bot/accounts';
import type { OpsbotConfig } from '../../bot/config';
import { alarmedGroups } from '../alarm-events';
import { EngineAlarmRollback } from '../constructs/engine-alarm-rollback';
import { grantDeploys } from '../deploy-permissions';
import { grantMaintenance } from '../maintenance-permissions';
import { pipelineStages } from '../pipeline-permissions';

export interface OpsbotAccessStackProps extends StackProps {
  readonly config: OpsbotConfig;
  /** This account's name under `accounts` in the configuration. */
  readonly accountName: string;
  /** The account opsbot runs in: its functions' roles are trusted. */
  readonly homeAccountId: string;
  /**
   * The names of the roles in the home account that may assume this one (IAM `ArnLike`).
   * @default 'Opsbot-Worker*' (the worker function's role in the `Opsbot` stack)
   */
  readonly trustedRoleNames?: string;
  /**
   * Defence in depth: give each configured CodeDeploy deployment group in this account its rollback alarms as its own
   * alarm configuration, with automatic rollback on alarm, so CodeDeploy rolls back even while opsbot is down.
   * @default false (the groups are left as they are)
   */
  readonly engineAlarmRollback?: boolean;
}

/** The name of the access stack of the account named `accountName` under `accounts`: `OpsbotAccess-<name>`. */
export function accessStackName(accountName: string): string {
  return `OpsbotAccess-${accountName}`;
}

/**
 * Deployed to every account opsbot works in but its own: the role opsbot assumes there (the name and external id
 * configured under `accounts`), trusted by opsbot's worker role in the home account only, with the permissions
 * opsbot needs in this account: read and retry of the configured pipelines here, and deploys of the configured
 * services here (ECS, CodeDeploy, ECR, iam:PassRole towards ECS tasks only). IAM is global, so one access stack
 * serves every region of its account; the events of each region reach opsbot through that place's
 * `OpsbotEventsStack`.
 */
export class OpsbotAccessStack extends Stack {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: OpsbotAccessStackProps) {
    super(scope, id, props);
    const account = props.config.accounts[props.accountName];
    if (account?.roleArn === undefined) {
      throw new Error(`accounts.${props.accountName} has no roleArn: opsbot needs no role in its own account`);
    }
    const roleName = account.roleArn.split(':role/')[1] as string;
    const principal = new AccountPrincipal(props.homeAccountId).withConditions({
      ArnLike: {
        'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${props.homeAccountId}:role/${props.trustedRoleNames ?? 'Opsbot-Worker*'}`,
      },
      ...(account.externalId !== undefined && { StringEquals: { 'sts:ExternalId': account.externalId } }),
    });
    this.role = new Role(this, 'OpsbotRole', {
      roleName: roleName.split('/').at(-1) as string,
      ...(roleName.includes('/') && { path: `/${roleName.split('/').slice(0, -1).join('/')}/` }),
      assumedBy: principal,
      description: 'opsbot: the role its worker assumes in this account',
    });
    const pipelines = Object.entries(props.config.pipelines)
      .filter(([, p]) => resolveAccount(props.config, p.account).id === account.id)
      .map(([name, p]) => `arn:${Aws.PARTITION}:codepipeline:${p.region}:${account.id}:${name}`);
    if (pipelines.length > 0) {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: [
            'codepipeline:GetPipelineState',
            'codepipeline:ListPipelineExecutions',
            'codepipeline:ListActionExecutions',
            // What a Confirm card says changes: the run that built an image tagged with its execution id.
            'codepipeline:GetPipelineExecution',
          ],
          resources: pipelines,
        }),
      );
      // Retry is authorized on the stage (`pipeline/stage`), named by the failure being retried.
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ['codepipeline:RetryStageExecution'],
          resources: pipelineStages(this, pipelines),
        }),
      );
    }
    grantDeploys(this, this.role, props.config, (a) => a.id === account.id);
    grantMaintenance(this, this.role, props.config, (a) => a.id === account.id);

    if (props.engineAlarmRollback === true) {
      const groups = alarmedGroups(props.config, account.id);
      if (groups.length > 0) new EngineAlarmRollback(this, 'EngineAlarmRollback', { groups });
    }
  }
}
