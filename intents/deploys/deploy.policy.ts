import type { Actor, ConfirmationText, IntentPorts } from '../define-intent';
import { channelLink, code, type Line, mention, notice, type Reply, type Run, strong } from '../reply';

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

/**
 * Who may change an environment, and which versions a protected one takes: a refusal that says who can and what to
 * run instead, or nothing when the request may go ahead. Deploys and rollbacks both pass through here.
 */
export function changeRefusal(
  slots: { readonly service?: string; readonly environment?: string; readonly version?: string },
  actor: Actor,
  ports: IntentPorts,
): Reply | undefined {
  if (slots.environment === undefined) return undefined;
  const rules = ports.rules.environment(slots.environment);
  if (rules === undefined) return undefined;
  if (rules.deployers.length > 0 && !rules.deployers.includes(actor.userId)) {
    const who = rules.deployers.flatMap((u, i): Run[] => (i === 0 ? [mention(u)] : [', ', mention(u)]));
    return notice(
      'refused',
      ['You are not allowed to change ', strong(slots.environment), '.'],
      [
        'Only ',
        ...who,
        ' can. Ask one of them to run it, or ask whoever runs opsbot to add you under ',
        code(`environments.${slots.environment}.deployers`),
        '.',
      ],
    );
  }
  if (rules.channels !== undefined && !rules.channels.includes(actor.channelId ?? '')) {
    const where = rules.channels.flatMap((c, i): Run[] => (i === 0 ? [channelLink(c)] : [' or ', channelLink(c)]));
    return notice(
      'refused',
      ['Changes to ', strong(slots.environment), ' are asked for in ', ...where, ', not here.'],
      [
        'Ask there, so the team sees it; the channels are under ',
        code(`environments.${slots.environment}.channels`),
        '.',
      ],
    );
  }
  if (rules.protected && slots.version !== undefined && MUTABLE_TAGS.has(slots.version.toLowerCase())) {
    return notice(
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
    );
  }
  return undefined;
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
