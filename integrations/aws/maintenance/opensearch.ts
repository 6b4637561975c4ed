import { ListDomainNamesCommand, ListScheduledActionsCommand, type OpenSearchClient } from '@aws-sdk/client-opensearch';
import type { MaintenanceNotice } from '../../maintenance.port';
import type { AwsAccount } from '../clients';
import { accountOf, type Call, text } from './notices';

/** OpenSearch scheduled actions (software updates, blue/green changes) of every domain. */
export async function opensearchNotices(
  client: OpenSearchClient,
  account: AwsAccount,
  region: string,
  call: Call,
): Promise<MaintenanceNotice[]> {
  const domains = (await call(() => client.send(new ListDomainNamesCommand({})))).DomainNames ?? [];
  const out: MaintenanceNotice[] = [];
  for (const { DomainName: domain } of domains) {
    if (domain === undefined) continue;
    let token: string | undefined;
    do {
      const page = await call(() =>
        client.send(
          new ListScheduledActionsCommand({ DomainName: domain, ...(token !== undefined && { NextToken: token }) }),
        ),
      );
      for (const a of page.ScheduledActions ?? []) {
        if (a.Id === undefined || a.ScheduledTime === undefined) continue;
        // AWS documents the time as epoch; seconds and milliseconds are both read.
        const startsAt = a.ScheduledTime < 1e12 ? a.ScheduledTime * 1000 : a.ScheduledTime;
        out.push({
          id: `opensearch:${account.id}:${region}:${domain}:${a.Id}`,
          source: 'opensearch',
          account: accountOf(account),
          region,
          service: 'OpenSearch',
          kind: a.Type ?? 'SCHEDULED_ACTION',
          resources: [{ id: domain, name: domain }],
          startsAt,
          ...(a.Status !== undefined && { status: a.Status }),
          says: `${text(a.Description) || (a.Type ?? 'A scheduled action')}${a.Severity !== undefined ? ` (severity ${a.Severity})` : ''}${a.Mandatory === true ? ', mandatory' : ''}`,
          options: a.Cancellable === true ? ['Reschedule it, or cancel it (UpdateScheduledAction)'] : [],
          console: `https://${region}.console.aws.amazon.com/aos/home?region=${region}#opensearch/domains/${encodeURIComponent(domain)}`,
        });
      }
      token = page.NextToken;
    } while (token !== undefined);
  }
  return out;
}
