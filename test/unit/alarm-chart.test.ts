import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import type { AlarmState } from '../../integrations/alarms.port';
import { CloudWatchAlarms } from '../../integrations/aws/cloudwatch-alarms.adapter';
import { readAlarmChange } from '../../intents/alarm-change';
import { alarmPicture, CHART_WAIT_MS, folded, MAX_CHART_POINTS } from '../../intents/deploys/alarm-chart';
import { describeShared, sharedJson } from '../support/fixtures';

const MINUTE = 60_000;
const NOW = Date.parse('2026-12-07T09:41:00Z');

const alarm: AlarmState = {
  name: 'web-staging-5xx-errors',
  state: 'ALARM',
  reason: 'Threshold Crossed',
  threshold: 5,
  datapoints: [9, 12],
  measure: {
    kind: 'metric',
    namespace: 'AWS/ApplicationELB',
    metric: 'HTTPCode_Target_5XX_Count',
    dimensions: { LoadBalancer: 'app/web/1' },
    stat: 'Sum',
    periodSeconds: 60,
  },
};

function ports(series: () => Promise<unknown>) {
  const warnings: Array<[string, Record<string, unknown>]> = [];
  return {
    warnings,
    ports: {
      alarms: { states: async () => [], series } as never,
      clock: { now: () => NOW } as never,
      log: {
        warn: (m: string, f: Record<string, unknown>) => warnings.push([m, f]),
        info() {},
        error() {},
        debug() {},
      } as never,
    },
  };
}

