import { Aws, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { maintenancePlaces, type ResolvedAccount } from '../bot/accounts';
import type { OpsbotConfig } from '../bot/config';

/**
 * The read calls the maintenance sources make, in the accounts `inAccount` selects that the digest reads: AWS
 * Health (its organizational view in the configured organization account), EC2 scheduled events and tags, RDS
 * pending maintenance and tags, ElastiCache service updates, OpenSearch domains and their scheduled actions.
 * Read only; most of these AWS lets a policy grant on `*` alone.
 */
function maintenanceStatements(
  config: OpsbotConfig,
  inAccount: (account: ResolvedAccount) => boolean,
  p: string,
): PolicyStatement[] {
  const places = maintenancePlaces(config);
  const read = places.accounts.filter((a) => inAccount(a.account));
  const organization = places.organization !== undefined && inAccount(places.organization);
  const statements: PolicyStatement[] = [];
  if (read.length > 0) {
    const ids = [...new Set(read.map((a) => a.account.id))].sort();
    statements.push(
      new PolicyStatement({
        actions: [
          'ec2:DescribeInstanceStatus',
          'ec2:DescribeTags',
          'rds:DescribePendingMaintenanceActions',
          'elasticache:DescribeUpdateActions',
          'es:ListDomainNames',
        ],
        resources: ['*'],
      }),
      new PolicyStatement({
        actions: ['rds:ListTagsForResource'],
        resources: ids.flatMap((id) => [`arn:${p}:rds:*:${id}:db:*`, `arn:${p}:rds:*:${id}:cluster:*`]),
      }),
      new PolicyStatement({
        actions: ['es:ListScheduledActions'],
        resources: ids.map((id) => `arn:${p}:es:*:${id}:domain/*`),
      }),
    );
    if (places.organization === undefined) {
      statements.push(
        new PolicyStatement({ actions: ['health:DescribeEvents'], resources: ['*'] }),
        new PolicyStatement({
          actions: ['health:DescribeEventDetails', 'health:DescribeAffectedEntities'],
          resources: [`arn:${p}:health:*::event/*`],
        }),
      );
    }
  }
  if (organization) {
    statements.push(
      new PolicyStatement({
        actions: [
          'health:DescribeEventsForOrganization',
          'health:DescribeEventDetailsForOrganization',
          'health:DescribeAffectedAccountsForOrganization',
          'health:DescribeAffectedEntitiesForOrganization',
          // What each of the four depends on (the Service Authorization Reference's dependent actions).
          'organizations:ListAccounts',
        ],
        resources: ['*'],
      }),
    );
  }
  return statements;
}

/** Grants the maintenance reads to `grantee`, each wildcard acknowledged for cdk-nag with its reason. */
export function grantMaintenance(
  scope: IConstruct,
  grantee: { addToPrincipalPolicy(statement: PolicyStatement): unknown },
  config: OpsbotConfig,
  inAccount: (account: ResolvedAccount) => boolean,
): void {
  for (const statement of maintenanceStatements(config, inAccount, Aws.PARTITION)) {
    grantee.addToPrincipalPolicy(statement);
  }
  const seen = new Set<string>();
  for (const statement of maintenanceStatements(config, inAccount, '<AWS::Partition>')) {
    for (const resource of statement.resources.filter((r) => r.includes('*'))) {
      const id = `AwsSolutions-IAM5[Resource::${resource}]`;
      if (seen.has(id)) continue;
      seen.add(id);
      Validations.of(scope).acknowledge({
        id,
        reason:
          resource === '*'
            ? 'Read-only maintenance calls (EC2 DescribeInstanceStatus/DescribeTags, RDS DescribePendingMaintenanceActions, ElastiCache DescribeUpdateActions, OpenSearch ListDomainNames, AWS Health DescribeEvents and its organizational view) that AWS grants on * only.'
            : 'Read-only: tags of the account’s databases, scheduled actions of its OpenSearch domains, details of AWS Health events — in every region the digest reads.',
      });
    }
  }
}
