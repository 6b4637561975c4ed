// The local channel page: renders the stand-in's channel from Block Kit and sends what you type to Slack's
// stand-in, which signs it as the person you act as and delivers it to opsbot's request URL.

const EMOJI = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  warning: '⚠️',
  rocket: '🚀',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  no_entry: '⛔',
  large_green_circle: '🟢',
  red_circle: '🔴',
  large_yellow_circle: '🟡',
  large_blue_circle: '🔵',
  white_circle: '⚪',
  black_circle: '⚫',
  arrows_counterclockwise: '🔄',
  tada: '🎉',
  eyes: '👀',
  construction: '🚧',
  stopwatch: '⏱️',
  calendar: '📅',
  spiral_calendar_pad: '🗓️',
  bell: '🔔',
  information_source: 'ℹ️',
  fire: '🔥',
  rewind: '⏪',
  leftwards_arrow_with_hook: '↩️',
  repeat: '🔁',
  wrench: '🔧',
  package: '📦',
  lock: '🔒',
  unlock: '🔓',
  point_right: '👉',
  thinking_face: '🤔',
  octagonal_sign: '🛑',
  traffic_light: '🚦',
  bar_chart: '📊',
  clipboard: '📋',
  mag: '🔍',
  zzz: '💤',
  recycle: '♻️',
  green_heart: '💚',
  broken_heart: '💔',
  robot_face: '🤖',
};

/** What a newcomer can try first: shown, clickable, in the welcome at the top of the first channel. */
const EXAMPLES = [
  '/deploy help',
  'is the web pipeline green?',
  '/deploy web staging v1.9.0',
  'roll back billing in production',
  'any AWS maintenance this week?',
];

const $ = (id) => document.getElementById(id);
let replyTo = null;
let messages = [];
/** The configured channels (the first is where the page opens), and the one shown; how many of each you have seen. */
let channels = [{ id: 'C0DEPLOYS01', name: '#deploys' }];
let current = 'C0DEPLOYS01';
const seen = {};
/** The people the page can act as (from the server's configuration), and who acts now: it signs every send and click. */
let people = [];
let notes = [];
let acting = null;
/** What the page shows: a channel (`current`), or opsbot's Home tab for the person acting. */
let tab = 'messages';
/** The Home tab the stand-in last gave for a person, and what #home shows (drawn again only when it changes). */
let homeView = null;
let homeDrawn = '';
/** The person whose Home tab is being opened (app_home_opened sent, no view read since). */
let homeOpening = null;
/** A message a link led to, highlighted until `flashUntil`. */
let flashTs = null;
let flashUntil = 0;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/**
 * An element built from Slack's content without ever parsing it as HTML: attributes are set one by one, and strings
 * among the children become text nodes. Everything a message, a Home view or a chart brings is drawn through this.
 */
function h(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child !== undefined && child !== null)
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Slack's own escapes (`&lt;`, `&gt;`, `&amp;`) as the characters they stand for. */
function unescapeSlack(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** `:name:` as the emoji Slack shows for it (the names opsbot uses); any other name stays as it is written. */
function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

/** A link from Slack's content: only to a web address (anything else is shown as its text). */
function webLink(url, label) {
  if (!/^https?:\/\//i.test(url)) return document.createTextNode(label);
  return h('a', { href: url, target: '_blank', rel: 'noopener' }, [label]);
}

/**
 * Slack mrkdwn as nodes: links, mentions, channels, bold, italics, strike, code, code blocks, emoji. What Slack marks
 * up (links, code, mentions) is taken out first and kept as nodes; emphasis is then marked in the text that is left
 * with private-use characters, which the walk below turns into elements: no step reads the text as HTML.
 */
function mrkdwn(text) {
  const slots = [];
  const keep = (node) => `\uE000${slots.push(node) - 1}\uE000`;
  const marked = unescapeSlack(
    text
      .replace(/[\uE000-\uE002]/g, '')
      .replace(/```([\s\S]*?)```/g, (_, code) => keep(h('pre', {}, [unescapeSlack(code)])))
      .replace(/`([^`\n]+)`/g, (_, code) => keep(h('code', {}, [unescapeSlack(code)])))
      .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, (_, url, label) =>
        keep(webLink(unescapeSlack(url), unescapeSlack(label))),
      )
      .replace(/<(https?:\/\/[^>]+)>/g, (_, url) => keep(webLink(unescapeSlack(url), unescapeSlack(url))))
      .replace(/<@([UW][A-Z0-9]+)(\|[^>]*)?>/g, (_, id) => keep(h('b', {}, [`@${nameOf(id)}`])))
      .replace(/<#[CGD][A-Z0-9]+\|([^>]*)>/g, (_, name) => keep(h('b', {}, [`#${unescapeSlack(name)}`])))
      .replace(/<!(here|channel|everyone)>/g, (_, who) => keep(h('b', {}, [`@${who}`]))),
  )
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, '$1\uE001b$2\uE002')
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, '$1\uE001i$2\uE002')
    .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/g, '$1\uE001s$2\uE002');
  const root = document.createDocumentFragment();
  const open = [root];
  const top = () => open[open.length - 1];
  let at = 0;
  for (const match of marked.matchAll(/\uE000(\d+)\uE000|\uE001([bis])|\uE002/g)) {
    if (match.index > at) top().append(emojify(marked.slice(at, match.index)));
    if (match[1] !== undefined) top().append(slots[Number(match[1])]);
    else if (match[2] !== undefined) {
      const element = document.createElement(match[2]);
      top().append(element);
      open.push(element);
    } else if (open.length > 1) open.pop();
    at = match.index + match[0].length;
  }
  if (at < marked.length) top().append(emojify(marked.slice(at)));
  return root;
}

