import type { WebClient } from '@slack/web-api';
import { OpsbotError } from '../errors';
import type { People, Person } from '../people.port';

/** How long an account's guest status and workspace are trusted: long enough to spare Slack, short enough to follow changes. */
const PERSON_TTL_MS = 10 * 60 * 1000;
/** User groups change more often (on-call rotations): a few minutes. */
const GROUP_TTL_MS = 5 * 60 * 1000;
/** Entries kept at most, so a stream of crafted ids cannot grow the cache without bound. */
const MAX_ENTRIES = 5_000;

interface Cached<T> {
  readonly value: Promise<T>;
  readonly until: number;
}

/**
 * People over the Slack Web API: `users.info` (scope `users:read`) and `usergroups.users.list` (scope
 * `usergroups:read`), each answer cached for the life of the container (a few minutes). A lookup in flight is
 * shared, and a failed one is not cached.
 */
export class SlackWebApiPeople implements People {
  private readonly people = new Map<string, Cached<Person | undefined>>();
  private readonly groups = new Map<string, Cached<readonly string[]>>();

  constructor(
    private readonly client: WebClient,
    private readonly now: () => number = () => Date.now(),
  ) {}

  person(userId: string): Promise<Person | undefined> {
    return this.cached(this.people, userId, PERSON_TTL_MS, async () => {
      try {
        const { user } = await this.client.users.info({ user: userId });
        if (user?.id === undefined) return undefined;
        return {
          id: user.id,
          ...(user.team_id !== undefined && { teamId: user.team_id }),
          ...(user.enterprise_user?.enterprise_id !== undefined && {
            enterpriseId: user.enterprise_user.enterprise_id,
          }),
          guest: user.is_restricted === true || user.is_ultra_restricted === true,
          deleted: user.deleted === true,
        };
      } catch (error) {
        if (slackError(error) === 'user_not_found') return undefined;
        throw unavailable('users.info', 'users:read', error);
      }
    });
  }

  groupMembers(groupId: string): Promise<readonly string[]> {
    return this.cached(this.groups, groupId, GROUP_TTL_MS, async () => {
      try {
        const { users } = await this.client.usergroups.users.list({ usergroup: groupId });
        return users ?? [];
      } catch (error) {
        if (slackError(error) === 'no_such_subteam') return [];
        throw unavailable('usergroups.users.list', 'usergroups:read', error);
      }
    });
  }

  private cached<T>(cache: Map<string, Cached<T>>, key: string, ttl: number, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = cache.get(key);
    if (hit !== undefined && hit.until > now) return hit.value;
    if (cache.size >= MAX_ENTRIES) {
      for (const [k, v] of cache) if (v.until <= now) cache.delete(k);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    }
    const value = load();
    cache.set(key, { value, until: now + ttl });
    // A failure is not remembered: the next request asks Slack again.
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  }
}

/** Slack's error code on a refused call (`user_not_found`, `missing_scope`), when it was one. */
function slackError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

function unavailable(method: string, scope: string, error: unknown): OpsbotError {
  const code = slackError(error);
  if (code === 'missing_scope') {
    return new OpsbotError(
      'PEOPLE_UNAVAILABLE',
      `I can't check who may do this: the Slack app lacks the \`${scope}\` scope (${method}).`,
      `Ask whoever runs opsbot to add ${scope} to the app and reinstall it.`,
      { cause: error },
    );
  }
  return new OpsbotError(
    'PEOPLE_UNAVAILABLE',
    `I couldn't check who may do this: Slack did not answer ${method}${code !== undefined ? ` (${code})` : ''}. Nothing was done.`,
    'Try again in a minute.',
    { cause: error },
  );
}
