import { access, isAdmin } from '../access';
import type { Actor, IntentPorts, Refusal } from '../define-intent';
import { ago, plural } from '../format';
import { code, type Line, mention, notice, type Reply, type Run, strong } from '../reply';
import { localTime, zonedInstant } from './freeze';
import { type DeployLock, deployingWords, lockKey } from './run/lock';
import { loadRun } from './run/record';
import { clockTime, messageLink } from './run/words';

/** A lock someone put on a service in an environment by hand: deploys by anyone else wait until it is lifted. */
export interface Hold {
  readonly holder: string;
  readonly reason: string;
  readonly since: number;
  readonly until?: number;
}

/** A hand lock without an end is kept a week at most. */
const LONGEST_HOLD_MS = 7 * 24 * 60 * 60_000;

export const holdKey = (service: string, environment: string) => `hold:${service}:${environment}`;

/** The next time the clock reads `hh:mm` in the time zone, after `now`. */
export function nextTime(hhmm: string, now: number, timeZone: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(now)
    .split('-')
    .map(Number);
  const [y, mo, d] = today as [number, number, number];
  const minutes = (h ?? 0) * 60 + (m ?? 0);
  const at = zonedInstant(y, mo, d, minutes, timeZone);
  return at > now ? at : zonedInstant(y, mo, d + 1, minutes, timeZone);
}

/** A hand lock refuses everyone's deploys but its holder's, before any Confirm card. */
export async function holdRefusal(
  service: string,
  environment: string,
  actor: Actor,
  ports: Pick<IntentPorts, 'store' | 'clock' | 'rules'>,
): Promise<Refusal | undefined> {
  const hold = await ports.store.get<Hold>(holdKey(service, environment));
  if (hold === undefined || hold.holder === actor.userId) return undefined;
  return {
    reason: 'locked',
    reply: notice(
      'refused',
      [
        strong(service),
        ' is locked in ',
        strong(environment),
        ' by ',
        ...holdWords(hold, ports),
        '. Nothing was started.',
      ],
      ['Ask them, or an admin, to lift it: ', code(`/deploy unlock ${service} ${environment}`), '.'],
    ),
  };
}

function holdWords(hold: Hold, ports: Pick<IntentPorts, 'clock' | 'rules'>): Run[] {
  return [
    mention(hold.holder),
    ` since ${clockTime(hold.since)} (${ago(hold.since, ports.clock.now())}): `,
    hold.reason,
    ...(hold.until !== undefined ? [` — until ${localTime(hold.until, ports.rules.timeZone)}`] : []),
  ];
}

/** Puts a hand lock on a service in an environment (or renews the holder's own). */
export async function lockService(
  slots: { service: string; environment: string; note?: string; until?: string },
  actor: Actor,
  ports: IntentPorts,
): Promise<Reply> {
  const { service, environment } = slots;
  const target = { service, environment };
  const held = await ports.store.get<Hold>(holdKey(service, environment));
  if (held !== undefined && held.holder !== actor.userId) {
    await ports.audit.record({ action: 'Lock', outcome: 'refused', reason: 'locked', actor, target });
    return notice(
      'refused',
      [strong(service), ' is already locked in ', strong(environment), ' by ', ...holdWords(held, ports), '.'],
      ['Ask them, or an admin, to lift it first.'],
    );
  }
  const now = ports.clock.now();
  const until = slots.until !== undefined ? nextTime(slots.until, now, ports.rules.timeZone) : undefined;
  const hold: Hold = {
    holder: actor.userId,
    reason: slots.note ?? 'no reason given',
    since: held?.since ?? now,
    ...(until !== undefined && { until }),
  };
  const ttl = Math.ceil(((until ?? now + LONGEST_HOLD_MS) - now) / 1000);
  if (held !== undefined) {
    await ports.store.put(holdKey(service, environment), hold, ttl); // the holder renews their own
  } else if (!(await ports.store.putIfAbsent(holdKey(service, environment), hold, ttl))) {
    // Someone locked it a moment ago: theirs stands.
    const theirs = await ports.store.get<Hold>(holdKey(service, environment));
    await ports.audit.record({ action: 'Lock', outcome: 'refused', reason: 'locked', actor, target });
    return notice('refused', [
      strong(service),
      ' was just locked in ',
      strong(environment),
      ...(theirs !== undefined ? [' by ', ...holdWords(theirs, ports)] : []),
      '.',
    ]);
  }
  await ports.audit.record({ action: 'Lock', outcome: 'done', actor, target, note: hold.reason });
  const reply: Reply = {
    summary: [`🔒 ${service} is locked in ${environment}: `, hold.reason],
    sections: [
      [
        [
          '🔒 ',
          strong(service),
          ' is locked in ',
          strong(environment),
          ' by ',
          mention(actor.userId),
          ': ',
          hold.reason,
          until !== undefined
            ? ` — until ${localTime(until, ports.rules.timeZone)}`
            : ' — until lifted (a week at most)',
          '.',
        ],
      ],
    ],
    context: [['Deploys by anyone else wait. Lift it with ', code(`/deploy unlock ${service} ${environment}`), '.']],
    visibility: 'channel',
  };
  // Taken in a DM (or anywhere but the deploys channel): the team hears of it where deploys are.
  const deploys = ports.announcer.channels.deploys;
  if (deploys !== undefined && actor.channelId !== deploys) {
    await ports.announcer
      .post({ channel: 'deploys' }, reply, { key: `lock-told:${service}:${environment}:${hold.since}:${until ?? ''}` })
      .catch((error: unknown) => ports.log.warn('lock.tell_failed', { error: String(error) }));
  }
  return reply;
}

