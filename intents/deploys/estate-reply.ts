import type { PostedMessage } from '../define-intent';
import { ago, plural, stepWords } from '../format';
import { type ButtonPayload, type Cell, code, type Line, type Reply, strong, type Table } from '../reply';
import type { Estate, Place } from './estate';
import { clockTime, messageLink } from './run/words';

/**
 * Slack counts at most 20,000 characters across the cells of a message's (and a Home tab's) tables. The estate is
 * folded well within it: a table per environment, and once the cells of the next environment would not fit, that
 * environment is said in a line (its services, and those needing attention) instead of drawn.
 */
export const TABLE_BUDGET = 18_000;

const COLUMNS = [
  'Service',
  'Running',
  'Deploying',
  'Lock or freeze',
  'Last deploy',
  'Pipeline',
  'Maintenance (7 d)',
  'Deploy',
  'Roll back',
  'Thread',
];

/**
 * What runs where, as tables: one per environment (a service a row), each cell short — the version ECS runs, the
 * deploy in progress with its step and traffic, a lock or freeze with who and until when, the last deploy (who, when,
 * how it ended), the pipeline's state, AWS maintenance in the next 7 days — and buttons to deploy or roll back (asked,
 * confirmed and checked as the commands are) and a link to the deploy's thread. A place whose account could not be
 * read says so in its own row.
 */
export function estateReply(
  estate: Estate,
  options: { readonly title: string; readonly buttons: boolean; readonly timeZone: string },
): Reply {
  const environments = [...new Set(estate.places.map((p) => p.environment))];
  const tables: Table[] = [];
  const folded: Line[] = [];
  let used = 0;
  for (const environment of environments) {
    const places = estate.places.filter((p) => p.environment === environment);
    const rows = places.map((p) => row(p, estate.at, options.buttons));
    // As Slack counts them: every cell's text, the header's too (a link: its label and its address).
    const size = [COLUMNS, ...rows].reduce((sum, r) => sum + r.reduce<number>((n, c) => n + cellSize(c), 0), 0);
    if (used + size > TABLE_BUDGET) {
      const attention = places.filter(needsAttention).map((p) => p.service);
      folded.push([
        strong(environment),
        `: ${plural(places.length, 'service')}`,
        ...(attention.length > 0 ? [' · needing attention: ', attention.join(', ')] : [' · nothing needs attention']),
        ' — ask ',
        code(`what's running in ${environment}?`),
      ]);
      continue;
    }
    used += size;
    tables.push({ caption: `${environment}: what runs where`, columns: COLUMNS, rows, pageSize: 10 });
  }
  const deploying = estate.places.filter((p) => p.deploying !== undefined).length;
  const locked = estate.places.filter((p) => p.hold !== undefined || p.freeze !== undefined).length;
  const unreadable = unreadableAccounts(estate);
  const summary = [
    `${plural(new Set(estate.places.map((p) => p.service)).size, 'service')} in ${plural(environments.length, 'environment')}`,
    ...(deploying > 0 ? [`${deploying} deploying`] : []),
    ...(locked > 0 ? [`${locked} locked or frozen`] : []),
    ...(unreadable.length > 0 ? [`${plural(unreadable.length, 'account')} unreadable`] : []),
  ].join(' · ');
  return {
    title: options.title,
    summary: [summary],
    sections: [
      [
        [summary, '.'],
        ...folded,
        ...unreadable.map((u): Line => [`⚠ ${u}: its places show what could not be read; the rest is current.`]),
        ...(estate.maintenanceUnread.length > 0
          ? [[`AWS maintenance could not be read from ${estate.maintenanceUnread.slice(0, 3).join('; ')}.`] as Line]
          : []),
      ],
    ],
    ...(tables.length > 0 && { tables }),
    context: [
      [
        `Read at ${new Date(estate.at).toISOString().slice(11, 16)} UTC from ECS, CodePipeline, AWS Health and opsbot’s records.`,
      ],
    ],
    visibility: 'channel',
  };
}

