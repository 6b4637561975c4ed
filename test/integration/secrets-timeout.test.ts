import { SECRET_READ, withSlackSecrets } from '../../bot/lambdas/secrets';
import { readSettings } from '../../bot/settings';
import { startSilentServer } from '../support/silent-server';

const SIGNING_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:opsbot-signing-AbCdEf';
const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:opsbot-token-AbCdEf';

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
    const before = secretsManager.connections();
    const started = performance.now();

    // Act
    const outcome = await withSlackSecrets(settings).then(
      () => 'read',
      (error: Error) => error.name,
    );

    // Assess
    const elapsed = performance.now() - started;
    expect(outcome).not.toBe('read');
    expect(secretsManager.connections() - before).toBe(SECRET_READ.attempts);
    expect(elapsed).toBeGreaterThanOrEqual(SECRET_READ.attempts * SECRET_READ.timeoutMs - 50);
    expect(elapsed).toBeLessThan(3_000);
  }, 15_000);

  it('says its reads have started long before Secrets Manager answers, so the rest of the code loads meanwhile', async () => {
    // Prepare
    const settings = readSettings({ SLACK_SIGNING_SECRET_ARN: SIGNING_ARN, SLACK_BOT_TOKEN_SECRET_ARN: TOKEN_ARN });
    const before = secretsManager.connections();
    const started = performance.now();
    let startedAfterMs: number | undefined;
    let settled = false;

    // Act
    const reading = withSlackSecrets(settings, {
      requested: () => {
        startedAfterMs = performance.now() - started;
      },
    })
      .then(
        () => 'read',
        (error: Error) => error.name,
      )
      .finally(() => {
        settled = true;
      });
    while (secretsManager.connections() - before < 2 && !settled) await new Promise((r) => setTimeout(r, 5));
    const bothReachedItUnanswered = !settled;
    const outcome = await reading;

    // Assess: told at once; both reads then reached a Secrets Manager that never answers, and went on to time out.
    const settledAfterMs = performance.now() - started;
    expect(startedAfterMs).toBeDefined();
    expect(startedAfterMs).toBeLessThan(SECRET_READ.timeoutMs / 2);
    expect(bothReachedItUnanswered).toBe(true);
    expect(outcome).not.toBe('read');
    expect(settledAfterMs).toBeGreaterThanOrEqual(SECRET_READ.timeoutMs);
  }, 15_000);
});
