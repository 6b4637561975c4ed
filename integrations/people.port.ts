/** A Slack account, as far as opsbot's rules need it. */
export interface Person {
  readonly id: string;
  /** The workspace the account belongs to (another one for a Slack Connect partner). */
  readonly teamId?: string;
  /** The Enterprise Grid organization, for an account in one (`enterprise_user.enterprise_id`). */
  readonly enterpriseId?: string;
  /** A multi-channel or single-channel guest (`is_restricted`, `is_ultra_restricted`). */
  readonly guest: boolean;
  /** A deactivated account. */
  readonly deleted: boolean;
}

/**
 * Who people are: their Slack account and the user groups configuration names. Lookups are cached by the
 * adapter; an adapter that cannot answer throws an `OpsbotError` (`PEOPLE_UNAVAILABLE`), and callers refuse rather
 * than guess.
 */
export interface People {
  /** The account, or undefined when Slack knows no such user. */
  person(userId: string): Promise<Person | undefined>;
  /** The user ids in a user group (`S…`); empty for a group Slack does not know. */
  groupMembers(groupId: string): Promise<readonly string[]>;
}

/** A Slack user-group id (`S0123ABCD`), as configuration lists them beside user ids. */
export const USER_GROUP_ID = /^S[A-Z0-9]{6,}$/;
