import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { describeBrowser, type LocalPage, openLocalPage, SHOTS } from '../support/local-browser';

describeBrowser('the local page shows a promotion with its change list, in headless Chromium', () => {
  let local: LocalPage['local'];
  let page: Page;
  let opened: LocalPage;
  /** Whatever the page asked of any address but the local server's: it must need no network. */
  let elsewhere: string[] = [];

  beforeAll(async () => {
    opened = await openLocalPage(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')), 'promote');
    ({ local, page } = opened);
    elsewhere = opened.elsewhere;
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
  });

  async function type(text: string) {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  }

  /** The text of a locator with its lines trimmed, as a person reads it. */
  async function lines(locator: ReturnType<Page['locator']>): Promise<string[]> {
    return (await locator.innerText()).split('\n').map((line) => line.trim());
  }

  /** Whether a box lies inside another: nothing of it cut off at the card's edge. */
  function inside(
    inner: { x: number; y: number; width: number; height: number } | null,
    outer: { x: number; y: number; width: number; height: number } | null,
  ): boolean {
    return (
      inner !== null &&
      outer !== null &&
      inner.width > 0 &&
      inner.x >= outer.x &&
      inner.y >= outer.y &&
      inner.x + inner.width <= outer.x + outer.width &&
      inner.y + inner.height <= outer.y + outer.height
    );
  }

  it('draws the promotion card: what is promoted, the evidence, the warnings and the change list with its links', async () => {
    // Prepare: what staging and prod run in the sandbox, and the image's digest
    await page.locator('#messages > .msg').first().waitFor();
    const staging = await local.deps.sandbox?.deployments.current('web', 'staging');
    const prod = await local.deps.sandbox?.deployments.current('web', 'prod');
    const image = await local.deps.sandbox?.images.find('web', 'staging', staging?.version ?? '');

    // Act
    await type('/deploy promote web prod');
    const card = page.locator('#messages > .msg', { has: page.locator('h3.hdr', { hasText: 'Confirm: promote' }) });
    await card.waitFor();
    const [what, changes] = await card.locator('.sec').all();
    const said = what === undefined ? [] : await lines(what);
    const listed = changes === undefined ? [] : await lines(changes);
    const commits = card.locator('a[href*="/commit/"]');
    const commitLinks = await commits.evaluateAll((links) =>
      links.map((a) => ({ href: a.getAttribute('href'), text: a.textContent, target: a.getAttribute('target') })),
    );
    const compare = card.locator('a', { hasText: 'compare' });
    const cardBox = await card.boundingBox();
    const linkBoxes = await Promise.all([...(await commits.all()), compare].map((link) => link.boundingBox()));
    await page.screenshot({ path: join(SHOTS, 'local-promotion.png') });

    // Assess: the promotion line, the evidence, the warnings
    expect(staging?.version).toMatch(/^v\d/);
    expect(prod?.version).not.toBe(staging?.version);
    expect(said[0]).toBe(`Promote web ${staging?.version} from staging to prod?`);
    expect(said[1]).toBe(
      `Now ${prod?.version} → ${staging?.version} (${image?.digest.slice(0, 19)}), the image staging runs. ` +
        'staging has run it for 3 d, no rollback.',
    );
    await expect(what?.locator('b', { hasText: 'web' }).count()).resolves.toBeGreaterThan(0);
    await expect(what?.locator('code').allTextContents()).resolves.toEqual([
      staging?.version,
      prod?.version,
      staging?.version,
      image?.digest.slice(0, 19),
    ]);
    const warnings = said.filter((line) => line.startsWith('⚠️ '));
    expect(warnings.length).toBeGreaterThan(0);
    expect(said.some((line) => line.includes(':warning:'))).toBe(false);
    // …the change list: "N changes since vY:", one bullet a commit, each linked to its commit on GitHub
    const total = Number(/^(\d+) changes? since /.exec(listed[0] ?? '')?.[1]);
    expect(listed[0]).toBe(`${total} ${total === 1 ? 'change' : 'changes'} since ${prod?.version}:`);
    expect(total).toBeGreaterThan(0);
    const bullets = listed.filter((line) => line.startsWith('• '));
    expect(bullets.length).toBe(Math.min(total, 5));
    expect(commitLinks.length).toBe(bullets.length);
    commitLinks.forEach((link, i) => {
      const sha = /^https:\/\/github\.com\/opsbot-sandbox\/web\/commit\/([0-9a-f]{40})$/.exec(link.href ?? '')?.[1];
      expect(sha).toBeDefined();
      // Its visible text: the short id, then the host the link goes to; then the commit's message and author
      expect(link.text).toBe(`${sha?.slice(0, 7)} (github.com)`);
      expect(link.target).toBe('_blank');
      expect(bullets[i]).toMatch(new RegExp(`^• ${sha?.slice(0, 7)} \\(github\\.com\\) \\S.* — \\S`));
    });
    // …and the compare link, from what prod runs to the newest change listed
    await expect(compare.textContent()).resolves.toBe('compare (github.com)');
    const href = (await compare.getAttribute('href')) ?? '';
    const [, , newest] =
      /^https:\/\/github\.com\/opsbot-sandbox\/web\/compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})$/.exec(href) ?? [
        undefined,
        undefined,
        undefined,
      ];
    expect(newest).toBeDefined();
    expect(commitLinks[0]?.href).toBe(`https://github.com/opsbot-sandbox/web/commit/${newest}`);
    // Every link is drawn whole inside the card, none cut off
    expect(linkBoxes.map((box) => inside(box, cardBox))).toEqual(linkBoxes.map(() => true));
    await expect(card.locator('button', { hasText: 'Confirm' }).isVisible()).resolves.toBe(true);
    await expect(card.locator('button', { hasText: 'Cancel' }).isVisible()).resolves.toBe(true);
    expect(elsewhere).toEqual([]);
  });

  it('on Confirm, the card says the promotion started and the deploy’s live message appears, with its thread', async () => {
    // Prepare
    const staging = await local.deps.sandbox?.deployments.current('web', 'staging');
    const prod = await local.deps.sandbox?.deployments.current('web', 'prod');
    const card = page.locator('#messages > .msg', { has: page.locator('h3.hdr', { hasText: 'Confirm: promote' }) });
    const ts = await card.getAttribute('data-ts');

    // Act
    await card.locator('button', { hasText: 'Confirm' }).click();
    const live = page.locator('#messages > .msg', { has: page.locator('h3.hdr', { hasText: 'Promoting web' }) });
    await live.waitFor();
    await live.locator('.thread .msg', { hasText: 'Started by @Dana' }).waitFor();
    await live.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'local-promotion-live.png') });

    // Assess: the card, changed in place, says what started and links to the live message
    const confirmed = page.locator(`#messages > .msg[data-ts="${ts}"]`);
    await expect(confirmed.locator('.body').innerText()).resolves.toBe(
      `🔵 Confirmed: the promotion of web ${staging?.version} from staging to prod has started — follow it here (slack.com).`,
    );
    await expect(confirmed.locator('.edited').textContent()).resolves.toBe('(edited)');
    await expect(page.locator('h3.hdr', { hasText: 'Confirm: promote' }).count()).resolves.toBe(0);
    // …and the live message: web, from what prod ran to staging's version, in prod
    await expect(live.locator('h3.hdr').textContent()).resolves.toBe(
      `Promoting web ${staging?.version} from staging to prod`,
    );
    await expect(lines(live.locator('.sec').first())).resolves.toContain(
      `🔵 web ${prod?.version} → ${staging?.version} in prod`,
    );
    await expect(live.locator('button', { hasText: 'Cancel' }).isVisible()).resolves.toBe(true);
    const link = confirmed.locator('a[href^="https://slack.com/archives/"]');
    await expect(link.getAttribute('href')).resolves.toBe(
      `https://slack.com/archives/C0DEPLOYS01/p${(await live.getAttribute('data-ts'))?.replace('.', '')}`,
    );
    expect(elsewhere).toEqual([]);
  });
});
