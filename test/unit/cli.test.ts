import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

describe('npx opsbot classify', () => {
  it('writes one JSON object per input line, in order', () => {
    // Act
    const result = spawnSync('npx', ['opsbot', 'classify'], {
      cwd: ROOT,
      input: "deploy frontend v2 to production\n\nwhat time is it in London\ndon't deploy api to prod yet\n",
      encoding: 'utf8',
      env: { ...process.env, OPSBOT_CONFIG: join(ROOT, 'opsbot.config.example.yaml') },
    });

    // Assess
    expect(result.status).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        text: 'deploy frontend v2 to production',
        intent: 'Deploy',
        slots: { service: 'web', environment: 'prod', version: 'v2' },
        confidence: 1,
        language: 'en',
        mood: 'request',
      },
      { text: '', intent: 'FallbackIntent', slots: {}, confidence: 1, language: 'en', mood: 'request' },
      expect.objectContaining({ text: 'what time is it in London', intent: 'FallbackIntent', slots: {} }),
      expect.objectContaining({ intent: 'FallbackIntent', slots: {}, language: 'en', mood: 'negated' }),
    ]);
  });

  it('says on stderr when it runs on the example world', () => {
    // Act
    const result = spawnSync(process.execPath, [join(ROOT, 'bot', 'cli', 'opsbot.js'), 'classify'], {
      cwd: mkdtempSync(join(tmpdir(), 'opsbot-cli-')),
      input: 'help\n',
      encoding: 'utf8',
    });

    // Assess
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).intent).toBe('Help');
    expect(result.stderr).toContain('example world');
  });

  it('exits non-zero naming the key when the configuration is invalid', () => {
    // Act
    const result = spawnSync(process.execPath, [join(ROOT, 'bot', 'cli', 'opsbot.js'), 'classify'], {
      input: 'help\n',
      encoding: 'utf8',
      env: { ...process.env, OPSBOT_CONFIG: join(ROOT, 'test', 'events', 'config', 'invalid.yaml') },
    });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('environments.prod.protected');
    expect(result.stdout).toBe('');
  });
});

