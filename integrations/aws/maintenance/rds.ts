import {
  DescribePendingMaintenanceActionsCommand,
  ListTagsForResourceCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { MaintenanceNotice, NoticeResource } from '../../maintenance.port';
import { mapLimit } from '../aws-calls';
import type { AwsAccount } from '../clients';
import { accountOf, type Call, ms, text } from './notices';

/** RDS (Aurora, DocumentDB, Neptune) pending maintenance with a date, with each resource's tags. */
export async function rdsNotices(
  client: RDSClient,
  account: AwsAccount,
  region: string,
  serviceTag: string,
  window: { from: number; until: number },
  call: Call,
): Promise<MaintenanceNotice[]> {
  const out: MaintenanceNotice[] = [];
  let marker: string | undefined;
  do {
    const page = await call(() =>
      client.send(new DescribePendingMaintenanceActionsCommand({ ...(marker !== undefined && { Marker: marker }) })),
    );
    for (const resource of page.PendingMaintenanceActions ?? []) {
      const arn = resource.ResourceIdentifier;
      if (arn === undefined) continue;
      const name = arn.split(':').at(-1) ?? arn;
      for (const d of resource.PendingMaintenanceActionDetails ?? []) {
        const current = ms(d.CurrentApplyDate);
        const auto = ms(d.AutoAppliedAfterDate);
        const forced = ms(d.ForcedApplyDate);
        // Without a date it is only available: nothing is scheduled yet.
        const startsAt = current ?? auto ?? forced;
        if (startsAt === undefined || d.Action === undefined) continue;
        out.push({
          id: `rds:${arn}:${d.Action}`,
          source: 'rds',
          account: accountOf(account),
          region,
          service: 'RDS',
          kind: d.Action,
          resources: [{ id: arn, name }],
          startsAt,
          ...(forced !== undefined && { deadline: forced }),
          status: d.OptInStatus ?? 'not opted in',
          says: text(d.Description) || d.Action,
          options: [
            'Apply it now, at a time you choose (ApplyPendingMaintenanceAction, immediate)',
            ...(d.OptInStatus === 'next-maintenance' ? ['Defer it: undo the opt-in (undo-opt-in)'] : []),
            ...(forced !== undefined ? ['AWS applies it by its forced date regardless'] : []),
          ],
          console: `https://${region}.console.aws.amazon.com/rds/home?region=${region}#database:id=${encodeURIComponent(name)}`,
        });
      }
    }
    marker = page.Marker;
  } while (marker !== undefined);
  // Tags say which opsbot service a database belongs to: read for what falls in the window only.
  const inWindow = out.filter((n) => n.startsAt <= window.until && (n.deadline ?? n.startsAt) >= window.from);
  const arns = [...new Set(inWindow.map((n) => n.resources[0]?.id as string))];
  const tags = new Map<string, Record<string, string>>();
  await mapLimit(arns, 8, async (arn) => {
    const answer = await call(() => client.send(new ListTagsForResourceCommand({ ResourceName: arn })));
    tags.set(
      arn,
      Object.fromEntries(
        (answer.TagList ?? []).flatMap((t) =>
          t.Key !== undefined && t.Value !== undefined && (t.Key === serviceTag || t.Key === 'Name')
            ? [[t.Key, t.Value]]
            : [],
        ),
      ),
    );
  });
  return out.map((n) => {
    const own = tags.get(n.resources[0]?.id as string);
    return own === undefined ? n : { ...n, resources: [{ ...(n.resources[0] as NoticeResource), tags: own }] };
  });
}
