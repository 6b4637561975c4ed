import { LocalWorkspace } from '../../integrations/slack/local-workspace';
import type { OpsbotConfig } from '../config';

/** Someone the local page can act as: every message and click it sends is signed as this person. */
export interface LocalPerson {
  readonly id: string;
  readonly name: string;
  /** What the configuration makes them, and where it says so: "deploys to prod (environments.prod.deployers)". */
  readonly role: string;
  /** Their direct-message channel with the bot: each person has their own, as in Slack. */
  readonly dm: string;
  /** A guest account (Slack's `is_restricted`), which rules refuse wherever an environment is protected. */
  readonly guest?: true;
  /** User groups the stand-in lists them in, where a rule names only groups. */
  readonly groups?: readonly string[];
}

export interface LocalCast {
  /** The people the page offers; the first is who acts when a request names nobody. */
  readonly people: readonly LocalPerson[];
  /** Roles the configuration gives nobody, said on the page so their absence is not a surprise. */
  readonly notes: readonly string[];
}

/** The id a request that names nobody has always acted as (scripts written before the page could switch people). */
const DEFAULT_PERSON_ID = 'U0YOU00001';

const USER = /^[UW][A-Z0-9]{6,}$/;
const GROUP = /^S[A-Z0-9]{6,}$/;

/**
 * The people the local page offers, read from the configuration the server runs with, so that each one really has
 * the rights their label claims: a deployer, an approver (or, where no environment asks for approval, a second
 * deployer), an admin, and someone the rules refuse. Ids the configuration names are used as they are; where a rule
 * says `everyone` or names only user groups, a person is made up (and put in the first group). The environment they
 * are chosen for is the first that asks for approval, else the first protected one, else the first.
 */
export function localPeople(config: OpsbotConfig): LocalCast {
  const environments = Object.entries(config.environments);
  const [where, environment] = (environments.find(([, e]) => e.approval) ??
    environments.find(([, e]) => e.protected) ??
    environments[0]) as [string, OpsbotConfig['environments'][string]];
  const deployers = environment.deployers ?? 'everyone';
  const approvers = environment.approvers ?? deployers;
  const admins = new Set(config.admins);
  const taken = new Set<string>();
  const people: LocalPerson[] = [];
  const notes: string[] = [];

  /** A person a rule allows: an id it names (not an admin's, so that each person shows one role), or a made-up one. */
  const chooseFrom = (
    who: 'everyone' | readonly string[],
    madeUp: string,
  ): { id: string; groups?: string[] } | undefined => {
    if (who === 'everyone') return { id: madeUp };
    const named = who.find((id) => USER.test(id) && !taken.has(id) && !admins.has(id));
    if (named !== undefined) return { id: named };
    const group = who.find((id) => GROUP.test(id));
    return group === undefined ? undefined : { id: madeUp, groups: [group] };
  };
  const add = (person: { id: string; groups?: string[] }, name: string, role: string, guest = false) => {
    taken.add(person.id);
    people.push({
      id: person.id,
      name,
      role,
      dm: LocalWorkspace.dmChannelOf(person.id),
      ...(guest && { guest: true as const }),
      ...(person.groups !== undefined && { groups: person.groups }),
    });
  };
  const listed = (key: string, who: 'everyone' | readonly string[]) =>
    `environments.${where}.${key}${who === 'everyone' ? ': everyone' : ''}`;

  const deployer = chooseFrom(deployers, DEFAULT_PERSON_ID);
  if (deployer === undefined) notes.push(`Only admins may deploy to ${where} (${listed('deployers', deployers)}).`);
  else add(deployer, 'Dana', `deploys to ${where} (${listed('deployers', deployers)})`);

  if (environment.approval) {
    const approver = chooseFrom(approvers, 'U0AVERY001');
    const from =
      environment.approvers === undefined
        ? `${listed('deployers', deployers)}, as no approvers are listed`
        : listed('approvers', approvers);
    if (approver === undefined) notes.push(`No one but the deployer or an admin approves ${where} (${from}).`);
    else add(approver, 'Avery', `approves deploys to ${where} (${from})`);
  } else {
    const second = chooseFrom(deployers, 'U0AVERY001');
    notes.push('No environment asks for a second person’s approval (approval: true under an environment).');
    if (second !== undefined) add(second, 'Avery', `also deploys to ${where} (${listed('deployers', deployers)})`);
  }

  // Admins are chosen from their own list (the other roles skip their ids, so that each person shows one role).
  const adminId = config.admins.find((id) => USER.test(id) && !taken.has(id));
  const adminGroup = config.admins.find((id) => GROUP.test(id));
  if (adminId !== undefined) add({ id: adminId }, 'Alex', 'an admin (admins)');
  else if (adminGroup !== undefined) add({ id: 'U0ALEX0001', groups: [adminGroup] }, 'Alex', 'an admin (admins)');
  else notes.push('No admins: this configuration lists none under admins.');

  // Someone the rules refuse: where anyone may deploy, only a guest account is refused (where it is protected).
  const nobody = { id: 'U0NICO0001' };
  if (deployers === 'everyone') {
    add(nobody, 'Nico', `a guest account, listed nowhere: refused where an environment is protected`, true);
  } else {
    add(nobody, 'Nico', 'listed nowhere in the configuration');
  }
  return { people, notes };
}
