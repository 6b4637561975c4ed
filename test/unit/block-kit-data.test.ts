import { checkHomeView, checkMessage } from '../../integrations/slack/block-kit';

/** Slack's own examples, from its block reference (docs.slack.dev), as published. */
const PIE = {
  type: 'data_visualization',
  title: 'My Favorite Candy Bars',
  chart: {
    type: 'pie',
    segments: [
      { label: 'Kit Kat', value: 45 },
      { label: 'Twix', value: 28 },
      { label: 'Crunch', value: 18 },
      { label: 'Milky Way', value: 9 },
    ],
  },
};
const DAYS = ['Mon', 'Tues', 'Wed', 'Thurs', 'Fri'];
const AREA = {
  type: 'data_visualization',
  title: 'Daily Active Users',
  chart: {
    type: 'area',
    series: [
      { name: 'Pied Piper Free Tier', data: DAYS.map((label, i) => ({ label, value: 12000 + i * 1000 })) },
      { name: 'Pied Piper Paid Tier', data: DAYS.map((label, i) => ({ label, value: 4500 + i * 400 })) },
    ],
    axis_config: { categories: DAYS, x_label: 'Day', y_label: 'Users' },
  },
};
const TABLE = {
  type: 'data_table',
  caption: 'A Fabulous Table',
  rows: [
    [
      { type: 'raw_text', text: 'Name' },
      { type: 'raw_text', text: 'Department' },
      { type: 'raw_text', text: 'Badge' },
    ],
    [
      { type: 'raw_text', text: 'Data Refinement Department' },
      { type: 'raw_text', text: 'MDR' },
      {
        type: 'rich_text',
        elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'Blue', style: { bold: true } }] }],
      },
    ],
  ],
};

/** A line chart of `points` minutes, one series. */
function line(points: number, extra: Record<string, unknown> = {}) {
  const categories = Array.from({ length: points }, (_, i) => `09:${String(i).padStart(2, '0')}`);
  return {
    type: 'data_visualization',
    title: '5xx count',
    chart: {
      type: 'line',
      series: [{ name: '5xx', data: categories.map((label, i) => ({ label, value: i })) }],
      axis_config: { categories },
    },
    ...extra,
  };
}

const problems = (...blocks: unknown[]) => checkMessage({ text: 'chart', blocks });

describe('checkMessage: Slack’s data visualization block', () => {
  it('accepts Slack’s published examples: a pie, an area chart, and a line of 20 points', () => {
    expect(problems(PIE)).toEqual([]);
    expect(problems(AREA)).toEqual([]);
    expect(problems(line(20))).toEqual([]);
  });

  it('refuses 21 points, a title over 50 characters, a 21-character name, and a third chart in a message', () => {
    expect(problems(line(21))).toEqual(
      expect.arrayContaining([
        'no more than 20 items allowed [json-pointer:/blocks/0/chart/axis_config/categories]',
        'no more than 20 items allowed [json-pointer:/blocks/0/chart/series/0/data]',
      ]),
    );
    expect(problems(line(3, { title: 'x'.repeat(51) }))).toEqual([
      'must be less than 51 characters [json-pointer:/blocks/0/title]',
    ]);
    const long = line(3);
    (long.chart.series[0] as { name: string }).name = 'HTTPCode_Target_5XX_C';
    expect(problems(long)).toEqual(['must be less than 21 characters [json-pointer:/blocks/0/chart/series/0/name]']);
    expect(problems(line(3), line(3), line(3))).toEqual([
      'no more than 2 data_visualization blocks allowed [json-pointer:/blocks/2]',
    ]);
  });

  it('refuses a point off the categories, a category left out, a value that is no number, and twin series', () => {
    const chart = line(3);
    const [series] = chart.chart.series as Array<{ name: string; data: Array<{ label: string; value: unknown }> }>;
    (series as { data: Array<{ label: string; value: unknown }> }).data[0] = { label: '10:00', value: Number.NaN };
    chart.chart.series.push({ ...(series as { name: string; data: Array<{ label: string; value: number }> }) });
    const found = problems(chart);
    expect(found).toContain(
      'label must match one of axis_config.categories [json-pointer:/blocks/0/chart/series/0/data/0/label]',
    );
    expect(found).toContain(
      'must contain exactly one entry for every category [json-pointer:/blocks/0/chart/series/0/data]',
    );
    expect(found).toContain('must provide a number [json-pointer:/blocks/0/chart/series/0/data/0/value]');
    expect(found).toContain('series names must be unique [json-pointer:/blocks/0/chart/series/1/name]');
  });

  it('refuses a pie slice of 0, and a chart in a Home tab, where Slack shows none', () => {
    const pie = { ...PIE, chart: { type: 'pie', segments: [{ label: 'none', value: 0 }] } };
    expect(problems(pie)).toEqual(['must be a number greater than 0 [json-pointer:/blocks/0/chart/segments/0/value]']);
    expect(checkHomeView({ type: 'home', blocks: [line(3)] })).toEqual([
      'unsupported block type in this surface [json-pointer:/view/blocks/0/type]',
    ]);
  });
});

