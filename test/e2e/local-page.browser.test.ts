import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { type LocalServer, startLocalServer } from '../../bot/local/server';
import { createMemoryLog } from '../../bot/logger';
import { readSettings } from '../../bot/settings';
import { SandboxClock } from '../../integrations/sandbox/clock';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  process.stderr.write(
    `NOTICE: skipping the local page browser test: no Chromium at ${CHROMIUM} (apt-get install chromium).\n`,
  );
}
const describeBrowser = hasChromium ? describe : describe.skip;

describeBrowser('the local channel page in headless Chromium', () => {
  let local: LocalServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const settings = readSettings({ PORT: '0', OPSBOT_DATA_DIR: mkdtempSync(join(tmpdir(), 'opsbot-page-')) });
    const config = parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
    local = await startLocalServer(settings, config, {
      overrides: { log: createMemoryLog(), sandboxClock: new SandboxClock(Date.UTC(2026, 10, 23, 9)) },
    });
    browser = await chromium.launch({
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
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The link npm start prints: its token becomes the page's cookie.
    await page.goto(`${local.url}/?token=${local.token}`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await local?.close();
  });

  async function type(text: string) {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  }

  it('shows /deploy help, rendered from its blocks, as visible only to you', async () => {
    // Act
    await type('/deploy help');

    // Assess
    const help = page.locator('.msg', { has: page.locator('h3.hdr', { hasText: 'What opsbot can do' }) });
    await help.waitFor();
    await expect(help.locator('.eph').textContent()).resolves.toBe('Only visible to you');
    await expect(help.locator('code').first().textContent()).resolves.toBe('/deploy <service> <environment> <version>');
    await expect(help.locator('b').first().textContent()).resolves.toContain('Deploy a version of a service');
  });

  it('answers a question in the thread of the message', async () => {
    // Act
    await type('is the frontend pipeline green?');

    // Assess
    const thread = page.locator('.msg', { hasText: 'is the frontend pipeline green?' }).locator('.thread');
    await thread.locator('.msg', { hasText: 'web-pipeline' }).waitFor();
    await expect(thread.locator('.who').first().textContent()).resolves.toBe('opsbot');
  });

  it('sends a button click back to the bot, and the message changes in place', async () => {
    // Prepare
    await type('deploy billing');
    const prompt = page.locator('.thread .msg', { hasText: 'Which environment should I deploy to?' });
    await prompt.waitFor();
    const ts = await prompt.getAttribute('data-ts');

    // Act
    await prompt.locator('button', { hasText: 'staging' }).click();

    // Assess
    const same = page.locator(`.msg[data-ts="${ts}"]`);
    await same.locator('.sec', { hasText: 'Which version' }).waitFor();
    await expect(same.locator('.edited').textContent()).resolves.toBe('(edited)');
    await expect(page.locator('.msg', { hasText: 'Which environment should I deploy to?' }).count()).resolves.toBe(0);
  });

  it('continues the conversation when you reply in the thread', async () => {
    // Prepare
    const parent = page.locator('.msg', { hasText: 'deploy billing' }).first();
    await parent.locator('.replylink').first().click();

    // Act
    await type('v1.8.1');

    // Assess
    const card = parent.locator('.thread .msg', { has: page.locator('h3.hdr', { hasText: 'Confirm: deploy' }) });
    await card.waitFor();
    await expect(card.locator('.sec').first().textContent()).resolves.toContain('Deploy payments v1.8.1 to staging?');
    await expect(card.locator('button.primary').textContent()).resolves.toBe('Confirm');
  });

  it('lists every channel with unread counts, and a pipeline failed from the panel is pushed to #alerts', async () => {
    // Act
    await page.locator('[data-pipeline="web-pipeline"][data-outcome="fail"]').click();

    // Assess
    const alerts = page.locator('[data-channel="C0ALERTS001"]');
    await alerts.locator('.unread', { hasText: '1' }).waitFor();
    await alerts.click();
    await expect(page.locator('#title').textContent()).resolves.toBe('#alerts');
    const card = page.locator('.msg', { has: page.locator('h3.hdr', { hasText: 'web-pipeline failed' }) });
    await card.waitFor();
    await expect(card.locator('.sec').first().textContent()).resolves.toContain('failed at Build › Build');
    await expect(page.locator('.chan').count()).resolves.toBe(4);
    await page.locator('[data-channel="C0DEPLOYS01"]').click();
  });

  it('posts today’s maintenance digest to #notices from the panel', async () => {
    // Act
    await page.locator('#digest').click();

    // Assess
    await page.locator('[data-channel="C0NOTICES01"]').click();
    const card = page.locator('.msg', { has: page.locator('h3.hdr', { hasText: 'AWS maintenance digest' }) });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('system-reboot');
    await page.locator('[data-channel="C0DEPLOYS01"]').click();
  });

  it('trips an alarm from the sandbox panel: with no deploy running, #alerts shows it with Roll back now', async () => {
    // Act
    await page.locator('.alarm', { hasText: 'web-prod-5xx-errors' }).locator('button').click();

    // Assess
    await page.locator('.alarm', { hasText: 'web-prod-5xx-errors' }).locator('.state-ALARM').waitFor();
    const [state] = (await local.deps.sandbox?.alarms.states('web', 'prod')) ?? [];
    expect(state?.state).toBe('ALARM');
    await page.locator('[data-channel="C0ALERTS001"]').click();
    const card = page.locator('.msg', { has: page.locator('h3.hdr', { hasText: 'Alarm web-prod-5xx-errors' }) });
    await card.waitFor();
    await expect(card.locator('.sec').first().textContent()).resolves.toContain('Threshold 5 · datapoints 12, 9');
    await expect(card.locator('button', { hasText: 'Roll back now' }).count()).resolves.toBe(1);
    if (process.env.OPSBOT_SCREENSHOT !== undefined) {
      await page.screenshot({ path: resolve(__dirname, '..', '..', 'bot', 'local', 'page', 'screenshot.png') });
    }
  });

  it('says to reload the page when it lost its token (opsbot restarted with a new one), naming no file', async () => {
    // Prepare: the page's cookie no longer holds this run's token
    const url = new URL(local.url);
    await page
      .context()
      .addCookies([
        { name: `opsbot_token_${url.port}`, value: 'from-an-earlier-run', domain: url.hostname, path: '/' },
      ]);
    const alerts: string[] = [];
    page.on('dialog', (dialog) => {
      alerts.push(dialog.message());
      void dialog.dismiss();
    });

    // Act
    await type('/deploy help');

    // Assess
    const lost = page.locator('#lost');
    await lost.waitFor({ state: 'visible' });
    await expect(lost.textContent()).resolves.toContain('reload this page');
    expect(alerts).toEqual([]);
  });
});
