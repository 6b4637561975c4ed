import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { withSlackSecrets } from '../../bot/lambdas/secrets';
import { readSettings } from '../../bot/settings';
import { createSlackHandler } from '../support/slack-handler';

const SIGNING_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:opsbot-signing-AbCdEf';
const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:opsbot-token-GhIjKl';

describe('Slack secrets from Secrets Manager', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());

  it('reads the signing secret and bot token named by ARN', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand, { SecretId: SIGNING_ARN }).resolves({ SecretString: 'signing-value' });
    secrets.on(GetSecretValueCommand, { SecretId: TOKEN_ARN }).resolves({ SecretString: 'xoxb-real-token\n' });
    const settings = readSettings({ SLACK_SIGNING_SECRET_ARN: SIGNING_ARN, SLACK_BOT_TOKEN_SECRET_ARN: TOKEN_ARN });

    // Act
    const resolved = await withSlackSecrets(settings);

    // Assess
    expect(resolved).toMatchObject({
      signingSecret: 'signing-value',
      signingSecretIsDefault: false,
      botToken: 'xoxb-real-token',
      botTokenIsDefault: false,
    });
  });

  it('gives the worker its bot token alone: it is given no signing secret to read', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'xoxb-from-secrets-manager' });
    const worker = readSettings({
      AWS_LAMBDA_FUNCTION_NAME: 'opsbot-worker',
      OPSBOT_FUNCTION: 'worker',
      SLACK_BOT_TOKEN_SECRET_ARN: TOKEN_ARN,
    });

    // Act
    const ready = await withSlackSecrets(worker, { fresh: true });

    // Assess
    expect(ready.botToken).toBe('xoxb-from-secrets-manager');
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([TOKEN_ARN]);
  });

  it('says how to set a secret that has no value yet', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '' });

    // Act
    const attempt = withSlackSecrets(readSettings({ SLACK_SIGNING_SECRET_ARN: `${SIGNING_ARN}-empty` }));

    // Assess
    await expect(attempt).rejects.toThrow(/has no value: set it with `aws secretsmanager put-secret-value --secret-id/);
  });

  it('leaves settings alone when the secrets are in the environment', async () => {
    const settings = readSettings({ SLACK_SIGNING_SECRET: 'env-secret' });
    await expect(withSlackSecrets(settings)).resolves.toBe(settings);
    expect(secrets.calls()).toHaveLength(0);
  });
});

describe('the development signing secret', () => {
  it('is refused in Lambda with a line that says what to set', () => {
    // Act
    const start = () => readSettings({ AWS_LAMBDA_FUNCTION_NAME: 'opsbot-slack' });

    // Assess
    expect(start).toThrow(
      /SLACK_SIGNING_SECRET: the development default is refused in Lambda; set SLACK_SIGNING_SECRET_ARN/,
    );
    expect(() =>
      readSettings({ AWS_LAMBDA_FUNCTION_NAME: 'opsbot-slack', SLACK_SIGNING_SECRET_ARN: SIGNING_ARN }),
    ).not.toThrow();
    expect(() => readSettings({})).not.toThrow();
  });

  it('is not asked of the worker, which checks no signature', () => {
    // Act
    const worker = () => readSettings({ AWS_LAMBDA_FUNCTION_NAME: 'opsbot-worker', OPSBOT_FUNCTION: 'worker' });

    // Assess
    expect(worker).not.toThrow();
    expect(() => readSettings({ OPSBOT_FUNCTION: 'edge' })).toThrow(/OPSBOT_FUNCTION: expected "slack" or "worker"/);
  });

  it('is refused by the Slack edge on AWS even when the environment calls it the worker', () => {
    // Prepare
    const mislabelled = readSettings({
      AWS_LAMBDA_FUNCTION_NAME: 'opsbot-slack',
      OPSBOT_FUNCTION: 'worker',
      OPSBOT_BACKEND: 'aws',
    });

    // Act
    const build = () => createSlackHandler(mislabelled, parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')));

    // Assess
    expect(build).toThrow(/SLACK_SIGNING_SECRET: the development default is refused on AWS/);
  });
});

describe('handlers built from the secrets', () => {
  it('are built again once the secrets are older than their cache lifetime, and a failed build is retried', async () => {
    // Prepare
    const { refreshedWithSecrets } = await import('../../bot/lambdas/secrets');
    let now = 0;
    let builds = 0;
    let fail = true;
    const fresh: boolean[] = [];
    const handler = refreshedWithSecrets(
      async (refresh) => {
        builds++;
        fresh.push(refresh);
        if (fail) throw new Error('the secret has no value yet');
        return `handler ${builds}`;
      },
      { maxAgeMs: 300_000, now: () => now },
    );

    // Act
    const first = await handler().catch((error: Error) => error.message);
    fail = false;
    const second = await handler();
    now += 299_000;
    const cached = await handler();
    now += 2_000;
    const rotated = await handler();
    fail = true;
    now += 301_000;
    const throttled = await handler();
    const stillThrottled = await handler();
    fail = false;
    const recovered = await handler();

    // Assess: a refresh reads the secrets afresh, and one that fails keeps the handler that works, until one works
    expect([first, second, cached, rotated, throttled, stillThrottled, recovered]).toEqual([
      'the secret has no value yet',
      'handler 2',
      'handler 2',
      'handler 3',
      'handler 3',
      'handler 3',
      'handler 6',
    ]);
    expect(fresh).toEqual([false, false, true, true, true, true]);
  });
});
