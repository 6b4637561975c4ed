import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { describeBrowser, type LocalPage, openLocalPage, SHOTS } from '../support/local-browser';

/** Where each flow leaves its screenshot. */
const FLOWS = join(SHOTS, 'local-page');

/** The people of the configuration below, as the page names them. */
const DANA = 'U0KIM00001';
const AVERY = 'U0LEE00001';
const ALEX = 'U0ROOT0001';
const NICO = 'U0NICO0001';

/**
 * The example world with prod run as a team would run it: two deployers, one of whom also approves, a second person's
 * approval required, and an admin. The page offers its people: Dana deploys, Avery approves, Alex is an admin, and Nico
 * is listed nowhere.
 */
function teamConfig() {
  const world = parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'));
  world.admins = [ALEX];
  world.environments.prod = {
    ...world.environments.prod,
    approval: true,
    deployers: [DANA, AVERY],
    approvers: [AVERY],
  };
  return parseConfig(stringify(world));
}

describeBrowser('the local channel page in headless Chromium', () => {
  let local: LocalPage['local'];
  let page: Page;
  let opened: LocalPage;

  beforeAll(async () => {
    opened = await openLocalPage(teamConfig(), 'page');
    ({ local, page } = opened);
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
  });

  async function type(text: string) {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  }

  async function actAs(id: string) {
    await page.selectOption('#person', id);
  }

  /** Whether a message's top is inside the visible part of the channel. */
  async function inView(locator: ReturnType<Page['locator']>) {
    const [channel, message] = await Promise.all([page.locator('#messages').boundingBox(), locator.boundingBox()]);
    return channel !== null && message !== null && message.y >= channel.y && message.y < channel.y + channel.height;
  }

  async function shot(flow: string) {
    await page.screenshot({ path: join(FLOWS, `${flow}.png`) });
  }

  it('opens on a welcome at the top of #deploys whose examples send themselves, as the person acting', async () => {
    // Prepare
    const welcome = page.locator('#messages > .msg').first();
    await welcome.locator('h3.hdr', { hasText: 'opsbot on your machine' }).waitFor();
    const examples = await welcome.locator('[data-try]').allTextContents();
    const box = await welcome.boundingBox();
    await actAs(AVERY);

    // Act
    await welcome.locator('[data-try]', { hasText: 'is the web pipeline green?' }).click();

    // Assess
    expect(examples).toEqual([
      '/deploy help',
      'is the web pipeline green?',
      '/deploy web staging v1.9.0',
      'roll back billing in production',
      'any AWS maintenance this week?',
    ]);
    expect(box?.y).toBeLessThan(200);
    const asked = page.locator('#messages > .msg', { hasText: 'is the web pipeline green?' }).last();
    await asked.locator('.thread .msg', { hasText: 'web-pipeline' }).waitFor();
    await expect(asked.locator('.who').first().textContent()).resolves.toBe('Avery');
    const channel = (await (
      await fetch(`${local.url}/local/messages`, { headers: { 'x-opsbot-token': local.token } })
    ).json()) as Array<{ text: string; user?: string }>;
    expect(channel[0]).toMatchObject({ text: 'is the web pipeline green?', user: AVERY });
    expect(channel.some((m) => m.text.includes('opsbot on your machine'))).toBe(false);
    await shot('welcome');
    await actAs(DANA);
  });

  it('offers the people of the configuration, and says who the page acts as and what they may do', async () => {
    // Act
    const offered = await page.locator('#person option').allTextContents();
    await actAs(AVERY);
    const role = await page.locator('#role').textContent();
    const placeholder = await page.locator('#text').getAttribute('placeholder');
    await actAs(DANA);

    // Assess
    expect(offered).toEqual([`Dana (${DANA})`, `Avery (${AVERY})`, `Alex (${ALEX})`, `Nico (${NICO})`]);
    expect(role).toBe('approves deploys to prod (environments.prod.approvers)');
    expect(placeholder).toBe('Message opsbot as Avery, or /deploy help');
    await expect(page.locator('#people .alarm', { hasText: 'Nico' }).textContent()).resolves.toContain(
      'listed nowhere in the configuration',
    );
  });

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

  it('trips an alarm from the sandbox panel: with no deploy running, #alerts shows it and how to roll back', async () => {
    // Act
    await page.locator('.alarm', { hasText: 'web-prod-5xx-errors' }).locator('button').click();

    // Assess
    await page.locator('.alarm', { hasText: 'web-prod-5xx-errors' }).locator('.state-ALARM').waitFor();
    const [state] = (await local.deps.sandbox?.alarms.states('web', 'prod')) ?? [];
    expect(state?.state).toBe('ALARM');
    await page.locator('[data-channel="C0ALERTS001"]').click();
    const card = page.locator('.msg', { has: page.locator('h3.hdr', { hasText: 'Alarm web-prod-5xx-errors' }) });
    await card.waitFor();
    await expect(card.locator('.sec').first().textContent()).resolves.toContain('Threshold 5 · datapoints 9, 12');
    // The sandbox's fresh account has no earlier deployment of web to offer a button for: the card names the command.
    await expect(card.textContent()).resolves.toContain('to roll back, name one: /deploy rollback web prod <version>');
    await expect(card.locator('button', { hasText: 'Roll back now' }).count()).resolves.toBe(0);
    if (process.env.OPSBOT_SCREENSHOT !== undefined) {
      await page.screenshot({ path: resolve(__dirname, '..', '..', 'bot', 'local', 'page', 'screenshot.png') });
    }
  });

  it('approvals: Dana asks for a deploy to prod, Avery cannot confirm it for her, Nico cannot approve it, Avery can', async () => {
    // Prepare: Dana asks in #deploys; the Confirm card comes in her message's thread
    await page.locator('[data-channel="C0DEPLOYS01"]').click();
    await actAs(DANA);
    await type('deploy api v1.5.3 to prod');
    const asked = page.locator('#messages > .msg', { hasText: 'deploy api v1.5.3 to prod' });
    const card = asked.locator('.thread .msg', { has: page.locator('h3.hdr', { hasText: 'Confirm: deploy' }) });
    await card.waitFor();

    // Act: Avery presses Dana's Confirm; Dana does; Nico, then Avery, press Approve
    await actAs(AVERY);
    await card.locator('button', { hasText: 'Confirm' }).click();
    const notForAvery = asked.locator('.thread .msg', { hasText: 'can confirm this.' });
    await notForAvery.waitFor();
    const averyWasTold = await notForAvery.textContent();
    await shot('only-they-can-confirm');
    await actAs(DANA);
    const danaSeesIt = await notForAvery.count();
    await card.locator('button', { hasText: 'Confirm' }).click();
    const approve = page.locator('#messages > .msg button', { hasText: 'Approve' });
    await approve.waitFor();
    const request = page.locator(`#messages > .msg[data-ts="${await approve.getAttribute('data-ts')}"]`);
    await actAs(NICO);
    await request.locator('button', { hasText: 'Approve' }).click();
    const notForNico = page.locator('#messages > .msg', { hasText: 'You are not allowed to approve changes to prod.' });
    await notForNico.waitFor();
    await actAs(AVERY);
    await request.locator('button', { hasText: 'Approve' }).click();

    // Assess
    expect(averyWasTold).toContain('Only @Dana can confirm this.');
    expect(averyWasTold).toContain('Only visible to you');
    expect(danaSeesIt).toBe(0);
    await request.filter({ hasText: 'approved by @Avery' }).waitFor();
    await expect(request.textContent()).resolves.toContain('Asked by @Dana');
    await expect(request.locator('button', { hasText: 'Approve' }).count()).resolves.toBe(0);
    await shot('approval');
  });

  it('follows opsbot’s link to a message: to its channel, scrolled to and highlighted, inside a thread too', async () => {
    // Prepare: opsbot's reply in Dana's thread links to the deploy's message; that reply is itself in a thread
    await actAs(DANA);
    const thread = page.locator('#messages > .msg', { hasText: 'deploy api v1.5.3 to prod' }).locator('.thread');
    const reply = thread.locator('.msg', { has: page.locator('a[href^="https://slack.com/archives/"]') }).first();
    const link = reply.locator('a[href^="https://slack.com/archives/"]');
    const href = (await link.getAttribute('href')) as string;
    const [, channel, digits] = /archives\/(\w+)\/p(\d+)$/.exec(href) as RegExpExecArray;
    const deployTs = `${digits?.slice(0, -6)}.${digits?.slice(-6)}`;
    const replyTs = await reply.getAttribute('data-ts');
    await page.locator('#messages').evaluate((box) => {
      box.scrollTop = 0;
    });

    // Act
    await link.click();
    const shown = page.locator(`#messages > .msg.flash[data-ts="${deployTs}"]`);
    await shown.waitFor();
    const deployInView = await inView(shown);
    const deployText = await shown.textContent();
    await shot('link');
    await page.locator('[data-channel="C0ALERTS001"]').click();
    await type(`look: <https://slack.com/archives/${channel}/p${replyTs?.replace('.', '')}|Dana's thread>`);
    await page.locator('a', { hasText: "Dana's thread" }).click();

    // Assess: the page never left for slack.com, and opened no other tab
    expect(channel).toBe('C0DEPLOYS01');
    expect(deployInView).toBe(true);
    expect(deployText).toContain('approved by @Avery');
    const inThread = page.locator(`#messages .thread .msg.flash[data-ts="${replyTs}"]`);
    await inThread.waitFor();
    await expect(page.locator('#title').textContent()).resolves.toBe('#deploys');
    expect(await inView(inThread)).toBe(true);
    expect(new URL(page.url()).origin).toBe(new URL(local.url).origin);
    expect(page.context().pages()).toHaveLength(1);
    await shot('link-in-thread');
  });

  it('locks: Dana’s hand lock holds off Avery’s deploy and Nico’s unlock, and Alex, an admin, lifts it', async () => {
    // Prepare
    await actAs(DANA);
    await type('/deploy lock worker prod db migration');
    await page.locator('#messages > .msg', { hasText: 'worker is locked in prod by @Dana' }).waitFor();

    // Act
    await actAs(AVERY);
    await type('/deploy worker prod v1.8.2');
    const held = page.locator('#messages > .msg', { hasText: 'Nothing was started.' });
    await held.waitFor();
    const averyWasTold = await held.textContent();
    await actAs(NICO);
    await type('/deploy unlock worker prod');
    const refused = page.locator('#messages > .msg', { hasText: 'or an admin can lift the lock on worker in prod' });
    await refused.waitFor();
    const nicoWasTold = await refused.textContent();
    await actAs(ALEX);
    await type('/deploy unlock worker prod');

    // Assess
    expect(averyWasTold).toContain('worker is locked in prod by @Dana');
    expect(nicoWasTold).toContain('Only @Dana or an admin can lift the lock on worker in prod.');
    await page.locator('#messages > .msg', { hasText: 'worker is unlocked in prod by @Alex' }).waitFor();
    await expect(refused.count()).resolves.toBe(0);
    await shot('locks');
  });

  it('drops a question by its Cancel button, or by “never mind” in its thread', async () => {
    // Prepare
    await page.locator('[data-channel="C0DEPLOYS01"]').click();
    await actAs(DANA);
    await type('deploy web');
    const first = page.locator('#messages > .msg', { hasText: 'deploy web' }).last();
    const question = first.locator('.thread .msg', { hasText: 'Which environment should I deploy to?' });
    await question.waitFor();

    // Act: Cancel on the question; then a second question dropped in words
    await question.locator('button', { hasText: 'Cancel' }).click();
    await first.locator('.thread .msg', { hasText: 'Cancelled: deploy web. Nothing was changed.' }).waitFor();
    await shot('cancel');
    await type('deploy worker');
    const second = page.locator('#messages > .msg', { hasText: 'deploy worker' }).last();
    await second.locator('.thread .msg', { hasText: 'Which environment should I deploy to?' }).waitFor();
    await second.locator('.replylink').first().click();
    await type('never mind');

    // Assess
    await second.locator('.thread .msg', { hasText: 'Cancelled: deploy worker. Nothing was changed.' }).waitFor();
    await expect(first.locator('.thread button', { hasText: 'Cancel' }).count()).resolves.toBe(0);
    await page.locator('#leave').click();
  });

  it('offers one card for each service a request names, and says a busy service is busy before asking anything', async () => {
    // Prepare
    await actAs(DANA);

    // Act: two services in one request; Dana confirms api's card; then Avery asks to deploy api there
    await type('deploy web v1.8.2 and api v1.5.3 to staging');
    const asked = page.locator('#messages > .msg', { hasText: 'deploy web v1.8.2 and api v1.5.3 to staging' });
    const cards = asked.locator('.thread .msg', { has: page.locator('h3.hdr', { hasText: 'Confirm: deploy' }) });
    await cards.nth(1).waitFor();
    const texts = await cards.allTextContents();
    await shot('several');
    await cards.filter({ hasText: 'api' }).locator('button', { hasText: 'Confirm' }).click();
    await page.locator('#messages > .msg', { hasText: 'Deploying api v1.5.3 to staging' }).waitFor();
    await actAs(AVERY);
    await type('deploy api to staging');
    const busy = page.locator('.msg', { hasText: 'is deploying api' }).last();
    await busy.waitFor();
    await shot('busy');

    // Assess
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('Deploy web v1.8.2 to staging?');
    expect(texts[1]).toContain('Deploy api v1.5.3 to staging?');
    await expect(busy.textContent()).resolves.toMatch(
      /@Dana is deploying api v1\.5\.3 to staging \(.*% on the new version\)/,
    );
    await expect(page.locator('.msg', { hasText: 'Which version' }).filter({ hasText: 'api' }).count()).resolves.toBe(
      0,
    );
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