/** A text object: mrkdwn drawn, plain_text as it is (with its emoji names shown, unless it says not to). */
function textObject(object) {
  const text = object?.text ?? '';
  if (object?.type === 'mrkdwn') return mrkdwn(text);
  return document.createTextNode(object?.emoji === false ? text : emojify(text));
}

/** A rich_text block's elements (also a data table's rich_text cell): sections, lists, code, quotes. */
function richText(elements) {
  const root = document.createDocumentFragment();
  for (const element of elements ?? []) {
    switch (element.type) {
      case 'rich_text_section':
        root.append(h('div', { class: 'rt' }, richInline(element.elements)));
        break;
      case 'rich_text_list': {
        const items = (element.elements ?? []).map((item) => h('li', {}, richInline(item.elements)));
        root.append(h(element.style === 'ordered' ? 'ol' : 'ul', {}, items));
        break;
      }
      case 'rich_text_preformatted':
        root.append(h('pre', {}, richInline(element.elements)));
        break;
      case 'rich_text_quote':
        root.append(h('blockquote', {}, richInline(element.elements)));
        break;
      default:
        break;
    }
  }
  return root;
}

/** Rich text's inline elements: text and links with their styles, mentions, emoji. */
function richInline(elements) {
  return (elements ?? []).map((element) => {
    let node;
    switch (element.type) {
      case 'text':
        node = document.createTextNode(element.text ?? '');
        break;
      case 'link':
        node = webLink(element.url ?? '', element.text || element.url || '');
        break;
      case 'user':
        node = h('b', {}, [`@${nameOf(element.user_id ?? '')}`]);
        break;
      case 'channel':
        node = h('b', {}, [
          `#${channels.find((c) => c.id === element.channel_id)?.name.slice(1) ?? element.channel_id}`,
        ]);
        break;
      case 'usergroup':
        node = h('b', {}, [`@${element.usergroup_id ?? ''}`]);
        break;
      case 'broadcast':
        node = h('b', {}, [`@${element.range ?? ''}`]);
        break;
      case 'emoji':
        node = document.createTextNode(
          EMOJI[element.name] ??
            (typeof element.unicode === 'string'
              ? String.fromCodePoint(...element.unicode.split('-').map((hex) => Number.parseInt(hex, 16)))
              : `:${element.name}:`),
        );
        break;
      default:
        node = document.createTextNode(typeof element.fallback === 'string' ? element.fallback : '');
    }
    const style = element.style ?? {};
    for (const [flag, tag] of [
      ['code', 'code'],
      ['strike', 's'],
      ['italic', 'i'],
      ['bold', 'b'],
    ]) {
      if (style[flag] === true) node = h(tag, {}, [node]);
    }
    return node;
  });
}

/** A button of a message (clicked through /local/click) or of the Home tab (through /local/home/click). */
function buttonOf(element, where) {
  return h(
    'button',
    {
      type: 'button',
      class: element.style ?? '',
      ...(where.home
        ? { 'data-home-action': element.action_id }
        : { 'data-ts': where.ts, 'data-action': element.action_id }),
    },
    [textObject(element.text)],
  );
}

/**
 * Blocks as nodes, for a message or the Home tab. `where.key` names the surface (a message's ts, or the Home tab), so
 * that a chart is drawn once and a table keeps its sorting and page while the surface is drawn again.
 */
