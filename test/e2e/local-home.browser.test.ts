import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { EXAMPLE_CONFIG_PATH, parseConfig } from '../../bot/config';
import { describeBrowser, type LocalPage, openLocalPage, SHOTS } from '../support/local-browser';

/** A data visualization block as the stand-in keeps it. */
interface ChartBlock {
  type: 'data_visualization';
  title: string;
  chart: { type: string; series?: Array<{ name: string }> };
}

describeBrowser('the local page’s Home tab and charts in headless Chromium', () => {
  let local: LocalPage['local'];
  let page: Page;
  let opened: LocalPage;
  /** Whatever the page asked of any address but the local server's: it must need no network. */
  let elsewhere: string[] = [];

  beforeAll(async () => {
    opened = await openLocalPage(parseConfig(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')), 'home');
    ({ local, page } = opened);
    elsewhere = opened.elsewhere;
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
  });

  /** Every row of the data tables in `scope`, page by page, each as its cells' texts with its table's caption. */
  async function allRows(scope: ReturnType<Page['locator']>): Promise<Array<{ caption: string; cells: string[] }>> {
    const rows: Array<{ caption: string; cells: string[] }> = [];
    for (const table of await scope.locator('figure.datatable').all()) {
      const caption = ((await table.locator('caption').textContent()) ?? '').trim();
      for (;;) {
        for (const row of await table.locator('tbody tr').all()) {
          rows.push({ caption, cells: (await row.locator('th, td').allTextContents()).map((text) => text.trim()) });
        }
        const next = table.locator('.pager .page', { hasText: 'Next' });
        if ((await next.count()) === 0 || (await next.isDisabled())) break;
        await next.click();
      }
    }
    return rows;
  }

  /** Whether a row is about a service in an environment: named in its cells, or the environment in its table's caption. */
  function isAbout(row: { caption: string; cells: string[] }, service: string, environment: string): boolean {
    const named = (text: string) => new RegExp(`(^|[^\\w-])${environment}([^\\w-]|$)`).test(text);
    return row.cells.includes(service) && (row.cells.includes(environment) || named(row.caption));
  }

  it('opens the Home tab: opsbot publishes the person’s view, with a table row for each service in each environment', async () => {
    // Prepare
    const [dana] = (await workspace()).people;
    const targets = local.deps.sandbox?.deployments.targets() ?? [];

    // Act
    await page.locator('[data-home]').click();
    const home = page.locator('#home');
    await home.locator('figure.datatable tbody tr').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'local-home.png') });
    const rows = await allRows(home);

    // Assess
    await expect(page.locator('[role="tab"][aria-selected="true"]').textContent()).resolves.toBe('Home');
    expect(local.standIn?.homeViews.get(dana?.id ?? '')?.publications).toBeGreaterThanOrEqual(1);
    expect(targets.length).toBeGreaterThan(1);
    for (const { service, environment } of targets) {
      expect({ service, environment, rows: rows.filter((row) => isAbout(row, service, environment)).length }).toEqual({
        service,
        environment,
        rows: 1,
      });
    }
    expect(rows.some((row) => isAbout(row, 'web', 'staging'))).toBe(true);
    expect(elsewhere).toEqual([]);
  });

  it('trips an alarm from the sandbox panel: #alerts shows the notice with its chart, drawn by the chart library', async () => {
    // Act
    await page.locator('.alarm', { hasText: 'web-prod-5xx-errors' }).locator('button').click();
    await page.locator('[data-channel="C0ALERTS001"]').click();
    const card = page.locator('.msg', { has: page.locator('h3.hdr', { hasText: 'Alarm web-prod-5xx-errors' }) });
    const figure = card.locator('figure.chart');
    await figure.locator('canvas').waitFor();
    const drawn = await figure.locator('canvas').evaluate((canvas) => {
      // The page's own Chart.js (its UMD build sets `Chart` on the window): it holds the chart drawn on this canvas.
      const chart = (globalThis as unknown as { Chart: ChartJs }).Chart.getChart(canvas);
      return chart === undefined
        ? undefined
        : { type: chart.config.type, series: chart.data.datasets.map((d) => d.label), width: chart.width };
    });
    const title = await figure.locator('.chart-title').textContent();
    await figure.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'local-alarm-chart.png') });

    // Assess: the page drew the block opsbot sent, with its title, one line a series
    const channel = (await (
      await fetch(`${local.url}/local/messages`, { headers: { 'x-opsbot-token': local.token } })
    ).json()) as Array<{ channel: string; text: string; blocks?: Array<{ type: string }> }>;
    const notice = channel.find((m) => m.channel === 'C0ALERTS001' && m.text.includes('web-prod-5xx-errors'));
    const sent = notice?.blocks?.find((b): b is ChartBlock => b.type === 'data_visualization');
    expect(sent?.chart.type).toBe('line');
    expect(title).toBe(sent?.title);
    await expect(figure.locator('.chart-title').isVisible()).resolves.toBe(true);
    expect(drawn).toEqual({
      type: 'line',
      series: sent?.chart.series?.map((s) => s.name),
      width: expect.any(Number),
    });
    expect(drawn?.width).toBeGreaterThan(0);
    expect(elsewhere).toEqual([]);
  });

  it('guards the Home tab’s routes as the page’s other POST routes, and acts only as a person the page offers', async () => {
    // Prepare
    const json = { 'content-type': 'application/json', 'x-opsbot-token': local.token };
    const post = (path: string, headers: Record<string, string>, body: string) =>
      fetch(`${local.url}${path}`, { method: 'POST', headers, body });

    // Act
    const answers = await Promise.all(
      ['/local/home/open', '/local/home/click'].flatMap((path) => [
        post(path, { 'content-type': 'application/json' }, '{}'),
        post(path, { ...json, origin: 'http://evil.example' }, '{}'),
        post(path, { 'content-type': 'text/plain', 'x-opsbot-token': local.token }, '{}'),
        post(path, json, JSON.stringify({ user: 'U0NOBODY01', action_id: 'x' })),
      ]),
    );
    const chartJs = await fetch(`${local.url}/local/vendor/chart.js`);
    const withToken = await fetch(`${local.url}/local/vendor/chart.js`, { headers: { 'x-opsbot-token': local.token } });

    // Assess
    expect(answers.map((a) => a.status)).toEqual([403, 403, 415, 400, 403, 403, 415, 400]);
    await expect(answers[3]?.text()).resolves.toContain('"user" must be one of the people this page acts as');
    expect(chartJs.status).toBe(403);
    expect(withToken.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    await expect(withToken.text()).resolves.toContain('Chart.js v4');
  });

  /** The people the page offers, as it reads them. */
  async function workspace(): Promise<{ people: Array<{ id: string; name: string }> }> {
    const response = await fetch(`${local.url}/local/workspace`, { headers: { 'x-opsbot-token': local.token } });
    return (await response.json()) as { people: Array<{ id: string; name: string }> };
  }
});

/** What the test reads of Chart.js in the page. */
interface ChartJs {
  getChart(
    canvas: unknown,
  ): { config: { type: string }; data: { datasets: Array<{ label?: string }> }; width: number } | undefined;
}
