/**
 * Run by tsx in a process of its own (test/e2e/local-server.test.ts): starts the local server with short timeouts,
 * opens clients that stall in their headers or their body, and prints one JSON line: how long each took to be closed
 * by the server (or -1), and the error-level log entries.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { startLocalServer } from '../../bot/local/server';
import { createMemoryLog } from '../../bot/logger';
import { readSettings } from '../../bot/settings';

async function main(): Promise<void> {
  const log = createMemoryLog();
  const settings = readSettings({ PORT: '0', OPSBOT_DATA_DIR: mkdtempSync(join(tmpdir(), 'opsbot-data-')) });
  const local = await startLocalServer(settings, parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')), {
    overrides: { log },
    timeouts: { headersMs: 1_000, requestMs: 2_000 },
  });
  const { port, hostname } = new URL(local.url);
  const open = (first: string) =>
    new Promise<number>((resolve) => {
      const started = Date.now();
      const socket = connect(Number(port), hostname, () => socket.write(first));
      socket.on('error', () => undefined);
      // Read what the server sends (its 408), so its closing the connection is seen.
      socket.resume();
      socket.on('close', () => resolve(Date.now() - started));
      setTimeout(() => {
        resolve(-1);
        socket.destroy();
      }, 8_000).unref();
    });
  const closedAfterMs = await Promise.all([
    ...Array.from({ length: 20 }, () => open('POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Ty')),
    ...Array.from({ length: 20 }, () =>
      open('POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789'),
    ),
  ]);
  await local.close();
  process.stdout.write(
    `${JSON.stringify({ closedAfterMs, errors: log.entries.filter((e) => e.level === 'error') })}\n`,
  );
  process.exit(0);
}

void main();
