import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StandInMessage } from '../../integrations/slack/stand-in';
import { allText, confirmDeploy, type Harness, harness, unescaped } from '../support/harness';

/** The deploy's live message: the bot's newest top-level post in the channel that starts with the service. */
function liveMessage(h: Harness, service: string): StandInMessage | undefined {
  return h
    .bot()
    .filter((m) => !m.ephemeral && m.thread_ts === undefined && m.text.startsWith(`${service} `))
    .at(-1);
}

describe('npm start restarted mid-deploy (the Store and the sandbox kept in the data directory)', () => {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  async function start(dataDir: string): Promise<Harness> {
    const h = await harness({}, undefined, { dataDir });
    open.push(h);
    return h;
  }

  it('continues the deploy where it was: its message follows it to the end, and the next deploy gets a new id', async () => {
    // Prepare: a deploy a minute in, when opsbot stops
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-restart-'));
    const before = await start(dataDir);
    await confirmDeploy(before, 'web staging v1.8.2');
    await before.advance(60_000);
    const [running] = await before.sandbox.deployments.active();

    // Act: opsbot starts again on the same data directory; the deploy goes on; then another deploy
    const after = await start(dataDir);
    const resumed = await after.sandbox.deployments.active();
    await after.advance(30 * 60_000);
    const ended = liveMessage(after, 'web');
    await confirmDeploy(after, 'web staging v1.8.3');
    await after.advance(30 * 60_000);

    // Assess: the same deployment ran on after the restart, ended, and released its lock; no poll failed; every
    // deployment id in the audit names one deploy
    expect(resumed.map((d) => [d.id, d.version])).toEqual([[running?.id, 'v1.8.2']]);
    expect(unescaped(ended?.text ?? '')).toMatch(/^web v[\d.]+ → v1\.8\.2 in staging: Succeeded in \d+ min/);
    expect(after.log.entries.filter((l) => /no deployment|poll_failed|tick_failed/.test(JSON.stringify(l)))).toEqual(
      [],
    );
    const audit = await after.deps.worker.ports.audit.list({ since: 0 });
    expect(audit.map((r) => [r.target.version, r.outcome])).toEqual([
      ['v1.8.3', 'succeeded'],
      ['v1.8.2', 'succeeded'],
    ]);
    const ids = audit.map((r) => r.deploymentId);
    expect(new Set(ids).size).toBe(2);
    expect(await after.deps.worker.ports.store.get('lock:web:staging')).toBeUndefined();
  });

  it('ends a run whose deployment the account no longer knows, says why in its thread, and frees the service', async () => {
    // Prepare: a deploy under way; then the sandbox's saved account is lost (as an AWS deployment deleted with its
    // application would be) while opsbot is stopped
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-restart-'));
    const before = await start(dataDir);
    await confirmDeploy(before, 'web staging v1.8.2');
    await before.advance(60_000);
    rmSync(join(dataDir, 'sandbox.json'));

    // Act: opsbot starts again and polls for two minutes; then someone deploys web to staging
    const after = await start(dataDir);
    await after.advance(2 * 60_000);
    const lockAfter = await after.deps.worker.ports.store.get('lock:web:staging');
    const ended = liveMessage(after, 'web') as StandInMessage;
    const thread = after
      .bot()
      .filter((m) => m.thread_ts === ended.ts)
      .map((m) => unescaped(m.text));
    await confirmDeploy(after, 'web staging v1.8.3');

    // Assess: ended within the two minutes, not held for the deploy timeout; the thread says why and what to do;
    // the audit says failed; the next deploy is not told to wait for a phantom
    expect(unescaped(ended.text)).toContain('Failed');
    expect(thread.at(-1)).toContain(
      'AWS no longer knows deployment d-SANDBOX0001, so opsbot stopped watching it and released the lock. Check what runs with `/deploy status web staging`.',
    );
    expect(lockAfter).toBeUndefined();
    const [, first] = await after.deps.worker.ports.audit.list({ since: 0 });
    expect([first?.target.version, first?.outcome]).toEqual(['v1.8.2', 'failed']);
    expect(after.bot().map(allText).join('\n')).not.toContain('see that deploy');
    expect((await after.sandbox.deployments.active()).map((d) => d.version)).toEqual(['v1.8.3']);
  });
});
