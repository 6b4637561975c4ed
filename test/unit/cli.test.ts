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
      input: 'deploy frontend v2 to production\n\nwhat time is it in London\n',
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
      },
      { text: '', intent: 'FallbackIntent', slots: {}, confidence: 1 },
      expect.objectContaining({ text: 'what time is it in London', intent: 'FallbackIntent', slots: {} }),
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
