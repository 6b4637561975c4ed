import { STSClient } from '@aws-sdk/client-sts';
import { type AwsAccount, AwsClients } from '../../integrations/aws/clients';

const PROD: AwsAccount & { roleArn: string } = {
  name: 'prod',
  id: '222222222222',
  roleArn: 'arn:aws:iam::222222222222:role/opsbot',
};

/** A factory whose role assumptions are counted, each lasting `lifetimeMs`. */
function counted(lifetimeMs: number) {
  const assumptions: number[] = [];
  const clients = new AwsClients({
    roleCredentials: () => async () => {
      assumptions.push(Date.now());
      return {
        accessKeyId: `ASIA${assumptions.length}`,
        secretAccessKey: 'secret',
        expiration: new Date(Date.now() + lifetimeMs),
      };
    },
  });
  const credentialsOf = (region: string) =>
    (clients.get(STSClient, PROD, region).config.credentials as () => Promise<{ accessKeyId: string }>)();
  return { assumptions, credentialsOf };
}

describe('the client factory’s assumed roles', () => {
  afterEach(() => jest.useRealTimers());

  it('assumes a role once for all its clients while the credentials have more than five minutes left', async () => {
    // Prepare
    const { assumptions, credentialsOf } = counted(60 * 60_000);

    // Act
    const keys = await Promise.all(['eu-west-1', 'us-east-1', 'eu-central-1'].map(credentialsOf));
    const later = await credentialsOf('ap-southeast-2');

    // Assess
    expect(assumptions).toHaveLength(1);
    expect(new Set([...keys, later].map((c) => c.accessKeyId))).toEqual(new Set(['ASIA1']));
  });

  it('assumes it again once the shared credentials are within five minutes of expiry, once for all', async () => {
    // Prepare: an hour's session, 56 minutes later
    jest.useFakeTimers({ now: Date.parse('2026-12-07T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    const { assumptions, credentialsOf } = counted(60 * 60_000);
    await credentialsOf('eu-west-1');
    jest.setSystemTime(Date.parse('2026-12-07T10:56:00Z'));

    // Act
    const renewed = await Promise.all(['eu-west-1', 'us-east-1'].map(credentialsOf));

    // Assess
    expect(assumptions).toHaveLength(2);
    expect(renewed.map((c) => c.accessKeyId)).toEqual(['ASIA2', 'ASIA2']);
  });

  it('does not keep a failed assumption: the next call tries again', async () => {
    // Prepare
    let attempts = 0;
    const clients = new AwsClients({
      roleCredentials: () => async () => {
        attempts++;
        if (attempts === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
        return { accessKeyId: 'ASIA2', secretAccessKey: 'secret', expiration: new Date(Date.now() + 3_600_000) };
      },
    });
    const credentials = () =>
      (clients.get(STSClient, PROD, 'eu-west-1').config.credentials as () => Promise<{ accessKeyId: string }>)();

    // Act
    const first = await credentials().catch((error: { code?: string }) => error.code);
    const second = await credentials();

    // Assess
    expect(first).toBe('ROLE_NOT_ASSUMABLE');
    expect(second.accessKeyId).toBe('ASIA2');
  });
});
