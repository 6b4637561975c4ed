import { SECRET_READ, withSlackSecrets } from '../../bot/lambdas/secrets';
import { readSettings } from '../../bot/settings';
import { startSilentServer } from '../support/silent-server';

const SIGNING_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:opsbot-signing-AbCdEf';

describe('reading the Slack secrets from a Secrets Manager that does not answer', () => {
  let secretsManager: Awaited<ReturnType<typeof startSilentServer>>;
  const saved = { ...process.env };

  beforeAll(async () => {
    secretsManager = await startSilentServer();
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
    });
  });
  afterAll(async () => {
    process.env = saved;
    await secretsManager.close();
  });

  it('gives up within Slack’s 3 s, after trying twice, instead of waiting for the function’s timeout', async () => {
    // Prepare
    const settings = readSettings({ SLACK_SIGNING_SECRET_ARN: SIGNING_ARN });
    const started = performance.now();

    // Act
    const outcome = await withSlackSecrets(settings).then(
      () => 'read',
      (error: Error) => error.name,
    );

    // Assess
    const elapsed = performance.now() - started;
    expect(outcome).not.toBe('read');
    expect(secretsManager.connections()).toBe(SECRET_READ.attempts);
    expect(elapsed).toBeGreaterThanOrEqual(SECRET_READ.attempts * SECRET_READ.timeoutMs - 50);
    expect(elapsed).toBeLessThan(3_000);
  }, 15_000);
});
