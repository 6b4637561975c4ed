import { correlationId, withCorrelation } from '../../bot/correlation';
import type { Job } from '../../bot/jobs';
import { createLogger } from '../../bot/logger';
import { correlationOf } from '../../bot/worker/router';
import { command, harness } from '../support/harness';

/** What the Powertools logger wrote while `work` ran, one JSON object per line. */
function captured(work: () => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  const keep = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  // Powertools writes warnings and errors to stderr, the rest to stdout.
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(keep);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(keep);
  try {
    work();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('opsbot’s own logs', () => {
  it('writes one JSON line per entry, with the request’s correlation id', () => {
    // Prepare
    const lines = captured(() => {
      const log = createLogger('INFO');

      // Act
      withCorrelation('Ev0CORRELATE1', () => log.info('slack.job_handed_over', { kind: 'interpret' }));
      log.info('outside.any_request');
    });

    // Assess
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'slack.job_handed_over',
      service: 'opsbot',
      kind: 'interpret',
      correlation_id: 'Ev0CORRELATE1',
    });
    expect(lines[1]).not.toHaveProperty('correlation_id');
  });

  it('never writes a secret: tokens, secret-named fields and the configured secrets’ values are redacted', () => {
    // Prepare
    const signingSecret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const lines = captured(() => {
      const log = createLogger('INFO', 'opsbot', () => [signingSecret, 'xoxb-111-222-abc']);

      // Act
      log.warn(`bolt said: signature check with ${signingSecret} failed`, {
        token: 'anything at all',
        headers: { 'x-slack-signature': 'v0=abc', 'content-type': 'application/json' },
        error: new Error('invalid_auth for xoxb-999-888-zzz'),
        nested: { text: 'use xapp-1-A0-123-abcdef please', key: 'AKIAIOSFODNN7EXAMPLE' },
        huge: 'x'.repeat(100_000),
      });
    });

    // Assess
    const line = JSON.stringify(lines[0]);
    for (const secret of [signingSecret, 'anything at all', 'v0=abc', 'xoxb-999', 'xapp-1', 'AKIAIOSFODNN7EXAMPLE']) {
      expect(line).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({
      message: 'bolt said: signature check with [redacted] failed',
      token: '[redacted]',
      headers: { 'x-slack-signature': '[redacted]', 'content-type': 'application/json' },
      error: 'Error: invalid_auth for [redacted]',
      nested: { text: 'use [redacted] please', key: '[redacted]' },
    });
    expect(line.length).toBeLessThan(10_000);
  });

  it('stays small and never throws on hostile fields: a secret across the cut, cycles, shared children, getters', () => {
    // Prepare
    const signingSecret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const shared: Record<string, unknown> = {};
    let level: Record<string, unknown> = shared;
    for (let depth = 0; depth < 6; depth++) {
      const child: Record<string, unknown> = {};
      for (let k = 0; k < 100; k++) level[`k${k}`] = child;
      level = child;
    }
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const started = Date.now();
    const lines = captured(() => {
      const log = createLogger('INFO', 'opsbot', () => [signingSecret]);

      // Act
      log.info('hostile', {
        cut: `${'x'.repeat(3990)}${signingSecret}`,
        cyclic,
        shared,
        hostile,
        response_url: 'https://hooks.slack.com/commands/T0/1/secret',
      });
    });

    // Assess
    const line = JSON.stringify(lines[0]);
    expect(line).not.toContain(signingSecret.slice(0, 10));
    expect(line).not.toContain('hooks.slack.com');
    expect(lines[0]).toMatchObject({ hostile: { boom: '[unreadable]' }, cyclic: { name: 'loop', self: '[…]' } });
    expect(line.length).toBeLessThan(60_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('keeps the Slack delivery as the correlation id from the acknowledgement to the worker', async () => {
    // Prepare: jobs recorded with the correlation id current when they are handed over
    const seen: Array<{ delivery?: string; correlation?: string }> = [];
    const h = await harness({
      jobs: {
        send: async (job) => {
          const correlation = correlationId();
          seen.push({
            ...(job.delivery !== undefined && { delivery: job.delivery }),
            ...(correlation !== undefined && { correlation }),
          });
        },
      },
    });

    // Act
    try {
      await h.send(command(h, 'pipelines api'));
    } finally {
      await h.close();
    }

    // Assess: the worker logs under the same id (correlationOf the job it receives)
    const [job] = seen;
    expect(job?.correlation).toMatch(/^trigger\./);
    expect(correlationOf({ kind: 'say', delivery: job?.delivery } as unknown as Job)).toBe(job?.correlation);
    expect(correlationOf({ runId: 'r-1', kind: 'watch' } as never)).toBe('run:r-1');
  });
});