function blockNodes(blocks, where) {
  return blocks.map((block, i) => {
    // By place, not block_id: a view published again with new block ids keeps its tables' sorting and page.
    const key = `${where.key}:${i}`;
    switch (block.type) {
      case 'header':
        return h('h3', { class: 'hdr' }, [textObject(block.text)]);
      case 'section':
        return h('div', { class: 'sec' }, [
          block.text === undefined ? null : textObject(block.text),
          ...(block.fields ?? []).map((f) => h('div', {}, [textObject(f)])),
        ]);
      case 'context':
        return h(
          'div',
          { class: 'ctx' },
          (block.elements ?? []).filter((e) => typeof e.text === 'string').map((e) => h('span', {}, [textObject(e)])),
        );
      case 'divider':
        return h('hr');
      case 'actions':
        return h(
          'div',
          { class: 'actions' },
          (block.elements ?? []).filter((e) => e.type === 'button').map((e) => buttonOf(e, where)),
        );
      case 'rich_text':
        return h('div', { class: 'sec rich' }, [richText(block.elements)]);
      case 'data_visualization':
        return chartFigure(block, key);
      case 'data_table':
        return tableFigure(block, key, where);
      default:
        return document.createTextNode('');
    }
  });
}

/** A message's body: its blocks, or its text where it has none. */
function messageBody(message) {
  const blocks = message.blocks;
  if (!Array.isArray(blocks) || blocks.length === 0) return [h('div', { class: 'sec' }, [mrkdwn(message.text || '')])];
  return blockNodes(blocks, { key: `m:${message.ts}`, ts: message.ts, home: false });
}

/** Colours for a chart's series, in order (Slack's own palette). */
const SERIES_COLOURS = ['#1264a3', '#e01e5a', '#2eb67d', '#ecb22e', '#36c5f0', '#7c3085'];

/**
 * The charts drawn, by surface and block: each keeps its element and Chart.js instance while its block is the same,
 * so a channel redrawn on every change does not draw its charts again.
 */
const charts = new Map();
/** The charts the surface being drawn still shows; the others are destroyed after it is drawn (see {@link settleCharts}). */
const chartsShown = new Set();

/** A data visualization block: its title, and its chart drawn by Chart.js on a canvas once it is on the page. */
function chartFigure(block, key) {
  const json = JSON.stringify(block);
  chartsShown.add(key);
  const drawn = charts.get(key);
  if (drawn !== undefined && drawn.json === json) return drawn.figure;
  drawn?.chart?.destroy();
  const title = block.title ?? '';
  const canvas = h('canvas', { role: 'img', 'aria-label': title });
  const figure = h('figure', { class: 'chart', 'data-chart': block.chart?.type ?? '' }, [
    h('figcaption', { class: 'chart-title' }, [title]),
    h('div', { class: 'chart-box' }, [canvas]),
  ]);
  charts.set(key, { json, figure, canvas, config: chartConfig(block.chart ?? {}), chart: null });
  return figure;
}

/** Chart.js's configuration for a Slack chart: line, area (a filled line), bar, or pie. */
function chartConfig(chart) {
  const base = { animation: false, responsive: true, maintainAspectRatio: false };
  if (chart.type === 'pie') {
    const segments = chart.segments ?? [];
    return {
      type: 'pie',
      data: {
        labels: segments.map((s) => s.label),
        datasets: [
          {
            data: segments.map((s) => s.value),
            backgroundColor: segments.map((_, i) => SERIES_COLOURS[i % SERIES_COLOURS.length]),
          },
        ],
      },
      options: { ...base, plugins: { legend: { position: 'right' } } },
    };
  }
  const axis = chart.axis_config ?? {};
  const categories = axis.categories ?? [];
  const axisTitle = (text) => (typeof text === 'string' && text !== '' ? { display: true, text } : { display: false });
  return {
    type: chart.type === 'bar' ? 'bar' : 'line',
    data: {
      labels: categories,
      datasets: (chart.series ?? []).map((series, i) => {
        const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
        // Each series has one point per category, in any order: drawn in the categories' order.
        const values = categories.map((c) => (series.data ?? []).find((p) => p.label === c)?.value ?? null);
        return {
          label: series.name,
          data: values,
          borderColor: colour,
          backgroundColor: chart.type === 'line' ? colour : `${colour}66`,
          fill: chart.type === 'area',
          // Monotone curves never overshoot a point: a metric is not drawn dipping below what it read.
          ...(chart.type !== 'bar' && { pointRadius: 2, cubicInterpolationMode: 'monotone' }),
        };
      }),
    },
    options: {
      ...base,
      plugins: { legend: { position: 'bottom' } },
      scales: { x: { title: axisTitle(axis.x_label) }, y: { title: axisTitle(axis.y_label), beginAtZero: true } },
    },
  };
}

/**
 * After a surface is drawn: its new charts are drawn now that their canvases are on the page, and the charts it no
 * longer shows are destroyed. `prefix` names the surface (`m:` the channel, `home:` the Home tab).
 */
