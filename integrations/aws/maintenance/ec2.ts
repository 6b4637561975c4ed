import { DescribeInstanceStatusCommand, DescribeTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { MaintenanceNotice } from '../../maintenance.port';
import type { AwsAccount } from '../clients';
import { accountOf, type Call, ms, text } from './notices';

const EC2_EVENT_CODES = [
  'instance-reboot',
  'system-reboot',
  'system-maintenance',
  'instance-retirement',
  'instance-stop',
];

function ec2Options(code: string, deadline: number | undefined): string[] {
  switch (code) {
    case 'instance-reboot':
    case 'system-reboot':
      return [
        'Reboot it yourself before then (the event is then done)',
        ...(deadline !== undefined ? ['Or move it within its window (ModifyInstanceEventStartTime)'] : []),
      ];
    case 'instance-retirement':
    case 'instance-stop':
      return ['Stop and start it (EBS-backed) to move it to healthy hardware before then, or replace it'];
    default:
      return ['Nothing to do: the instance keeps running (it may be briefly affected)'];
  }
}

/** EC2 scheduled events of running instances, with their names and service tags. */
export async function ec2Notices(
  client: EC2Client,
  account: AwsAccount,
  region: string,
  serviceTag: string,
  call: Call,
): Promise<MaintenanceNotice[]> {
  const events: Array<{
    instance: string;
    id?: string;
    code: string;
    says: string;
    startsAt: number;
    endsAt?: number;
    deadline?: number;
  }> = [];
  let nextToken: string | undefined;
  do {
    const page = await call(() =>
      client.send(
        new DescribeInstanceStatusCommand({
          Filters: [{ Name: 'event.code', Values: EC2_EVENT_CODES }],
          MaxResults: 1000,
          ...(nextToken !== undefined && { NextToken: nextToken }),
        }),
      ),
    );
    for (const status of page.InstanceStatuses ?? []) {
      for (const e of status.Events ?? []) {
        const startsAt = ms(e.NotBefore);
        const says = text(e.Description);
        // Done or called off: AWS keeps them listed a while, marked in the description.
        if (status.InstanceId === undefined || e.Code === undefined || startsAt === undefined) continue;
        if (/^\[(Completed|Canceled)\]/i.test(says)) continue;
        const endsAt = ms(e.NotAfter);
        const deadline = ms(e.NotBeforeDeadline);
        events.push({
          instance: status.InstanceId,
          ...(e.InstanceEventId !== undefined && { id: e.InstanceEventId }),
          code: e.Code,
          says,
          startsAt,
          ...(endsAt !== undefined && { endsAt }),
          ...(deadline !== undefined && { deadline }),
        });
      }
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  const tags = new Map<string, Record<string, string>>();
  const ids = [...new Set(events.map((e) => e.instance))];
  for (let i = 0; i < ids.length; i += 200) {
    let token: string | undefined;
    do {
      const page = await call(() =>
        client.send(
          new DescribeTagsCommand({
            Filters: [
              { Name: 'resource-id', Values: ids.slice(i, i + 200) },
              { Name: 'key', Values: ['Name', serviceTag] },
            ],
            ...(token !== undefined && { NextToken: token }),
          }),
        ),
      );
      for (const tag of page.Tags ?? []) {
        if (tag.ResourceId === undefined || tag.Key === undefined || tag.Value === undefined) continue;
        tags.set(tag.ResourceId, { ...tags.get(tag.ResourceId), [tag.Key]: tag.Value });
      }
      token = page.NextToken;
    } while (token !== undefined);
  }
  return events.map((e) => {
    const own = tags.get(e.instance);
    return {
      id: `ec2:${account.id}:${region}:${e.id ?? `${e.instance}:${e.code}`}`,
      source: 'ec2',
      account: accountOf(account),
      region,
      service: 'EC2',
      kind: e.code,
      resources: [
        { id: e.instance, ...(own?.Name !== undefined && { name: own.Name }), ...(own !== undefined && { tags: own }) },
      ],
      startsAt: e.startsAt,
      ...(e.endsAt !== undefined && { endsAt: e.endsAt }),
      ...(e.deadline !== undefined && { deadline: e.deadline }),
      says: e.says,
      options: ec2Options(e.code, e.deadline),
      console: `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#Events:`,
    } satisfies MaintenanceNotice;
  });
}
