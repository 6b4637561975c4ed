import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchAlarms } from '../../integrations/aws/cloudwatch-alarms.adapter';
import { describeMoto, type Moto, startMoto } from '../support/moto';

describeMoto('CloudWatch alarms against moto (real SDK v3 over HTTP)', () => {
  let moto: Moto;
  let client: CloudWatchClient;

  beforeAll(async () => {
    moto = await startMoto();
    client = new CloudWatchClient(moto.clientConfig);
    for (const name of ['web-staging-5xx-errors', 'web-staging-latency']) {
      await client.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: 'AWS/ApplicationELB',
          MetricName: name.endsWith('errors') ? 'HTTPCode_Target_5XX_Count' : 'TargetResponseTime',
          Dimensions: [{ Name: 'LoadBalancer', Value: 'app/web-staging/0123456789abcdef' }],
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 5,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
    }
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it('reads the named alarms’ states and reasons, leaving out names it does not have', async () => {
    // Prepare
    await client.send(
      new SetAlarmStateCommand({
        AlarmName: 'web-staging-5xx-errors',
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
      }),
    );
    await client.send(
      new SetAlarmStateCommand({ AlarmName: 'web-staging-latency', StateValue: 'OK', StateReason: 'back to normal' }),
    );

    // Act
    const account = { name: 'tools', id: '123456789012' };
    const adapter = new CloudWatchAlarms(
      [
        {
          service: 'web',
          environment: 'staging',
          account,
          region: 'us-east-1',
          names: ['web-staging-5xx-errors', 'web-staging-latency', 'no-such-alarm'],
        },
      ],
      () => client,
    );
    const states = await adapter.states('web', 'staging');

    // Assess
    expect(states.map((s) => [s.name, s.state, s.reason]).sort()).toEqual([
      [
        'web-staging-5xx-errors',
        'ALARM',
        'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
      ],
      ['web-staging-latency', 'OK', 'back to normal'],
    ]);
    expect(states.every((s) => typeof s.updatedAt === 'number')).toBe(true);
    // Its comparison operator (GreaterThanThreshold) says which side of the threshold breaches.
    expect(states.every((s) => s.breaches === 'above')).toBe(true);
  });

  it('reads a metric-math alarm as its expression (moto has no composite alarms: those are tested on mocks)', async () => {
    // Prepare
    await client.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-staging-error-rate',
        EvaluationPeriods: 1,
        Threshold: 2,
        ComparisonOperator: 'GreaterThanThreshold',
        Metrics: [
          { Id: 'e1', Expression: '100 * m1 / m2', Label: '5xx rate (%)', ReturnData: true },
          {
            Id: 'm1',
            MetricStat: {
              Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count' },
              Period: 60,
              Stat: 'Sum',
            },
            ReturnData: false,
          },
          {
            Id: 'm2',
            MetricStat: {
              Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount' },
              Period: 60,
              Stat: 'Sum',
            },
            ReturnData: false,
          },
        ],
      }),
    );
    const adapter = new CloudWatchAlarms(
      [
        {
          service: 'web',
          environment: 'staging',
          account: { name: 'tools', id: '123456789012' },
          region: 'us-east-1',
          names: ['web-staging-error-rate'],
        },
      ],
      () => client,
    );

    // Act
    const states = await adapter.states('web', 'staging');

    // Assess
    expect(states.find((s) => s.name === 'web-staging-error-rate')).toMatchObject({
      threshold: 2,
      measure: { kind: 'expression', expression: '100 * m1 / m2', label: '5xx rate (%)' },
    });
  });

  it('reads what an alarm watched over a window with GetMetricData (moto answers metrics; expressions are tested on mocks)', async () => {
    // Prepare: a 5xx count and a request count, a minute apart for the last ten minutes
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const dimensions = [{ Name: 'LoadBalancer', Value: 'app/web-staging/0123456789abcdef' }];
    const minutes = Array.from({ length: 10 }, (_, i) => now - (10 - i) * 60_000);
    await client.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricData: minutes.flatMap((at, i) => [
          {
            MetricName: 'HTTPCode_Target_5XX_Count',
            Dimensions: dimensions,
            Timestamp: new Date(at),
            Value: i === 9 ? 12 : 1,
          },
          { MetricName: 'RequestCount', Dimensions: dimensions, Timestamp: new Date(at), Value: 100 },
        ]),
      }),
    );
    const adapter = new CloudWatchAlarms(
      [
        {
          service: 'web',
          environment: 'staging',
          account: { name: 'tools', id: '123456789012' },
          region: 'us-east-1',
          names: ['web-staging-5xx-errors'],
        },
      ],
      () => client,
    );
    const [errors] = (await adapter.states('web', 'staging')).filter((s) => s.name === 'web-staging-5xx-errors');
    const window = { from: now - 15 * 60_000, to: now };

    // Act
    const series = await adapter.series('web', 'staging', errors as never, window);
    // Assess: a point a minute, oldest first, the breach last
    expect(series.periodSeconds).toBe(60);
    expect(series.points.map((p) => p.value)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 12]);
    expect(series.points.map((p) => p.at)).toEqual(minutes);
  });
});
