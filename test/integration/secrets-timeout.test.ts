import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { SECRET_READ, withSlackSecrets } from '../../bot/lambdas/secrets';
import { readSettings } from '../../bot/settings';

const SIGNING_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:opsbot-signing-AbCdEf';

describe('reading the Slack secrets from a Secrets Manager that does not answer', () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    // Accepts the connection and the request, and never answers: a connection cut while the function was frozen.
    sockets.push(socket);
  });
  const saved = { ...process.env };

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
  });
  afterAll(async () => {
    process.env = saved;
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => server.close(r));
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
    expect(sockets).toHaveLength(SECRET_READ.attempts);
    expect(elapsed).toBeGreaterThanOrEqual(SECRET_READ.attempts * SECRET_READ.requestTimeoutMs - 50);
    expect(elapsed).toBeLessThan(3_000);
  }, 15_000);
});
