import { type AccessRule, access, accessRefusal } from '../access';
import type { Actor, ConfirmationText, IntentPorts, Refusal } from '../define-intent';
import { channelLink, code, type Line, notice, type Run, strong } from '../reply';

/** Tags that move under your feet: refused where an environment is protected. */
export const MUTABLE_TAGS: ReadonlySet<string> = new Set([
  'latest',
  'stable',
  'main',
  'master',
  'head',
  'prod',
  'production',
]);

/** Who may change an environment, as an access rule: its deployers; guests never where it is protected. */
export function changeRule(environment: string, ports: Pick<IntentPorts, 'rules'>): AccessRule | undefined {
  const rules = ports.rules.environment(environment);
  if (rules === undefined) return undefined;
  return {
    allowed: rules.deployers,
    configuredAt: `environments.${environment}.deployers`,
    guests: rules.protected ? 'refused' : 'allowed',
  };
}

/**
 * Who may change an environment, where it may be asked for, and which versions a protected one takes: a refusal that
 * says who can and what to run instead, or nothing when the request may go ahead. Deploys and rollbacks both pass
 * through here, when asked and again at Confirm.
 */
export async function changeRefusal(
  slots: { readonly service?: string; readonly environment?: string; readonly version?: string },
  actor: Actor,
  ports: IntentPorts,
): Promise<Refusal | undefined> {
  if (slots.environment === undefined) return undefined;
  const rules = ports.rules.environment(slots.environment);
  const rule = changeRule(slots.environment, ports);
  if (rules === undefined || rule === undefined) return undefined;
  const allowed = await access(actor, rule, ports);
  if (!allowed.ok) return accessRefusal(allowed, ['change ', strong(slots.environment)], rule, ports);
  if (rules.channels !== undefined && !rules.channels.includes(actor.channelId ?? '')) {
    const where = rules.channels.flatMap((c, i): Run[] => (i === 0 ? [channelLink(c)] : [' or ', channelLink(c)]));
    return {
      reason: 'wrong-channel',
      reply: notice(
        'refused',
        ['Changes to ', strong(slots.environment), ' are asked for in ', ...where, ', not here.'],
        [
          'Ask there, so the team sees it; the channels are under ',
          code(`environments.${slots.environment}.channels`),
          '.',
        ],
      ),
    };
  }
  if (rules.protected && slots.version !== undefined && MUTABLE_TAGS.has(slots.version.toLowerCase())) {
    return {
      reason: 'mutable-tag',
      reply: notice(
        'refused',
        [
          code(slots.version),
          ' is a mutable tag, and ',
          strong(slots.environment),
          ' is protected: it only takes immutable tags.',
        ],
        [
          'Deploy an exact version instead, like ',
          code(`/deploy ${slots.service ?? '<service>'} ${slots.environment} v1.8.2`),
          '.',
        ],
      ),
    };
  }
  return undefined;
}

/**
 * Who may approve a change to an environment: its approvers (its deployers when none are configured), never the
 * person who asked for it, and never a guest where the environment is protected.
 */
export async function approvalRefusal(
  environment: string,
  requester: string,
  actor: Actor,
  ports: IntentPorts,
): Promise<Refusal | undefined> {
  const rules = ports.rules.environment(environment);
  if (rules === undefined) return undefined;
  const rule: AccessRule = {
    allowed: rules.approvers,
    configuredAt: `environments.${environment}.approvers`,
    guests: rules.protected ? 'refused' : 'allowed',
  };
  if (actor.userId === requester) {
    return {
      reason: 'self-approval',
      reply: notice(
        'refused',
        ['You asked for this change, so you cannot approve it too.'],
        ['A second person approves it: ask one of those under ', code(rule.configuredAt), '.'],
      ),
    };
  }
  const allowed = await access(actor, rule, ports);
  return allowed.ok ? undefined : accessRefusal(allowed, ['approve changes to ', strong(environment)], rule, ports);
}

/** `web v1.8.2 to prod` — slot values as a person reads them. */
export function describeChange(slots: {
  readonly service?: string;
  readonly environment?: string;
  readonly version?: string;
}): Run[] {
  const parts: Run[] = [];
  if (slots.service !== undefined) parts.push(strong(slots.service));
  if (slots.version !== undefined) parts.push(' ', code(slots.version));
  if (slots.environment !== undefined)
    parts.push(slots.version !== undefined ? ' to ' : ' in ', strong(slots.environment));
  return parts;
}

/** The confirmation card's wording for a change to an environment: red, with a warning, where it is protected. */
export function changeConfirmation(
  verb: string,
  slots: { readonly service?: string; readonly environment?: string; readonly version?: string },
  ports: IntentPorts,
): ConfirmationText {
  const protectedEnv =
    slots.environment !== undefined && ports.rules.environment(slots.environment)?.protected === true;
  const action: Line = [`${verb} `, ...describeChange(slots)];
  return {
    title: `Confirm: ${verb.toLowerCase()}`,
    action,
    ...(protectedEnv && {
      warning: [strong(slots.environment as string), ' is a protected environment.'],
      danger: true,
    }),
  };
}
