import { signSlackRequest, verifySlackSignature } from '../../bot/edge/verify';
import { describeShared, sharedJson, sharedText } from '../support/fixtures';

interface Vector {
  signing_secret: string;
  headers: Record<string, string>;
  body: string;
  expected_valid_at_unix_time?: number;
  negative_cases?: { wrong_secret?: string; tampered_body?: string };
}

describeShared('Slack signature verification against published vectors', () => {
  it.each([
    'slack-signature-vector-1__slack-docs-slash-command.json',
    'slack-signature-vector-2__slack-go-app_mention.json',
    'slack-signature-vector-3__x-tribute-api-plain.json',
  ])('accepts %s at its own time', (file) => {
    // Prepare
    const v = sharedJson<Vector>(file);
    const ts = v.headers['X-Slack-Request-Timestamp'] as string;

    // Act
    const verdict = verifySlackSignature({
      signingSecret: v.signing_secret,
      body: v.body,
      timestamp: ts,
      signature: v.headers['X-Slack-Signature'],
      nowMs: Number(ts) * 1000 + 30_000,
    });

    // Assess
    expect(verdict).toEqual({ ok: true });
  });

  it('rejects the slack-go negative cases: wrong secret and tampered body', () => {
    // Prepare
    const v = sharedJson<Vector>('slack-signature-vector-2__slack-go-app_mention.json');
    const base = { timestamp: v.headers['X-Slack-Request-Timestamp'], signature: v.headers['X-Slack-Signature'] };
    const nowMs = Number(base.timestamp) * 1000;

    // Act
    const wrongSecret = verifySlackSignature({
      ...base,
      signingSecret: v.negative_cases?.wrong_secret as string,
      body: v.body,
      nowMs,
    });
    const tampered = verifySlackSignature({
      ...base,
      signingSecret: v.signing_secret,
      body: v.negative_cases?.tampered_body as string,
      nowMs,
    });

    // Assess
    expect(wrongSecret).toEqual({ ok: false, reason: 'mismatch' });
    expect(tampered).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('verifies the raw byte-exact body file of vector 1', () => {
    // Prepare
    const v = sharedJson<Vector>('slack-signature-vector-1__slack-docs-slash-command.json');
    const raw = sharedText('slack-slash-command__slack-docs-signature-example.txt');

    // Act
    const verdict = verifySlackSignature({
      signingSecret: v.signing_secret,
      body: raw,
      timestamp: v.headers['X-Slack-Request-Timestamp'],
      signature: v.headers['X-Slack-Signature'],
      nowMs: Number(v.headers['X-Slack-Request-Timestamp']) * 1000,
    });

    // Assess
    expect(verdict.ok).toBe(true);
  });

  it('rejects vector 1 today: it is years old', () => {
    // Prepare
    const v = sharedJson<Vector>('slack-signature-vector-1__slack-docs-slash-command.json');

    // Act
    const verdict = verifySlackSignature({
      signingSecret: v.signing_secret,
      body: v.body,
      timestamp: v.headers['X-Slack-Request-Timestamp'],
      signature: v.headers['X-Slack-Signature'],
    });

    // Assess
    expect(verdict).toEqual({ ok: false, reason: 'stale' });
  });
});

describe('verifySlackSignature', () => {
  const secret = 's3cret';
  const body = 'text=d%C3%A9ployer+%E2%9C%85';
  const now = 1_800_000_000_000;

  it.each([
    [0, true],
    [-299, true],
    [299, true],
    [-301, false],
    [301, false],
  ])('a timestamp %i s from now is accepted: %s', (skew, accepted) => {
    // Prepare
    const headers = signSlackRequest(secret, body, now / 1000 + skew);

    // Act
    const verdict = verifySlackSignature({
      signingSecret: secret,
      body,
      timestamp: headers['x-slack-request-timestamp'],
      signature: headers['x-slack-signature'],
      nowMs: now,
    });

    // Assess
    expect(verdict.ok).toBe(accepted);
  });

  it('names why a request is refused', () => {
    // Act
    const missing = verifySlackSignature({ signingSecret: secret, body, timestamp: '1', signature: undefined });
    const badTs = verifySlackSignature({ signingSecret: secret, body, timestamp: 'yesterday', signature: 'v0=00' });

    // Assess
    expect(missing).toEqual({ ok: false, reason: 'missing-signature' });
    expect(badTs).toEqual({ ok: false, reason: 'bad-timestamp' });
  });
});

describe('checkSlackRequest (in front of every receiver)', () => {
  const secret = 's3cret';
  const headersOf = (h: Record<string, string>) => (name: string) => h[name];

  it("answers Slack's SSL check without a signature, and passes it to nothing", async () => {
    const { checkSlackRequest } = await import('../../bot/edge/verify');
    const check = checkSlackRequest({
      signingSecret: secret,
      body: 'ssl_check=1&token=x',
      header: headersOf({ 'content-type': 'application/x-www-form-urlencoded' }),
    });
    expect(check).toEqual({ kind: 'ssl-check' });
  });

  it('passes a signed request on with its Content-Type stripped of parameters, and names why one is refused', async () => {
    // Prepare
    const { checkSlackRequest } = await import('../../bot/edge/verify');
    const body = 'command=%2Fdeploy&text=help';
    const signed = {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      ...signSlackRequest(secret, body),
    };

    // Act
    const verified = checkSlackRequest({ signingSecret: secret, body, header: headersOf(signed) });
    const forged = checkSlackRequest({ signingSecret: 'other', body, header: headersOf(signed) });

    // Assess
    expect(verified).toEqual({ kind: 'verified', contentType: 'application/x-www-form-urlencoded' });
    expect(forged).toEqual({ kind: 'rejected', reason: 'mismatch' });
  });
});