function settleCharts(prefix) {
  for (const [key, drawn] of charts) {
    if (!key.startsWith(prefix)) continue;
    if (!chartsShown.has(key)) {
      drawn.chart?.destroy();
      charts.delete(key);
    } else if (drawn.chart === null && window.Chart !== undefined) {
      drawn.chart = new window.Chart(drawn.canvas, drawn.config);
    } else if (drawn.chart === null) {
      drawn.figure
        .querySelector('.chart-box')
        .replaceChildren(h('div', { class: 'hint' }, ['The chart library did not load: reload the page.']));
    }
  }
  for (const key of [...chartsShown]) if (key.startsWith(prefix)) chartsShown.delete(key);
}

/** How each data table is sorted and which page it shows, by surface and block: kept while the surface is redrawn. */
const tables = new Map();

/** A cell's text, as a person reads it: what sorting compares, and what an action cell falls back to. */
function cellText(cell) {
  switch (cell?.type) {
    case 'raw_text':
    case 'raw_number':
      return cell.text ?? '';
    case 'rich_text':
      return richText(cell.elements).textContent ?? '';
    case 'action_cell':
      return cell.element?.text?.text ?? cell.fallback?.text ?? '';
    default:
      return '';
  }
}

/** What a cell sorts by: a number's value (or its text read as one), else its text. */
function sortValue(cell) {
  if (cell?.type === 'raw_number') {
    const value = typeof cell.value === 'number' ? cell.value : Number.parseFloat(cell.text);
    if (Number.isFinite(value)) return value;
  }
  return cellText(cell);
}

function compareCells(a, b) {
  const x = sortValue(a);
  const y = sortValue(b);
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: 'base' });
}

/** A cell's content: text, a number, rich text, or a button (an action cell). */
function cellContent(cell, where) {
  switch (cell?.type) {
    case 'raw_text':
    case 'raw_number':
      return document.createTextNode(cell.text ?? '');
    case 'rich_text':
      return richText(cell.elements);
    case 'action_cell':
      return cell.element?.type === 'button'
        ? h('span', { class: 'actions' }, [buttonOf(cell.element, where)])
        : document.createTextNode(cell.fallback?.text ?? '');
    default:
      return document.createTextNode('');
  }
}

/**
 * A data table block as Slack shows it: its caption, a header whose columns sort the rows (ascending, then
 * descending), and pages of `page_size` rows (5 unless it says). The row header column is marked for screen readers.
 */
function tableFigure(block, key, where) {
  const rows = Array.isArray(block.rows) ? block.rows : [];
  const [header = [], ...body] = rows;
  const size = Number.isInteger(block.page_size) && block.page_size > 0 ? block.page_size : 5;
  const state = tables.get(key) ?? { column: null, descending: false, page: 0 };
  tables.set(key, state);
  const sorted = body.map((row, i) => ({ row, i }));
  if (state.column !== null) {
    sorted.sort(
      (a, b) => (state.descending ? -1 : 1) * compareCells(a.row[state.column], b.row[state.column]) || a.i - b.i,
    );
  }
  const pages = Math.max(1, Math.ceil(body.length / size));
  state.page = Math.min(state.page, pages - 1);
  const shown = sorted.slice(state.page * size, (state.page + 1) * size);
  const rowHeader = Number.isInteger(block.row_header_column_index) ? block.row_header_column_index : 0;
  const figure = h('figure', { class: 'datatable' });
  const redraw = () => figure.replaceWith(tableFigure(block, key, where));

  const headCells = header.map((cell, column) => {
    const sorting = state.column === column ? (state.descending ? 'descending' : 'ascending') : undefined;
    const button = h('button', { type: 'button', class: 'sort', title: 'Sort by this column' }, [
      cellText(cell),
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, [
        sorting === undefined ? '' : sorting === 'ascending' ? ' ▲' : ' ▼',
      ]),
    ]);
    button.addEventListener('click', () => {
      state.descending = state.column === column ? !state.descending : false;
      state.column = column;
      state.page = 0;
      redraw();
    });
    return h('th', { scope: 'col', 'aria-sort': sorting, class: cell?.type === 'raw_number' ? 'num' : undefined }, [
      button,
    ]);
  });
  const bodyRows = shown.map(({ row }) =>
    h(
      'tr',
      {},
      row.map((cell, column) =>
        h(
          column === rowHeader ? 'th' : 'td',
          { scope: column === rowHeader ? 'row' : undefined, class: cell?.type === 'raw_number' ? 'num' : undefined },
          [cellContent(cell, where)],
        ),
      ),
    ),
  );
  figure.append(
    h('table', {}, [
      h('caption', {}, [block.caption ?? '']),
      h('thead', {}, [h('tr', {}, headCells)]),
      h('tbody', {}, bodyRows),
    ]),
  );
  if (body.length > size) {
    const step = (by) => {
      const button = h(
        'button',
        { type: 'button', class: 'page', disabled: state.page + by < 0 || state.page + by >= pages },
        [by < 0 ? '‹ Previous' : 'Next ›'],
      );
      button.addEventListener('click', () => {
        state.page += by;
        redraw();
      });
      return button;
    };
    const first = state.page * size + 1;
    figure.append(
      h('div', { class: 'pager' }, [
        step(-1),
        h('span', { class: 'range' }, [`${first}–${first + shown.length - 1} of ${body.length}`]),
        step(1),
      ]),
    );
  }
  return figure;
}

