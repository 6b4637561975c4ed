import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LexRuntimeV2Client } from '@aws-sdk/client-lex-runtime-v2';
import { LexNlu } from '../../integrations/aws/lex.adapter';
import { harness, mention } from '../support/harness';

describe('Lex that does not answer (the real SDK over HTTP to a silent server)', () => {
  let silent: Server;
  let endpoint: string;

  beforeAll(async () => {
    // Accepts the request and never answers, like an overloaded endpoint.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('is given up on within its budget, and the local matcher answers', async () => {
    // Prepare
    const client = new LexRuntimeV2Client({
      endpoint,
      region: 'eu-west-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const h = await harness({ nlu: new LexNlu(client, { botId: 'B', botAliasId: 'A', localeId: 'en_US' }) });

    // Act
    const started = Date.now();
    await h.sendAndSettle(mention('help').event);
    const elapsed = Date.now() - started;
    await h.close();

    // Assess
    expect(elapsed).toBeLessThan(4_000);
    expect(h.bot().at(-1)?.text).toMatch(/^opsbot can:/);
    expect(h.log.entries.some((e) => e.message === 'nlu.lex_failed_using_matcher')).toBe(true);
  }, 15_000);
});
