import { activeHealthRegion, HEALTH_GLOBAL_NAME } from '../../integrations/aws/health-endpoint';

describe('AWS Health’s active endpoint', () => {
  it('is the region the global name points at, looked up at most every five minutes', async () => {
    // Prepare: Health has failed over to us-east-2
    let now = 0;
    const asked: string[] = [];
    const region = activeHealthRegion({
      resolveCname: async (name) => {
        asked.push(name);
        return ['health.us-east-2.amazonaws.com'];
      },
      now: () => now,
    });

    // Act
    const first = await region();
    now += 4 * 60_000;
    const soon = await region();
    now += 2 * 60_000;
    await region();

    // Assess
    expect([first, soon]).toEqual(['us-east-2', 'us-east-2']);
    expect(asked).toEqual([HEALTH_GLOBAL_NAME, HEALTH_GLOBAL_NAME]);
  });

  it('is us-east-1, Health’s default active region, when the name cannot be looked up or says nothing known', async () => {
    // Act
    const unreachable = await activeHealthRegion({
      resolveCname: async () => {
        throw Object.assign(new Error('queryCname ETIMEOUT'), { code: 'ETIMEOUT' });
      },
    })();
    const odd = await activeHealthRegion({ resolveCname: async () => ['elsewhere.example.com'] })();

    // Assess
    expect([unreachable, odd]).toEqual(['us-east-1', 'us-east-1']);
  });
});