/** A person's name on this page, or their id when the page does not offer them. */
function nameOf(id) {
  return people.find((p) => p.id === id)?.name ?? id;
}

function person() {
  return people.find((p) => p.id === acting);
}

/** The channels this person sees: the configured ones, and their own DM with the bot. */
function shownChannels() {
  const me = person();
  return me === undefined ? channels : [...channels, { id: me.dm, name: 'opsbot (DM)' }];
}

/** What this person sees of a channel: everyone's messages, and those visible only to them (as Slack shows them). */
function visibleIn(channel) {
  return messages.filter((m) => m.channel === channel && (!m.ephemeral || m.user === acting));
}

/**
 * opsbot's own links to a message (https://slack.com/archives/<channel>/p<ts without its dot>): the channel and ts,
 * so the page can show the message instead of leaving for Slack; null for any other link.
 */
function slackMessageLink(href) {
  const match = /^https:\/\/slack\.com\/archives\/([CGD][A-Z0-9]+)\/p(\d+)(\d{6})(?:[?#].*)?$/.exec(href);
  return match === null ? null : { channel: match[1], ts: `${match[2]}.${match[3]}` };
}

/** Shows the message a link points at: its channel, scrolled to it, highlighted for a moment. */
function showMessage(channel, ts) {
  const target = messages.find((m) => m.ts === ts && m.channel === channel && (!m.ephemeral || m.user === acting));
  if (target === undefined || !shownChannels().some((c) => c.id === channel)) {
    say('That message is not on this page: it was deleted, or only someone else can see it.');
    return;
  }
  current = channel;
  tab = 'messages';
  replyTo = null;
  flashTs = ts;
  flashUntil = Date.now() + 2500;
  render();
  document.querySelector(`#messages .msg[data-ts="${CSS.escape(ts)}"]`)?.scrollIntoView({ block: 'center' });
  setTimeout(() => {
    if (Date.now() >= flashUntil) render();
  }, 2600);
}

/** A short line above the composer, gone after a few seconds. */
function say(text) {
  $('note').textContent = text;
  setTimeout(() => {
    if ($('note').textContent === text) $('note').textContent = '';
  }, 5000);
}

/** The page's own welcome, at the top of the first channel: not a message of the channel, and never sent to opsbot. */
function welcome() {
  const me = person();
  const examples = EXAMPLES.map(
    (text) =>
      `<button type="button" data-try="${escapeHtml(text)}">${text.startsWith('/') ? `<code>${escapeHtml(text)}</code>` : escapeHtml(text)}</button>`,
  ).join('');
  return `<div class="msg welcome"><span class="who">Welcome</span><span class="ts">shown by this page only</span>
    <h3 class="hdr">opsbot on your machine</h3>
    <div class="sec">This page stands in for Slack: what you send reaches opsbot as Slack would deliver it, signed as the person you act as${me === undefined ? '' : ` (now <b>${escapeHtml(me.name)}</b>)`}, and opsbot answers from the sandbox account. Click one to send it:</div>
    <div class="actions try">${examples}</div>
    <div class="ctx"><span>Switch person at the top right to approve someone else's deploy, see who may confirm it, or lift someone else's lock.</span></div></div>`;
}

function time(ts) {
  return new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * A message as HTML of the page's own, its body left empty (`data-body`, an index into `bodies`): its blocks are
 * drawn into it as nodes once the channel is on the page (see {@link render}).
 */
function renderMessage(m, replies, bodies) {
  const who = m.from === 'bot' ? 'opsbot' : nameOf(m.user ?? '');
  const edited = m.updates > 0 ? ' <span class="edited">(edited)</span>' : '';
  const eph = m.ephemeral ? '<div class="eph">Only visible to you</div>' : '';
  const thread =
    replies.length > 0 ? `<div class="thread">${replies.map((r) => renderMessage(r, [], bodies)).join('')}</div>` : '';
  const replyButton =
    m.thread_ts === undefined && !m.ephemeral
      ? `<button type="button" class="replylink" data-thread="${escapeHtml(m.ts)}">Reply in thread</button>`
      : '';
  const flash = m.ts === flashTs && Date.now() < flashUntil ? ' flash' : '';
  return `<div class="msg${flash}" data-ts="${escapeHtml(m.ts)}"><span class="who">${escapeHtml(who)}</span><span class="ts">${time(m.ts)}</span>${edited}
    <div class="body" data-body="${bodies.push(m) - 1}"></div>${eph}${replyButton}${thread}</div>`;
}

function renderChannels() {
  const showing = tab === 'messages' ? current : null;
  $('channels').innerHTML =
    shownChannels()
      .map((c) => {
        const count = visibleIn(c.id).length;
        const unread = c.id === showing ? 0 : count - (seen[c.id] ?? 0);
        return `<button type="button" class="chan${c.id === showing ? ' current' : ''}" data-channel="${escapeHtml(c.id)}">${escapeHtml(c.name)}${unread > 0 ? ` <span class="unread">${unread}</span>` : ''}</button>`;
      })
      .join('') +
    (person() === undefined
      ? ''
      : `<button type="button" class="applink${tab === 'home' ? ' current' : ''}" data-home>opsbot · Home</button>`);
  $('title').textContent =
    tab === 'home' ? 'opsbot · Home' : (shownChannels().find((c) => c.id === current)?.name ?? current);
}

/**
 * The app's tabs, over its DM as in Slack: Home (the view opsbot publishes for this person) and Messages (the DM).
 * Shown while the DM or the Home tab is.
 */
function renderTabs() {
  const inApp = tab === 'home' || current === person()?.dm;
  $('tabs').hidden = !inApp;
  for (const button of $('tabs').querySelectorAll('[role="tab"]')) {
    button.setAttribute('aria-selected', String(button.dataset.tab === tab));
  }
  $('messages').hidden = tab === 'home';
  $('composer').hidden = tab === 'home';
  $('home').hidden = tab !== 'home';
}

/** Who the page acts as: the switcher, and what the configuration lets them do. */
function renderPeople() {
  $('person').innerHTML = people
    .map(
      (p) =>
        `<option value="${escapeHtml(p.id)}"${p.id === acting ? ' selected' : ''}>${escapeHtml(p.name)} (${escapeHtml(p.id)})</option>`,
    )
    .join('');
  const me = person();
  $('role').textContent = me === undefined ? '' : me.role;
  $('people').innerHTML = people
    .map(
      (p) =>
        `<div class="alarm"><span><b>${escapeHtml(p.name)}</b> <small>${escapeHtml(p.role)}</small></span>${p.id === acting ? '<small>acting</small>' : `<button type="button" class="tool" data-person="${escapeHtml(p.id)}">Act as</button>`}</div>`,
    )
    .join('');
  $('notes').textContent = notes.join(' ');
  $('text').placeholder = `Message opsbot as ${me?.name ?? 'you'}, or /deploy help`;
}

function render() {
  const box = $('messages');
  // A channel shown again after the Home tab opens at its latest message, as it would have stayed.
  const returning = box.hidden;
  renderChannels();
  renderTabs();
  // The channel is drawn again when it is shown again; meanwhile its messages count as unread.
  if (tab === 'home') return;
  const atBottom = returning || box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const here = visibleIn(current);
  seen[current] = here.length;
  const top = here.filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
  const byThread = new Map();
  for (const m of here) {
    if (m.thread_ts !== undefined && m.thread_ts !== m.ts)
      byThread.set(m.thread_ts, [...(byThread.get(m.thread_ts) ?? []), m]);
  }
  const bodies = [];
  box.innerHTML =
    (current === channels[0]?.id ? welcome() : '') +
    top.map((m) => renderMessage(m, byThread.get(m.ts) ?? [], bodies)).join('');
  for (const slot of box.querySelectorAll('[data-body]'))
    slot.append(...messageBody(bodies[Number(slot.dataset.body)]));
  settleCharts('m:');
  if (atBottom) box.scrollTop = box.scrollHeight;
  $('target').innerHTML =
    replyTo === null ? '' : `Replying in thread <button type="button" id="leave">back to channel</button>`;
}

async function refresh() {
  const response = await fetch('/local/messages');
  if (lostToken(response)) return;
  messages = await response.json();
  render();
  if (tab === 'home') await refreshHome();
}

/** Opens opsbot's Home tab for the person acting: Slack's app_home_opened goes to the bot, which publishes the view. */
async function openHome() {
  const me = person();
  if (me === undefined) return;
  tab = 'home';
  current = me.dm;
  replyTo = null;
  homeOpening = me.id;
  render();
  renderHome();
  await post('/local/home/open', { user: me.id });
  if (homeOpening === me.id) homeOpening = null;
  await refreshHome();
}

/** Reads the Home tab the stand-in keeps for the person acting (as views.publish last set it), and draws it. */
async function refreshHome() {
  const user = acting;
  const response = await fetch(`/local/home?user=${encodeURIComponent(user ?? '')}`);
  if (lostToken(response)) return;
  const answer = await response.json();
  if (user !== acting) return;
  homeView = { user, answer };
  renderHome();
}

/**
 * The Home tab's blocks, drawn only when the person or what opsbot published changes: its tables keep their sorting and
 * page, and its charts are not drawn again, while the channel around it changes.
 */
function renderHome() {
  const me = person();
  const answer = homeView?.user === acting ? homeView.answer : null;
  const opening = homeOpening === acting && answer?.published !== true;
  const drawing = JSON.stringify([acting, answer, opening]);
  if (drawing === homeDrawn) return;
  homeDrawn = drawing;
  const name = me?.name ?? 'you';
  if (answer?.published === true) {
    const times = answer.publications === 1 ? 'once' : `${answer.publications} times`;
    $('home').replaceChildren(
      h('div', { class: 'hint homehead' }, [
        `opsbot's Home tab for ${name}, as opsbot last published it (views.publish, ${times}).`,
      ]),
      h('div', { class: 'homeblocks' }, blockNodes(answer.view?.blocks ?? [], { key: `home:${acting}`, home: true })),
    );
  } else {
    $('home').replaceChildren(
      h('div', { class: 'hint homehead' }, [
        opening
          ? `Opening opsbot's Home tab for ${name}…`
          : `opsbot has published no Home tab for ${name} yet: Slack tells it the tab was opened (app_home_opened), and it answers with views.publish.`,
      ]),
    );
  }
  settleCharts('home:');
}

/** The channels and the people the server offers, read once: the page opens on the first channel, as the first person. */
async function loadWorkspace() {
  const response = await fetch('/local/workspace');
  if (lostToken(response)) return;
  const workspace = await response.json();
  if (Array.isArray(workspace.channels) && workspace.channels.length > 0) channels = workspace.channels;
  people = Array.isArray(workspace.people) ? workspace.people : [];
  notes = Array.isArray(workspace.notes) ? workspace.notes : [];
  const kept = sessionStorage.getItem('opsbot-person');
  acting = people.find((p) => p.id === kept)?.id ?? people[0]?.id ?? null;
  if (!shownChannels().some((c) => c.id === current)) current = channels[0].id;
  renderPeople();
}

/** Acts as another of the offered people from now on; a DM shown becomes theirs, and so does a Home tab shown. */
function actAs(id) {
  const wasDm = current === person()?.dm;
  acting = people.find((p) => p.id === id)?.id ?? acting;
  sessionStorage.setItem('opsbot-person', acting);
  if (wasDm) current = person()?.dm ?? channels[0].id;
  replyTo = null;
  renderPeople();
  render();
  // Each person has a Home tab of their own: the new one opens it, as Slack tells the bot when they do.
  if (tab === 'home') void openHome();
}

async function refreshSandbox() {
  const response = await fetch('/local/sandbox');
  if (lostToken(response)) return;
  const state = await response.json();
  $('pipelines').innerHTML = (state.pipelines ?? [])
    .map(
      (
        p,
      ) => `<div class="alarm"><span>${escapeHtml(p.name)} <span class="state-${p.status === 'Failed' ? 'ALARM' : 'OK'}">${escapeHtml(p.status)}</span></span>
        <span><button type="button" class="tool" data-pipeline="${escapeHtml(p.name)}" data-outcome="fail">Fail</button><button type="button" class="tool" data-pipeline="${escapeHtml(p.name)}" data-outcome="succeed">Pass</button></span></div>`,
    )
    .join('');
  $('deploys').innerHTML = (state.targets ?? [])
    .map(
      (
        t,
      ) => `<div class="alarm"><span>${escapeHtml(t.service)} in ${escapeHtml(t.environment)} <small>${escapeHtml(t.engine)}</small>${t.failing ? ' <span class="state-ALARM">next fails</span>' : ''}${t.gated ? ' <span class="state-OK">next waits at a gate</span>' : ''}</span>
        <span><button type="button" class="tool" data-fail-service="${escapeHtml(t.service)}" data-fail-environment="${escapeHtml(t.environment)}"${t.failing ? ' disabled' : ''}>Fail next</button><button type="button" class="tool" data-gate-service="${escapeHtml(t.service)}" data-gate-environment="${escapeHtml(t.environment)}"${t.gated ? ' disabled' : ''}>Gate next</button></span></div>`,
    )
    .join('');
  $('clock').textContent = `Sandbox time: ${new Date(state.now).toUTCString()}`;
  $('alarms').innerHTML =
    state.alarms.length === 0
      ? '<div class="alarm"><small>No rollbackAlarms configured: the sandbox simulates only those.</small></div>'
      : state.alarms
          .map(
            (
              a,
            ) => `<div class="alarm"><span>${escapeHtml(a.name)} <span class="state-${a.state}">${a.state}</span></span>
        <button type="button" class="tool" data-alarm="${escapeHtml(a.name)}" data-to="${a.state === 'ALARM' ? 'OK' : 'ALARM'}">${a.state === 'ALARM' ? 'Clear' : 'Trip'}</button></div>`,
          )
          .join('');
}

/**
 * A request refused for want of the token (opsbot restarted with a new one, or the cookie was cleared): the page says
 * to reload it, once, instead of failing at every refresh. True when so.
 */
function lostToken(response) {
  if (response.status !== 403) return false;
  $('lost').hidden = false;
  return true;
}

async function post(path, body) {
  // The token travels in the page's cookie (same origin, SameSite=Strict): nothing here holds it.
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (lostToken(response)) return;
  if (!response.ok) alert(await response.text());
}

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('text');
  const text = input.value;
  input.value = '';
  await post('/local/send', {
    text,
    channel: current,
    user: acting,
    ...(replyTo !== null && !text.trim().startsWith('/') && { thread_ts: replyTo }),
  });
});

$('person').addEventListener('change', (event) => actAs(event.target.value));

document.addEventListener('click', async (event) => {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return;
  const link = target.closest('a[href]');
  const toMessage = link === null ? null : slackMessageLink(link.getAttribute('href'));
  if (toMessage !== null) {
    // Slack would open the message; here it is on this page, so the page shows it rather than leave for slack.com.
    event.preventDefault();
    showMessage(toMessage.channel, toMessage.ts);
  } else if (target.dataset.person !== undefined) {
    actAs(target.dataset.person);
  } else if (target.closest('[data-try]') !== null) {
    await post('/local/send', { text: target.closest('[data-try]').dataset.try, channel: current, user: acting });
  } else if (target.dataset.action !== undefined)
    await post('/local/click', { ts: target.dataset.ts, action_id: target.dataset.action, user: acting });
  else if (target.dataset.homeAction !== undefined)
    await post('/local/home/click', { action_id: target.dataset.homeAction, user: acting });
  else if (target.closest('[data-channel]') !== null) {
    current = target.closest('[data-channel]').dataset.channel;
    tab = 'messages';
    replyTo = null;
    render();
  } else if (target.closest('[data-home]') !== null || target.closest('[data-tab="home"]') !== null) {
    await openHome();
  } else if (target.closest('[data-tab="messages"]') !== null) {
    current = person()?.dm ?? current;
    tab = 'messages';
    render();
  } else if (target.dataset.pipeline !== undefined) {
    await post('/local/sandbox/pipeline', { name: target.dataset.pipeline, outcome: target.dataset.outcome });
    await refreshSandbox();
  } else if (target.dataset.failService !== undefined) {
    await post('/local/sandbox/deploy-fail', {
      service: target.dataset.failService,
      environment: target.dataset.failEnvironment,
    });
    await refreshSandbox();
  } else if (target.dataset.gateService !== undefined) {
    await post('/local/sandbox/deploy-gate', {
      service: target.dataset.gateService,
      environment: target.dataset.gateEnvironment,
    });
    await refreshSandbox();
  } else if (target.dataset.thread !== undefined) {
    replyTo = target.dataset.thread;
    render();
    $('text').focus();
  } else if (target.id === 'leave') {
    replyTo = null;
    render();
  } else if (target.dataset.alarm !== undefined) {
    await post('/local/sandbox/alarm', { name: target.dataset.alarm, state: target.dataset.to });
    await refreshSandbox();
  } else if (target.dataset.advance !== undefined) {
    await post('/local/sandbox/advance', { minutes: Number(target.dataset.advance) });
    await refreshSandbox();
  } else if (target.id === 'reset') {
    await post('/local/sandbox/reset');
    await refreshSandbox();
  } else if (target.id === 'digest') {
    await post('/local/sandbox/digest');
    await refreshSandbox();
  }
});

const stream = new EventSource('/local/stream');
stream.addEventListener('message', () => void refresh());
void loadWorkspace().then(refresh);
void refreshSandbox();
setInterval(() => void refreshSandbox(), 5000);
