import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { OpsbotConfig } from '../../bot/config';
import { type LocalServer, startLocalServer } from '../../bot/local/server';
import { createMemoryLog } from '../../bot/logger';
import { readSettings } from '../../bot/settings';
import { SandboxClock } from '../../integrations/sandbox/clock';

/** Debian's Chromium: the browser tests never download one. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

/** Where the browser tests leave their screenshots, for a person to look at (test-results/ is not committed). */
export const SHOTS = resolve(__dirname, '..', '..', 'test-results');

/** `describe` for a browser test, skipped with a visible notice where this machine has no Chromium. */
export function describeBrowser(name: string, fn: () => void): void {
  if (!hasChromium)
    process.stderr.write(`NOTICE: skipping "${name}": no Chromium at ${CHROMIUM} (apt-get install chromium).\n`);
  (hasChromium ? describe : describe.skip)(name, fn);
}

/** The local server on the sandbox, a headless Chromium, and its page opened with the token npm start prints. */
export interface LocalPage {
  readonly local: LocalServer;
  readonly browser: Browser;
  readonly page: Page;
  /** Whatever the page asked of any address but the local server's (refused): it must need no network. */
  readonly elsewhere: string[];
  close(): Promise<void>;
}

/** Starts `npm start`'s local server on `config` with its own data folder, and opens its page in Chromium. */
export async function openLocalPage(config: OpsbotConfig, name: string): Promise<LocalPage> {
  const settings = readSettings({ PORT: '0', OPSBOT_DATA_DIR: mkdtempSync(join(tmpdir(), `opsbot-${name}-`)) });
  const local = await startLocalServer(settings, config, {
    overrides: { log: createMemoryLog(), sandboxClock: new SandboxClock(Date.UTC(2026, 10, 23, 9)) },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const origin = new URL(local.url).origin;
  const elsewhere: string[] = [];
  await page.route(
    (url) => url.origin !== origin,
    (route) => {
      elsewhere.push(route.request().url());
      void route.abort();
    },
  );
  // Shorter than a test's own timeout, so that a wait that fails names what it waited for.
  page.setDefaultTimeout(8_000);
  // The link npm start prints: its token becomes the page's cookie.
  await page.goto(`${local.url}/?token=${local.token}`);
  return {
    local,
    browser,
    page,
    elsewhere,
    async close() {
      await browser.close();
      await local.close();
    },
  };
}
