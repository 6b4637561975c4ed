import { isOpsbotError, type OpsbotError } from '../integrations/errors';
import { type Person, USER_GROUP_ID } from '../integrations/people.port';
import type { Actor, IntentPorts, Refusal, Who } from './define-intent';
import { code, group, type Line, mention, notice, type Run, runsOf } from './reply';

/** One permission: whom it allows, where that is configured, and what it means for guests. */
export interface AccessRule {
  readonly allowed: Who;
  /** The configuration path that lists them, for the refusal's hint: `environments.prod.deployers`. */
  readonly configuredAt: string;
  /**
   * Guests (`is_restricted`, `is_ultra_restricted`): `refused` outright (protected environments), allowed only when
   * `listed` by their own user id (not through `everyone`, a group or the admins), or `allowed` like anyone.
   */
  readonly guests: 'refused' | 'listed' | 'allowed';
}

export type AccessReason = 'not-listed' | 'guest' | 'other-workspace' | 'unknown-person' | 'unavailable';

export type Access =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: AccessReason; readonly problem?: OpsbotError };

/** What an access decision reads: the rules, and who people are. */
export type AccessPorts = Pick<IntentPorts, 'people' | 'rules'>;

/**
 * Whether `actor` may do what `rule` guards. The workspace and guest status come from Slack (`users.info`), groups
 * from `usergroups.users.list`, both cached; when Slack cannot say, the answer is no (`unavailable`), never a guess.
 * Admins are allowed whatever the list says, except where guests are refused.
 */
export async function access(actor: Actor, rule: AccessRule, ports: AccessPorts): Promise<Access> {
  const { rules, people } = ports;
  if (rules.teams !== undefined && actor.teamId !== undefined && !rules.teams.includes(actor.teamId)) {
    return { ok: false, reason: 'other-workspace' };
  }
  const listedAlone = rule.allowed !== 'everyone' && rule.allowed.includes(actor.userId);
  const needPerson = rule.guests !== 'allowed' || rules.teams !== undefined;
  const needGroups = !listedAlone && rule.allowed !== 'everyone';
  // Both questions to Slack at once: on the acknowledgement path, time is short.
  const [person, member] = await Promise.allSettled([
    needPerson ? people.person(actor.userId) : Promise.resolve(undefined),
    needGroups ? isAmong(actor.userId, [...rules.admins, ...(rule.allowed as readonly string[])], ports) : false,
  ]);
  if (needPerson) {
    if (person.status === 'rejected') return unavailable(person.reason);
    const found = person.value;
    if (found === undefined || found.deleted) return { ok: false, reason: 'unknown-person' };
    // A Slack Connect partner in a shared channel arrives with the host's team id: their account says otherwise.
    if (rules.teams !== undefined && !inWorkspaces(found, rules.teams)) return { ok: false, reason: 'other-workspace' };
    if (found.guest && rule.guests === 'refused') return { ok: false, reason: 'guest' };
    if (found.guest && rule.guests === 'listed') return listedAlone ? { ok: true } : { ok: false, reason: 'guest' };
  }
  if (listedAlone || rule.allowed === 'everyone') return { ok: true };
  if (member.status === 'rejected') return unavailable(member.reason);
  return member.value ? { ok: true } : { ok: false, reason: 'not-listed' };
}

/** Whether an account belongs to one of the workspaces, or to the Enterprise Grid organization listed. */
function inWorkspaces(person: Person, teams: readonly string[]): boolean {
  if (person.teamId === undefined && person.enterpriseId === undefined) return true;
  return (
    (person.teamId !== undefined && teams.includes(person.teamId)) ||
    (person.enterpriseId !== undefined && teams.includes(person.enterpriseId))
  );
}

/** Whether the user is one of the ids, directly or through one of the user groups among them. */
async function isAmong(userId: string, ids: readonly string[], ports: AccessPorts): Promise<boolean> {
  if (ids.includes(userId)) return true;
  const groups = [...new Set(ids.filter((id) => USER_GROUP_ID.test(id)))];
  const members = await Promise.all(groups.map((id) => ports.people.groupMembers(id)));
  return members.some((m) => m.includes(userId));
}

