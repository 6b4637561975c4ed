import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmState, Alarms } from '../alarms.port';

/** CloudWatch alarms over `DescribeAlarms` (metric and composite alarms, 100 names per call). */
export class CloudWatchAlarms implements Alarms {
  constructor(private readonly client: CloudWatchClient) {}

  async states(names: readonly string[]): Promise<AlarmState[]> {
    const out: AlarmState[] = [];
    for (let i = 0; i < names.length; i += 100) {
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(
          new DescribeAlarmsCommand({
            AlarmNames: names.slice(i, i + 100),
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            ...(nextToken !== undefined && { NextToken: nextToken }),
          }),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName === undefined || alarm.StateValue === undefined) continue;
          out.push({
            name: alarm.AlarmName,
            state: alarm.StateValue,
            ...(alarm.StateReason !== undefined && { reason: alarm.StateReason }),
            ...(alarm.StateUpdatedTimestamp !== undefined && { updatedAt: alarm.StateUpdatedTimestamp.getTime() }),
          });
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
    }
    return out;
  }
}
