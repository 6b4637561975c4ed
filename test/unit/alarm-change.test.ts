import { readAlarmChange } from '../../intents/alarm-change';
import { describeShared, sharedJson } from '../support/fixtures';

const fixture = (name: string) => sharedJson(`eb-cloudwatch-alarm-state-change__${name}.json`);

describeShared('CloudWatch Alarm State Change events, as AWS publishes them', () => {
  it('reads a single-metric alarm: metric, dimensions, threshold and the datapoint that crossed it', () => {
    // Act
    const change = readAlarmChange(fixture('aws-docs__single-metric'));

    // Assess
    expect(change).toMatchObject({
      alarm: 'ServerCpuTooHigh',
      state: 'ALARM',
      previous: 'OK',
      threshold: 50,
      datapoints: [99.50160229693434],
      measure: {
        kind: 'metric',
        namespace: 'AWS/EC2',
        metric: 'CPUUtilization',
        dimensions: { InstanceId: 'i-12345678901234567' },
        stat: 'Average',
        periodSeconds: 300,
      },
    });
    expect(change?.reason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[99\.5/);
    expect(change?.at).toBe(Date.parse('2019-10-02T17:04:40.989Z'));
  });

  it('reads a metric-math alarm as its expression', () => {
    const change = readAlarmChange(fixture('aws-docs__metric-math'));
    expect(change).toMatchObject({
      alarm: 'TotalNetworkTrafficTooHigh',
      previous: 'INSUFFICIENT_DATA',
      threshold: 10000,
      datapoints: [45628],
      measure: { kind: 'expression', expression: 'SUM(METRICS())', label: 'Total Network Traffic' },
    });
  });

  it('reads an anomaly-detection alarm, which has a band rather than a threshold', () => {
    const change = readAlarmChange(fixture('aws-docs__anomaly-detection'));
    expect(change?.state).toBe('ALARM');
    expect(change?.threshold).toBeUndefined();
    expect(change?.datapoints).toEqual([0]);
    expect(change?.reason).toMatch(/^Thresholds Crossed: .*lower thresholds/);
  });

  it('reads a composite alarm: its rule, the alarm that triggered it, and that its actions are suppressed', () => {
    const change = readAlarmChange(fixture('aws-docs__composite-suppressed'));
    expect(change?.measure).toMatchObject({ kind: 'composite', triggeredBy: ['ServerCpuTooHigh'] });
    expect(change?.measure?.kind === 'composite' && change.measure.rule).toContain('ALARM(');
    expect(change?.suppressed).toBe('Actions suppressed by WaitPeriod');
  });

  it('reads a recovery, ALARM → OK', () => {
    const change = readAlarmChange(fixture('aws-devops-monitoring-dashboard__ALARM-to-OK'));
    expect([change?.previous, change?.state]).toEqual(['ALARM', 'OK']);
  });
});

describe('an alarm event that is not what it says', () => {
  it('is read as nothing, or without what is missing, and never throws', () => {
    // Prepare: hostile and truncated details
    const details: unknown[] = [
      null,
      'ALARM',
      { alarmName: 'x' },
      { alarmName: 'x', state: { value: 'BROKEN' } },
      { alarmName: 7, state: { value: 'ALARM' } },
    ];

    // Act
    const read = details.map((detail) => readAlarmChange({ detail }));
    const odd = readAlarmChange({
      detail: {
        alarmName: 'a'.repeat(255),
        state: { value: 'ALARM', reasonData: '{not json', reason: 42 },
        configuration: { metrics: 'nope', alarmRule: 7 },
      },
    });

    // Assess
    expect(read).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(odd).toMatchObject({ state: 'ALARM', reason: '', datapoints: [] });
    expect(odd?.alarm).toHaveLength(255);
    expect(odd?.measure).toBeUndefined();
    // Longer than CloudWatch allows: not an alarm's event.
    expect(readAlarmChange({ detail: { alarmName: 'a'.repeat(5_000), state: { value: 'ALARM' } } })).toBeUndefined();
  });
});