function row(p: Place, now: number, buttons: boolean): Cell[] {
  const button = (label: string, payload: ButtonPayload, style?: 'danger'): Cell => ({
    kind: 'button',
    button: { label, payload, ...(style !== undefined && { style }) },
  });
  const run = p.deploying?.run;
  const d = p.deploying?.deployment;
  const previous = p.last?.kind === 'deploy' && p.last.outcome === 'succeeded' ? p.last.previousVersion : undefined;
  const thread = run?.messages[0] ?? p.last?.messages[0];
  return [
    p.service,
    p.running.ok ? p.running.value.version : `⚠ ${p.running.why}${p.account !== undefined ? ` (${p.account})` : ''}`,
    run === undefined
      ? ''
      : `→ ${run.version}${d !== undefined ? ` · ${stepWords(d.step)}${d.trafficOnGreen > 0 ? ` · ${d.trafficOnGreen}%` : ''}` : ''} · by @${run.requestedBy}`,
    [
      ...(p.hold !== undefined
        ? [
            `locked by @${p.hold.holder}${p.hold.until !== undefined ? ` until ${clockTime(p.hold.until)}` : ''}: ${p.hold.reason}`,
          ]
        : []),
      ...(p.freeze !== undefined
        ? [`frozen${p.freeze.endsAt !== undefined ? ` until ${clockTime(p.freeze.endsAt)}` : ''}: ${p.freeze.reason}`]
        : []),
    ].join(' · '),
    p.last === undefined
      ? ''
      : `${p.last.kind === 'rollback' ? 'rollback to ' : ''}${p.last.version} · ${p.last.outcome ?? 'ended'} · @${p.last.requestedBy} · ${ago(p.last.endedAt ?? p.last.requestedAt, now)}`,
    p.pipeline === undefined
      ? ''
      : p.pipeline.ok
        ? `${p.pipeline.value.name}: ${p.pipeline.value.status}${p.pipeline.value.failingStage !== undefined ? ` at ${p.pipeline.value.failingStage}` : ''}`
        : `⚠ ${p.pipeline.why}`,
    p.maintenance.length === 0
      ? ''
      : `${p.maintenance.length} · ${p.maintenance[0]?.service} ${p.maintenance[0]?.kind} ${day(p.maintenance[0]?.startsAt)}`,
    buttons && p.running.ok && run === undefined
      ? button('Deploy…', {
          kind: 'request',
          intent: 'Deploy',
          slots: { service: p.service, environment: p.environment },
        })
      : '',
    buttons && previous !== undefined && run === undefined
      ? button(
          `Roll back to ${previous}`,
          {
            kind: 'request',
            intent: 'Rollback',
            slots: { service: p.service, environment: p.environment, version: previous },
          },
          'danger',
        )
      : '',
    thread !== undefined ? threadLink(thread, run !== undefined ? 'deploy thread' : 'last thread') : '',
  ];
}

function threadLink(message: PostedMessage, label: string): Cell {
  const run = messageLink(message, label) as { kind: 'link'; url: string; label: string };
  return { kind: 'link', url: run.url, label: run.label };
}

/** What Slack counts of a cell: its text (a button's, a link's label). */
function cellSize(cell: Cell): number {
  if (typeof cell === 'string') return Math.max(1, Math.min(cell.length, 200));
  if (typeof cell === 'number') return String(cell).length;
  return cell.kind === 'link' ? cell.label.length + cell.url.length : cell.button.label.length;
}

function needsAttention(p: Place): boolean {
  return (
    !p.running.ok ||
    p.deploying !== undefined ||
    p.hold !== undefined ||
    p.freeze !== undefined ||
    (p.pipeline?.ok === true && p.pipeline.value.status === 'Failed') ||
    p.last?.outcome === 'failed' ||
    p.last?.outcome === 'stopped'
  );
}

/** The accounts (with region) some read of which failed, and why, once each. */
function unreadableAccounts(estate: Estate): string[] {
  const out = new Map<string, string>();
  for (const p of estate.places) {
    if (!p.running.ok && p.running.why !== 'not deployed')
      out.set(`${p.account ?? '?'}, ${p.region ?? '?'}`, p.running.why);
  }
  return [...out].map(([where, why]) => `${where}: ${why}`);
}

function day(at: number | undefined): string {
  return at === undefined ? '' : new Date(at).toUTCString().slice(0, 11);
}