function unavailable(error: unknown): Access {
  if (isOpsbotError(error)) return { ok: false, reason: 'unavailable', problem: error };
  throw error;
}

/**
 * The refusal for a denied access: what was refused, why, who can instead, and where that is configured.
 * `what` reads after "You are not allowed to": `['change ', strong('prod')]`.
 */
export function accessRefusal(
  denied: Extract<Access, { ok: false }>,
  what: Line,
  rule: AccessRule,
  ports: AccessPorts,
): Refusal {
  const who = whoCan(rule, ports.rules.admins);
  const ask: Run[] = ['Ask whoever runs opsbot to add you under ', code(rule.configuredAt), '.'];
  const reason = denied.reason;
  switch (reason) {
    case 'not-listed':
      return {
        reason,
        reply: notice(
          'refused',
          ['You are not allowed to ', ...runsOf(what), '.'],
          [...who, ' Ask one of them to do it, or ', ...lowerFirst(ask)],
        ),
      };
    case 'guest':
      return {
        reason,
        reply: notice(
          'refused',
          ['Guest accounts are not allowed to ', ...runsOf(what), '.'],
          rule.guests === 'listed'
            ? [...who, ' Guests only when listed by their own user id under ', code(rule.configuredAt), '.']
            : [...who, ' Guests never can: ask one of them to do it.'],
        ),
      };
    case 'other-workspace':
      return {
        reason,
        reply: notice(
          'refused',
          ['opsbot only takes changes from its own workspace, so you are not allowed to ', ...runsOf(what), '.'],
          [...who, ' The workspaces are under ', code('slack.teams'), '.'],
        ),
      };
    case 'unknown-person':
      return {
        reason,
        reply: notice(
          'refused',
          ["I couldn't find your Slack account, so you are not allowed to ", ...runsOf(what), '.'],
          [...who, ' Ask one of them to do it.'],
        ),
      };
    case 'unavailable':
      return {
        reason,
        reply: notice(
          'error',
          denied.problem?.userMessage ?? "I couldn't check who may do this, so nothing was done.",
          denied.problem?.hint ?? 'Try again in a minute.',
        ),
      };
  }
}

/** "Only @ana, @ben or @platform-team can (or an admin: @root)." — who a rule allows, as mentions. */
function whoCan(rule: AccessRule, admins: readonly string[]): Run[] {
  const listed: Run[] =
    rule.allowed === 'everyone'
      ? ['Any full member of the workspace can']
      : rule.allowed.length === 0
        ? ['Nobody is listed, so only an admin can']
        : ['Only ', ...names(rule.allowed), ' can'];
  const others = admins.filter((a) => rule.allowed === 'everyone' || !rule.allowed.includes(a));
  return [
    ...listed,
    ...(others.length > 0 && rule.allowed !== 'everyone' && rule.allowed.length > 0
      ? [' (or an admin: ', ...names(others), ')']
      : rule.allowed !== 'everyone' && rule.allowed.length === 0 && others.length > 0
        ? [': ', ...names(others)]
        : []),
    '.',
  ];
}

function names(ids: readonly string[]): Run[] {
  return ids.flatMap((id, i): Run[] => [
    ...(i === 0 ? [] : i === ids.length - 1 ? [' or '] : [', ']),
    USER_GROUP_ID.test(id) ? group(id) : mention(id),
  ]);
}

function lowerFirst(runs: Run[]): Run[] {
  const [first, ...rest] = runs;
  return typeof first === 'string' ? [first.charAt(0).toLowerCase() + first.slice(1), ...rest] : runs;
}

/** Whether the person is one of opsbot's admins (by id, or through a listed group); never a guest. */
export async function isAdmin(actor: Actor, ports: AccessPorts): Promise<boolean> {
  return (await access(actor, { allowed: [], configuredAt: 'admins', guests: 'refused' }, ports)).ok;
}