describe('folded: a series drawn in at most 20 points', () => {
  it('keeps each span’s peak, so a one-minute spike in three hours still shows', () => {
    // Prepare: 180 minutes of quiet, one spike
    const points = Array.from({ length: 180 }, (_, i) => ({ at: NOW - (180 - i) * MINUTE, value: i === 100 ? 42 : 1 }));

    // Act
    const drawn = folded(points, MINUTE);

    // Assess
    expect(drawn.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
    expect(drawn.filter((p) => p.value === 42)).toHaveLength(1);
    expect(drawn[0]?.at).toBe(points[0]?.at);
    expect(drawn[1]?.at).toBe((points[0]?.at as number) + 9 * MINUTE);
  });

  it('keeps each span’s lowest value for an alarm that breaches below its threshold (healthy hosts)', () => {
    // Prepare: healthy hosts at 3, one minute at 0
    const points = Array.from({ length: 180 }, (_, i) => ({ at: NOW - (180 - i) * MINUTE, value: i === 100 ? 0 : 3 }));

    // Act
    const drawn = folded(points, MINUTE, 'below');

    // Assess
    expect(drawn.filter((p) => p.value === 0)).toHaveLength(1);
    expect(drawn.every((p) => p.value === 0 || p.value === 3)).toBe(true);
  });

  it('leaves a short series as it is', () => {
    const points = Array.from({ length: 12 }, (_, i) => ({ at: NOW - i * MINUTE, value: i })).reverse();
    expect(folded(points, MINUTE)).toEqual(points);
  });
});

describe('alarmPicture', () => {
  it('gives up the chart when its data is later than it may be, and says the figures CloudWatch quoted', async () => {
    // Prepare: a read that never answers
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const { ports: p, warnings } = ports(() => new Promise(() => undefined));

      // Act
      const pending = alarmPicture({ service: 'web', environment: 'staging' }, alarm, p);
      await jest.advanceTimersByTimeAsync(CHART_WAIT_MS);
      const picture = await pending;

      // Assess
      expect(picture.chart).toBeUndefined();
      expect(picture.figures).toEqual(['Now 12 · peak 12 of the datapoints CloudWatch quoted', ' · threshold 5']);
      expect(warnings).toEqual([['alarm.chart_unread', { alarm: 'web-staging-5xx-errors', code: 'TIMEOUT' }]]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('charts a composite alarm not at all: its figures alone, without asking for a series', async () => {
    // Prepare
    const series = jest.fn();
    const { ports: p } = ports(series);
    const composite: AlarmState = {
      name: 'web-any',
      state: 'ALARM',
      reason: '',
      datapoints: [],
      measure: { kind: 'composite', rule: 'ALARM(a) OR ALARM(b)', triggeredBy: ['a'] },
    };

    // Act
    const picture = await alarmPicture({ service: 'web', environment: 'staging' }, composite, p);

    // Assess
    expect(picture).toEqual({});
    expect(series).not.toHaveBeenCalled();
  });
});

describeShared('CloudWatch GetMetricData for an alarm’s chart (SDK mocked with AWS’s documented shapes)', () => {
  const cloudwatch = mockClient(CloudWatchClient);
  afterEach(() => cloudwatch.reset());
  const adapter = () =>
    new CloudWatchAlarms(
      [
        {
          service: 'web',
          environment: 'staging',
          account: { name: 'tools', id: '123456789012' },
          region: 'us-east-1',
          names: ['TotalNetworkTrafficTooHigh'],
        },
      ],
      () => new CloudWatchClient({ region: 'us-east-1' }),
    );

  it('asks again for a metric-math alarm’s queries as its event gave them, the expression’s values returned, page by page', async () => {
    // Prepare: AWS's published metric-math alarm event, and GetMetricData's documented answer in two pages
    const change = readAlarmChange(sharedJson('eb-cloudwatch-alarm-state-change__aws-docs__metric-math.json'));
    const state: AlarmState = {
      name: change?.alarm as string,
      state: 'ALARM',
      reason: '',
      datapoints: [],
      ...(change?.measure !== undefined && { measure: change.measure }),
    };
    const t = (minutes: number) => new Date(NOW - minutes * 5 * MINUTE);
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          {
            Id: 'e1',
            Label: 'Total Network Traffic',
            Timestamps: [t(2), t(3)],
            Values: [45628, 9000],
            StatusCode: 'PartialData',
          },
        ],
        NextToken: 'page-2',
        Messages: [],
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'e1', Label: 'Total Network Traffic', Timestamps: [t(1)], Values: [51000], StatusCode: 'Complete' },
        ],
        Messages: [],
      });

    // Act
    const series = await adapter().series('web', 'staging', state, { from: NOW - 3 * 3_600_000, to: NOW });

    // Assess
    const [first, second] = cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(first?.MetricDataQueries).toEqual([
      { Id: 'e1', ReturnData: true, Label: 'Total Network Traffic', Expression: 'SUM(METRICS())', Period: 300 },
      {
        Id: 'm1',
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/EC2',
            MetricName: 'NetworkIn',
            Dimensions: [{ Name: 'InstanceId', Value: 'i-12345678901234567' }],
          },
          Period: 300,
          Stat: 'Maximum',
        },
      },
      {
        Id: 'm2',
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/EC2',
            MetricName: 'NetworkOut',
            Dimensions: [{ Name: 'InstanceId', Value: 'i-12345678901234567' }],
          },
          Period: 300,
          Stat: 'Maximum',
        },
      },
    ]);
    expect(first?.ScanBy).toBe('TimestampAscending');
    expect(second?.NextToken).toBe('page-2');
    expect(series).toEqual({
      periodSeconds: 300,
      points: [
        { at: t(3).getTime(), value: 9000 },
        { at: t(2).getTime(), value: 45628 },
        { at: t(1).getTime(), value: 51000 },
      ],
    });
  });

  it('says what to grant when CloudWatch refuses, and refuses an alarm that is not the service’s', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData'), {
        name: 'AccessDenied',
      }),
    );
    const state = { ...alarm, name: 'TotalNetworkTrafficTooHigh' };

    // Act
    const denied = adapter().series('web', 'staging', state, { from: NOW - 3_600_000, to: NOW });
    const foreign = adapter().series('web', 'prod', state, { from: NOW - 3_600_000, to: NOW });

    // Assess
    await expect(denied).rejects.toMatchObject({
      code: 'ALARM_SERIES_UNREADABLE',
      hint: expect.stringContaining('cloudwatch:GetMetricData'),
    });
    await expect(foreign).rejects.toMatchObject({ code: 'ALARM_SERIES_UNKNOWN' });
  });

  it('says the lowest value, not the peak, of an alarm that breaches below its threshold', async () => {
    // Prepare: a healthy-host alarm, its event saying “less than the threshold”
    const change = readAlarmChange({
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '123456789012',
      region: 'eu-west-1',
      resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-healthy-hosts'],
      detail: {
        alarmName: 'web-healthy-hosts',
        state: {
          value: 'ALARM',
          reason:
            'Threshold Crossed: 1 out of the last 1 datapoints [1.0 (07/12/26 09:40:00)] was less than the threshold (2.0) (minimum 1 datapoint for OK -> ALARM transition).',
          reasonData: JSON.stringify({ recentDatapoints: [1], threshold: 2 }),
          timestamp: '2026-12-07T09:41:00.000+0000',
        },
        configuration: {
          metrics: [
            {
              id: 'm1',
              metricStat: {
                metric: { namespace: 'AWS/ApplicationELB', name: 'HealthyHostCount', dimensions: {} },
                period: 60,
                stat: 'Minimum',
              },
              returnData: true,
            },
          ],
        },
      },
    } as never);
    const state = {
      name: 'web-healthy-hosts',
      state: 'ALARM',
      reason: '',
      datapoints: [3, 1],
      threshold: 2,
      breaches: change?.breaches,
    } as AlarmState;
    const { ports: p } = ports(async () => ({
      periodSeconds: 60,
      points: [3, 3, 1, 3].map((value, i) => ({ at: NOW - (4 - i) * MINUTE, value })),
    }));

    // Act
    const picture = await alarmPicture(
      { service: 'web', environment: 'prod' },
      { ...state, measure: change?.measure } as AlarmState,
      p,
    );

    // Assess
    expect(change?.breaches).toBe('below');
    expect((picture.figures as readonly unknown[] | undefined)?.[0]).toBe('Now 3 · lowest 1 in the last 4 min');
  });
});
