import { DescribeUpdateActionsCommand, type ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { MaintenanceNotice } from '../../maintenance.port';
import type { AwsAccount } from '../clients';
import { accountOf, type Call, ms } from './notices';

/** ElastiCache service updates not yet applied, due by their recommended apply-by date. */
export async function elasticacheNotices(
  client: ElastiCacheClient,
  account: AwsAccount,
  region: string,
  call: Call,
): Promise<MaintenanceNotice[]> {
  const out: MaintenanceNotice[] = [];
  let marker: string | undefined;
  do {
    const page = await call(() =>
      client.send(
        new DescribeUpdateActionsCommand({
          ServiceUpdateStatus: ['available'],
          UpdateActionStatus: [
            'not-applied',
            'waiting-to-start',
            'in-progress',
            'stopping',
            'stopped',
            'scheduling',
            'scheduled',
          ],
          ...(marker !== undefined && { Marker: marker }),
        }),
      ),
    );
    for (const a of page.UpdateActions ?? []) {
      const target = a.ReplicationGroupId ?? a.CacheClusterId;
      const startsAt = ms(a.ServiceUpdateRecommendedApplyByDate) ?? ms(a.ServiceUpdateReleaseDate);
      if (target === undefined || a.ServiceUpdateName === undefined || startsAt === undefined) continue;
      out.push({
        id: `elasticache:${account.id}:${region}:${target}:${a.ServiceUpdateName}`,
        source: 'elasticache',
        account: accountOf(account),
        region,
        service: 'ElastiCache',
        kind: a.ServiceUpdateName,
        resources: [{ id: target, name: target }],
        startsAt,
        ...(a.UpdateActionStatus !== undefined && { status: a.UpdateActionStatus }),
        says: `Service update ${a.ServiceUpdateName}${describeUpdate(a.ServiceUpdateType, a.ServiceUpdateSeverity)}, to apply by the recommended date`,
        options: [
          'Apply it now, at a time you choose (BatchApplyUpdateAction)',
          'Or stop it for now (BatchStopUpdateAction)',
        ],
        console: `https://${region}.console.aws.amazon.com/elasticache/home?region=${region}#/service-updates`,
      });
    }
    marker = page.Marker;
  } while (marker !== undefined);
  return out;
}

/** " (security-update, severity important)", or nothing when AWS says neither. */
function describeUpdate(type: string | undefined, severity: string | undefined): string {
  const parts = [type, severity !== undefined ? `severity ${severity}` : undefined].filter((p) => p !== undefined);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
