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
/** A message a link led to, highlighted until `flashUntil`. */
let flashTs = null;
let flashUntil = 0;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Slack's own escapes (`&lt;`, `&gt;`, `&amp;`) shown as the characters they stand for, then made safe for HTML. */
function shown(text) {
  return escapeHtml(text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
}

/** Slack mrkdwn → HTML: links, mentions, channels, bold, italics, strike, code, code blocks, emoji. */
function mrkdwn(text) {
  const slots = [];
  const keep = (html) => `\uE000${slots.push(html) - 1}\uE000`;
  let out = text
    .replace(/```([\s\S]*?)```/g, (_, code) => keep(`<pre>${shown(code)}</pre>`))
    .replace(/`([^`\n]+)`/g, (_, code) => keep(`<code>${shown(code)}</code>`))
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, (_, url, label) =>
      keep(`<a href="${escapeHtml(url)}" target="_blank" rel="noopener">${shown(label)}</a>`),
    )
    .replace(/<(https?:\/\/[^>]+)>/g, (_, url) =>
      keep(`<a href="${escapeHtml(url)}" target="_blank" rel="noopener">${escapeHtml(url)}</a>`),
    )
    .replace(/<@([UW][A-Z0-9]+)(\|[^>]*)?>/g, (_, id) => keep(`<b>@${escapeHtml(nameOf(id))}</b>`))
    .replace(/<#[CGD][A-Z0-9]+\|([^>]*)>/g, (_, name) => keep(`<b>#${escapeHtml(name)}</b>`))
    .replace(/<!(here|channel|everyone)>/g, (_, who) => keep(`<b>@${who}</b>`));
  out = shown(out)
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, '$1<i>$2</i>')
    .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/g, '$1<s>$2</s>')
    .replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
  return out.replace(/\uE000(\d+)\uE000/g, (_, i) => slots[Number(i)]);
}

function renderBlocks(message) {
  const blocks = message.blocks;
  if (!Array.isArray(blocks) || blocks.length === 0) return `<div class="sec">${mrkdwn(message.text || '')}</div>`;
  return blocks
    .map((block) => {
      switch (block.type) {
        case 'header':
          return `<h3 class="hdr">${escapeHtml(block.text?.text ?? '')}</h3>`;
        case 'section': {
          const fields = (block.fields ?? []).map((f) => `<div>${mrkdwn(f.text ?? '')}</div>`).join('');
          return `<div class="sec">${mrkdwn(block.text?.text ?? '')}${fields}</div>`;
        }
        case 'context':
          return `<div class="ctx">${(block.elements ?? []).map((e) => `<span>${mrkdwn(e.text ?? '')}</span>`).join('')}</div>`;
        case 'divider':
          return '<hr>';
        case 'actions':
          return `<div class="actions">${(block.elements ?? [])
            .filter((e) => e.type === 'button')
            .map(
              (e) =>
                `<button type="button" class="${e.style ?? ''}" data-ts="${escapeHtml(message.ts)}" data-action="${escapeHtml(e.action_id)}">${escapeHtml(e.text?.text ?? '')}</button>`,
            )
            .join('')}</div>`;
        default:
          return '';
      }
    })
    .join('');
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

function renderMessage(m, replies) {
  const who = m.from === 'bot' ? 'opsbot' : nameOf(m.user ?? '');
  const edited = m.updates > 0 ? ' <span class="edited">(edited)</span>' : '';
  const eph = m.ephemeral ? '<div class="eph">Only visible to you</div>' : '';
  const thread =
    replies.length > 0 ? `<div class="thread">${replies.map((r) => renderMessage(r, [])).join('')}</div>` : '';
  const replyButton =
    m.thread_ts === undefined && !m.ephemeral
      ? `<button type="button" class="replylink" data-thread="${escapeHtml(m.ts)}">Reply in thread</button>`
      : '';
  const flash = m.ts === flashTs && Date.now() < flashUntil ? ' flash' : '';
  return `<div class="msg${flash}" data-ts="${escapeHtml(m.ts)}"><span class="who">${escapeHtml(who)}</span><span class="ts">${time(m.ts)}</span>${edited}
    <div class="body">${renderBlocks(m)}</div>${eph}${replyButton}${thread}</div>`;
}

function renderChannels() {
  $('channels').innerHTML = shownChannels()
    .map((c) => {
      const count = visibleIn(c.id).length;
      const unread = c.id === current ? 0 : count - (seen[c.id] ?? 0);
      return `<button type="button" class="chan${c.id === current ? ' current' : ''}" data-channel="${escapeHtml(c.id)}">${escapeHtml(c.name)}${unread > 0 ? ` <span class="unread">${unread}</span>` : ''}</button>`;
    })
    .join('');
  $('title').textContent = shownChannels().find((c) => c.id === current)?.name ?? current;
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
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const here = visibleIn(current);
  seen[current] = here.length;
  renderChannels();
  const top = here.filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
  const byThread = new Map();
  for (const m of here) {
    if (m.thread_ts !== undefined && m.thread_ts !== m.ts)
      byThread.set(m.thread_ts, [...(byThread.get(m.thread_ts) ?? []), m]);
  }
  box.innerHTML =
    (current === channels[0]?.id ? welcome() : '') +
    top.map((m) => renderMessage(m, byThread.get(m.ts) ?? [])).join('');
  if (atBottom) box.scrollTop = box.scrollHeight;
  $('target').innerHTML =
    replyTo === null ? '' : `Replying in thread <button type="button" id="leave">back to channel</button>`;
}

async function refresh() {
  const response = await fetch('/local/messages');
  if (lostToken(response)) return;
  messages = await response.json();
  render();
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

/** Acts as another of the offered people from now on; a DM shown becomes theirs. */
function actAs(id) {
  const wasDm = current === person()?.dm;
  acting = people.find((p) => p.id === id)?.id ?? acting;
  sessionStorage.setItem('opsbot-person', acting);
  if (wasDm) current = person()?.dm ?? channels[0].id;
  replyTo = null;
  renderPeople();
  render();
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
  else if (target.closest('[data-channel]') !== null) {
    current = target.closest('[data-channel]').dataset.channel;
    replyTo = null;
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