describe('npx opsbot audit', () => {
  it('prints the audit trail of the local data directory, newest first, filtered by service, as JSON or lines', async () => {
    // Prepare: records as the bot writes them
    const { FileStore } = await import('../../integrations/sandbox/file-store');
    const { StoreAudit } = await import('../../integrations/store-audit');
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-audit-'));
    let now = Date.now() - 60 * 60_000;
    const audit = new StoreAudit(new FileStore(join(dataDir, 'store.jsonl')), { warn: () => undefined }, () => now);
    const actor = { userId: 'U0ALICE001', teamId: 'T0LOCAL001', channelId: 'C0DEPLOYS01' };
    const id = await audit.record({
      action: 'Deploy',
      outcome: 'started',
      actor,
      target: { service: 'api', environment: 'prod', version: 'v1.4.0' },
    });
    await audit.update(id, { outcome: 'succeeded', deploymentId: 'd-ABC', approvedBy: 'U0BOB00001' });
    now += 60_000;
    await audit.record({ action: 'Lock', outcome: 'done', actor, target: { service: 'web', environment: 'prod' } });
    now += 60_000;
    await audit.record({
      action: 'Rollback',
      outcome: 'refused',
      reason: 'not-listed',
      actor: { userId: 'U0DAVE0001' },
      target: { service: 'api', environment: 'prod' },
    });
    const run = (args: string[]) =>
      spawnSync('npx', ['opsbot', 'audit', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, OPSBOT_DATA_DIR: dataDir, OPSBOT_TABLE: '' },
      });

    // Act
    const json = run(['--since', '7d', '--service', 'api', '--json']);
    const text = run(['--since', '2h']);
    const bad = run(['--since', 'yesterday-ish']);

    // Assess
    expect(json.status).toBe(0);
    const records = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(records.map((r) => [r.action, r.outcome])).toEqual([
      ['Rollback', 'refused'],
      ['Deploy', 'succeeded'],
    ]);
    expect(records[1]).toMatchObject({ deploymentId: 'd-ABC', approvedBy: 'U0BOB00001', actor });
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d {2}Deploy +api prod v1\.4\.0 +by U0ALICE001 {2}succeeded {2}approved by U0BOB00001 {2}d-ABC$/,
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--since takes 7d, 24h, 30m or a date');
  });

  it('prints what came from outside escaped, never raw: ESC sequences, C1 controls and bidi overrides', async () => {
    // Prepare: a lock whose reason carries a terminal escape (clear screen, set title, bell), a C1 CSI and a bidi override
    const { FileStore } = await import('../../integrations/sandbox/file-store');
    const { StoreAudit } = await import('../../integrations/store-audit');
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-audit-'));
    const audit = new StoreAudit(new FileStore(join(dataDir, 'store.jsonl')), { warn: () => undefined });
    const note = 'db\u001b[2J\u001b]0;pwned\u0007 migration \u009b31m red\u202e evil\nfake line';
    await audit.record({
      action: 'Lock',
      outcome: 'done',
      actor: { userId: 'U0ALICE001' },
      target: { service: 'web', environment: 'prod' },
      note,
    });
    const run = (args: string[]) =>
      spawnSync('npx', ['opsbot', 'audit', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, OPSBOT_DATA_DIR: dataDir, OPSBOT_TABLE: '' },
      });

    // Act
    const text = run([]);
    const json = run(['--json']);
    const bad = run(['--\u001b[31mred']);

    // Assess: nothing a terminal would obey; the JSON still reads back to the same note
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what the output must not contain
    const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
    for (const output of [text.stdout, json.stdout, bad.stderr]) expect(output).not.toMatch(unsafe);
    expect(text.stdout.trim().split('\n')).toHaveLength(1);
    expect(text.stdout).toContain('— db\\x1b[2J\\x1b]0;pwned\\x07 migration \\x9b31m red\\u{202e} evil\\x0afake line');
    expect((JSON.parse(json.stdout) as Array<{ note: string }>)[0]?.note).toBe(note);
    expect(bad.stderr).toContain('unexpected "--\\x1b[31mred"');
  });

  it('reads beside a running opsbot without losing a write: 600 audit records written while the CLI runs in a loop', async () => {
    // Prepare: the writer is this process (as npm start is), each record written then updated, as a deploy's is
    const { spawn } = await import('node:child_process');
    const { existsSync, writeFileSync } = await import('node:fs');
    const { FileStore } = await import('../../integrations/sandbox/file-store');
    const { StoreAudit } = await import('../../integrations/store-audit');
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-audit-'));
    const path = join(dataDir, 'store.jsonl');
    const audit = new StoreAudit(new FileStore(path), { warn: () => undefined });
    const stop = join(dataDir, 'stop');
    let runs = 0;
    const loop = spawn(
      'bash',
      ['-c', `while [ ! -e "${stop}" ]; do node bot/cli/opsbot.js audit --json > /dev/null || exit 1; echo run; done`],
      { cwd: ROOT, env: { ...process.env, OPSBOT_DATA_DIR: dataDir, OPSBOT_TABLE: '' } },
    );
    loop.stdout.on('data', (chunk: Buffer) => {
      runs += chunk
        .toString()
        .split('\n')
        .filter((l) => l === 'run').length;
    });
    const exited = new Promise<number | null>((done) => loop.on('exit', done));

    // Act: keep writing until the CLI has read (and, before, compacted) the journal several times
    let written = 0;
    while (written < 600 || runs < 4) {
      if (written < 600) {
        const id = await audit.record({
          action: 'Deploy',
          outcome: 'started',
          actor: { userId: 'U0ALICE001' },
          target: { service: 'api', environment: 'prod', version: `v1.${written}.0` },
        });
        await audit.update(id, { outcome: 'succeeded' });
        written++;
      }
      await new Promise((r) => setTimeout(r, written < 600 ? 8 : 50));
    }
    writeFileSync(stop, '');
    const code = await exited;
    const afterRestart = await new StoreAudit(new FileStore(path, Date.now, { readOnly: true }), {
      warn: () => undefined,
    }).list({ since: 0 });

    // Assess: every acknowledged record is in the journal, as written last
    expect(code).toBe(0);
    expect(runs).toBeGreaterThanOrEqual(4);
    expect(afterRestart).toHaveLength(600);
    expect(afterRestart.every((r) => r.outcome === 'succeeded')).toBe(true);
    expect(existsSync(`${path}.lock`)).toBe(true);
  }, 120_000);
});