/** Lifts a hand lock: its holder, or an admin. */
export async function unlockService(
  slots: { service: string; environment: string },
  actor: Actor,
  ports: IntentPorts,
): Promise<Reply> {
  const { service, environment } = slots;
  const target = { service, environment };
  const hold = await ports.store.get<Hold>(holdKey(service, environment));
  if (hold === undefined) return unlockDeploy(service, environment, actor, ports);
  const allowed = await access(actor, { allowed: [hold.holder], configuredAt: 'admins', guests: 'refused' }, ports);
  if (!allowed.ok) {
    await ports.audit.record({ action: 'Unlock', outcome: 'refused', reason: 'not-the-holder', actor, target });
    return notice(
      'refused',
      [
        'Only ',
        mention(hold.holder),
        ' or an admin can lift the lock on ',
        strong(service),
        ' in ',
        strong(environment),
        '.',
      ],
      ['The admins are listed under ', code('admins'), ' in the configuration.'],
    );
  }
  await ports.store.delete(holdKey(service, environment));
  await ports.audit.record({ action: 'Unlock', outcome: 'done', actor, target, note: hold.reason });
  return unlocked(service, environment, actor, [' (it was: ', hold.reason, ').']);
}

/** Who holds what on a service (or every service): deploys in progress and hand locks, per environment. */
export async function lockStatusReply(
  slots: { service?: string; environment?: string },
  ports: IntentPorts,
): Promise<Reply> {
  const services = slots.service !== undefined ? [slots.service] : ports.vocabulary.services.map((s) => s.name);
  const environments =
    slots.environment !== undefined ? [slots.environment] : ports.vocabulary.environments.map((e) => e.name);
  const now = ports.clock.now();
  const lines: Line[] = [];
  for (const service of services) {
    for (const environment of environments) {
      const [deploying, hold] = await Promise.all([
        ports.store.get<DeployLock>(lockKey(service, environment)),
        ports.store.get<Hold>(holdKey(service, environment)),
      ]);
      if (deploying !== undefined) {
        lines.push([
          strong(service),
          ' in ',
          strong(environment),
          ': ',
          mention(deploying.holder),
          ' is deploying ',
          code(deploying.version),
          ` since ${clockTime(deploying.since)} (${ago(deploying.since, now)})`,
          ...(deploying.message !== undefined ? [' — ', messageLink(deploying.message, 'the deploy')] : []),
        ]);
      }
      if (hold !== undefined)
        lines.push([strong(service), ' in ', strong(environment), ': locked by ', ...holdWords(hold, ports)]);
    }
  }
  const scope = [slots.service, slots.environment].filter(Boolean).join(' in ') || 'any service';
  if (lines.length === 0) {
    return {
      summary: `Nobody holds a lock on ${scope}.`,
      sections: [[`Nobody holds a lock on ${scope}: deploys may go ahead.`]],
      visibility: 'channel',
    };
  }
  return {
    title: `Locks on ${scope}`,
    summary: `${plural(lines.length, 'lock')} on ${scope}`,
    sections: [lines],
    visibility: 'channel',
  };
}

/**
 * No hand lock: a deploy's lock whose deploy is no longer running (its watcher died, its record is gone) may be
 * lifted by an admin; a running deploy's lock is lifted by its end, or by Cancel.
 */
async function unlockDeploy(service: string, environment: string, actor: Actor, ports: IntentPorts): Promise<Reply> {
  const target = { service, environment };
  const lock = await ports.store.get<DeployLock>(lockKey(service, environment));
  if (lock === undefined) {
    return notice('none', [strong(service), ' is not locked in ', strong(environment), '; nothing to lift.']);
  }
  const run = await loadRun(lock.runId, ports);
  if (run !== undefined && run.state !== 'ended') {
    return notice(
      'none',
      [...deployingWords(lock, service, environment), '; its lock goes when it ends.'],
      [
        'To stop it, press Cancel on ',
        ...(lock.message !== undefined ? [messageLink(lock.message, 'its message')] : ['its message']),
        '.',
      ],
    );
  }
  const admin = await isAdmin(actor, ports);
  if (!admin) {
    await ports.audit.record({ action: 'Unlock', outcome: 'refused', reason: 'not-an-admin', actor, target });
    return notice(
      'refused',
      ['Only an admin can lift a deploy lock whose deploy is no longer watched.'],
      ['The admins are listed under ', code('admins'), ' in the configuration.'],
    );
  }
  await ports.store.delete(lockKey(service, environment));
  await ports.audit.record({ action: 'Unlock', outcome: 'done', actor, target, note: `deploy lock of ${lock.runId}` });
  return unlocked(service, environment, actor, [' (a deploy lock left behind).']);
}

/** "🔓 api is unlocked in prod by @ana (…)", for the channel. */
function unlocked(service: string, environment: string, actor: Actor, why: Run[]): Reply {
  return {
    summary: [`🔓 ${service} is unlocked in ${environment}.`],
    sections: [
      [['🔓 ', strong(service), ' is unlocked in ', strong(environment), ' by ', mention(actor.userId), ...why]],
    ],
    visibility: 'channel',
  };
}