describe('checkMessage and checkHomeView: Slack’s data table block', () => {
  it('accepts Slack’s published example, in a message and in a Home tab', () => {
    expect(problems(TABLE)).toEqual([]);
    expect(checkHomeView({ type: 'home', blocks: [TABLE] })).toEqual([]);
  });

  it('refuses 101 rows after the header, 21 columns, rows of two lengths, and rich text in the header', () => {
    const row = (cells: number) => Array.from({ length: cells }, (_, i) => ({ type: 'raw_text', text: `c${i}` }));
    const tall = { ...TABLE, rows: Array.from({ length: 102 }, () => row(3)) };
    expect(problems(tall)).toEqual(['no more than 101 items allowed [json-pointer:/blocks/0/rows]']);
    const wide = { ...TABLE, rows: [row(21), row(21)] };
    expect(problems(wide)).toEqual(['rows must have 1 to 20 cells [json-pointer:/blocks/0/rows/0]']);
    const ragged = { ...TABLE, rows: [row(3), row(2)] };
    expect(problems(ragged)).toEqual(['all rows must have the same number of cells [json-pointer:/blocks/0/rows/1]']);
    const header = { ...TABLE, rows: [TABLE.rows[1], TABLE.rows[0]] };
    expect(problems(header)).toEqual([
      'unsupported type: rich_text in the header row [json-pointer:/blocks/0/rows/0/2/type]',
    ]);
  });

  it('refuses a table over 20,000 characters, and two tables that together are, as Slack counts a message’s cells', () => {
    const big = (chars: number) => ({
      ...TABLE,
      rows: [TABLE.rows[0], Array.from({ length: 3 }, () => ({ type: 'raw_text', text: 'x'.repeat(chars / 3) }))],
    });
    expect(problems(big(20_100))).toEqual(
      expect.arrayContaining(["a table's cells must hold no more than 20000 characters [json-pointer:/blocks/0]"]),
    );
    expect(problems(big(12_000), big(12_000))).toEqual([
      "the tables' cells must hold no more than 20000 characters [json-pointer:/blocks/1]",
    ]);
  });

  it('takes a button cell (Slack’s action cell) with its fallback, checked as any button', () => {
    const withButton = {
      ...TABLE,
      rows: [
        TABLE.rows[0],
        [
          { type: 'raw_text', text: 'web' },
          { type: 'raw_number', text: '3', value: 3 },
          {
            type: 'action_cell',
            element: {
              type: 'button',
              action_id: 'opsbot.home.1',
              text: { type: 'plain_text', text: 'Deploy' },
              value: 'x',
            },
            fallback: { type: 'raw_text', text: 'Deploy' },
          },
        ],
      ],
    };
    expect(problems(withButton)).toEqual([]);
    const long = JSON.parse(JSON.stringify(withButton));
    long.rows[1][2].element.text.text = 'x'.repeat(76);
    expect(problems(long)).toEqual([
      'must be less than 76 characters [json-pointer:/blocks/0/rows/1/2/element/text/text]',
    ]);
  });
});

describe('checkHomeView', () => {
  it('takes a Home view of 100 blocks and refuses 101, a view that is not home, and one over 250 kB', () => {
    const section = { type: 'section', text: { type: 'mrkdwn', text: 'x' } };
    expect(checkHomeView({ type: 'home', blocks: Array.from({ length: 100 }, () => section) })).toEqual([]);
    expect(checkHomeView({ type: 'home', blocks: Array.from({ length: 101 }, () => section) })).toEqual([
      'no more than 100 items allowed [json-pointer:/view/blocks]',
    ]);
    expect(checkHomeView({ type: 'modal', blocks: [section] })).toEqual([
      'must be a `home` view [json-pointer:/view/type]',
    ]);
    const heavy = { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3000) } };
    expect(checkHomeView({ type: 'home', blocks: Array.from({ length: 90 }, () => heavy) })).toEqual([
      'view_too_large [json-pointer:/view]',
    ]);
  });
});
