import { type AccessRule, access, accessRefusal } from '../access';
import {
  type Actor,
  type Choice,
  type ConfirmationText,
  type IntentPorts,
  pinned,
  type Refusal,
} from '../define-intent';
import { ago } from '../format';
import { affectedServices } from '../maintenance-affects';
import { channelLink, code, type Line, mention, notice, type Run, strong } from '../reply';
import { within } from '../within';
import { CHANGES_WAIT_MS, changeLines } from './changes';
import { freezeRefusal, overrideOf } from './freeze';
import { type ChangeContext, type ChangeSlots, changeContext, guardFindings, guardRefusal } from './guard-rails';
import { holdRefusal } from './locks';
import { lockRefusal } from './run/lock';

/** "Now: `v1.6.0` → `v1.8.2`, pushed 2 d ago." — what a deploy changes, read from the account. */
async function changeDetails(
  slots: { readonly service?: string; readonly environment?: string; readonly version?: string },
  ports: IntentPorts,
): Promise<{ line: Line; digest?: string } | undefined> {
  const { service, environment, version } = slots;
  if (service === undefined || environment === undefined || version === undefined) return undefined;
  const [current, image] = await Promise.all([
    ports.deployments.current(service, environment),
    ports.images.find(service, environment, version),
  ]);
  const leftOut = current.tagsLeftOut ?? [];
  const line: Line = [
    'Now ',
    code(current.version),
    ' → ',
    code(version),
    // The tag and the image it names now: the deploy runs this image, even if the tag is pushed again meanwhile.
    ...(image !== undefined && image.digest !== version ? [' (', code(shortDigest(image.digest)), ')'] : []),
    ...(image !== undefined ? [`, pushed ${ago(image.pushedAt, ports.clock.now())}`] : []),
    '.',
    ...(leftOut.length > 0
      ? [
          ` The new revision leaves out ${leftOut.length === 1 ? 'the tag' : `${leftOut.length} tags`} `,
          ...leftOut.slice(0, 5).flatMap((key, i) => [...(i > 0 ? [', '] : []), code(key)]),
          ...(leftOut.length > 5 ? [` and ${leftOut.length - 5} more`] : []),
          ' of the running one (AWS reserves keys starting with ',
          code('aws:'),
          '; ECS keeps 50 tags).',
        ]
      : []),
  ];
  return { line, ...(image !== undefined && { digest: image.digest }) };
}

/** `sha256:` and the first 12 hex digits, as `docker images` shows an image id. */
export function shortDigest(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(0, 'sha256:'.length + 12) : digest;
}

/** The digest the Confirm card showed for the version, from the slots its Confirm hands back. */
export function pinnedDigest(slots: Readonly<Record<string, string | undefined>>): string | undefined {
  const digest = pinned(slots, 'digest');
  return digest !== undefined && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : undefined;
}

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
  const moving =
    slots.service !== undefined &&
    ports.rules.mutableTags(slots.service, slots.environment).has(slots.version?.toLowerCase() ?? '');
  if (rules.protected && slots.version !== undefined && moving) {
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
    // The key the configuration has: approvers default to the deployers.
    configuredAt: `environments.${environment}.${rules.approversKey ?? 'approvers'}`,
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

/**
 * Whether the version is in the service's repository (a tag, or a `sha256:` digest), checked before any Confirm
 * card: a refusal naming the repository and its newest tags, or nothing when it is there.
 */
export async function versionRefusal(
  slots: { readonly service?: string; readonly environment?: string; readonly version?: string },
  ports: IntentPorts,
): Promise<Refusal | undefined> {
  const { service, environment, version } = slots;
  if (service === undefined || environment === undefined || version === undefined) return undefined;
  if (await ports.images.find(service, environment, version)) return undefined;
  const [repository, newest] = await Promise.all([
    ports.images.repository(service, environment),
    offeredVersions(service, environment, ports, 3),
  ]);
  return {
    reason: 'unknown-version',
    reply: notice(
      'refused',
      [
        code(version),
        ' is not in ',
        code(repository),
        newest.length > 0 ? '; the newest are ' : '.',
        ...joinedCodes(newest.map((v) => v.value)),
        ...(newest.length > 0 ? ['.'] : []),
      ],
      [
        'Nothing was deployed. Pick one of those, like ',
        code(`/deploy ${service} ${environment} ${newest[0]?.value ?? '<tag>'}`),
        '.',
      ],
    ),
  };
}

/**
 * The newest tags of a service's repository, as choices reading "v1.9.0 · 2 d ago"; a protected environment is not
 * offered tags that move.
 */
export async function offeredVersions(
  service: string,
  environment: string,
  ports: IntentPorts,
  limit = 5,
): Promise<Choice[]> {
  const protectedEnv = ports.rules.environment(environment)?.protected === true;
  const now = ports.clock.now();
  const newest = await ports.images.newest(service, environment, limit * 4);
  return newest
    .filter(
      (image) =>
        image.tag !== undefined &&
        !(protectedEnv && ports.rules.mutableTags(service, environment).has(image.tag.toLowerCase())),
    )
    .slice(0, limit)
    .map((image) => ({ value: image.tag as string, label: `${image.tag} · ${ago(image.pushedAt, now)}` }));
}

function joinedCodes(values: readonly string[]): Run[] {
  return values.flatMap((v, i): Run[] => [...(i === 0 ? [] : [', ']), code(v)]);
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

/**
 * The confirmation card's wording for a change to an environment: what runs there now and when the new image was
 * pushed; red, with a warning, where it is protected.
 */
export async function changeConfirmation(
  verb: string,
  slots: {
    readonly service?: string;
    readonly environment?: string;
    readonly version?: string;
    readonly digest?: string;
  },
  ports: IntentPorts,
  kind: ChangeContext['kind'] = 'deploy',
): Promise<ConfirmationText> {
  const protectedEnv =
    slots.environment !== undefined && ports.rules.environment(slots.environment)?.protected === true;
  const action: Line = [`${verb} `, ...describeChange(slots)];
  const [details, maintenance, said] = await Promise.all([
    changeDetails(slots, ports).catch(() => undefined),
    maintenanceSoon(slots, ports).catch(() => undefined),
    whatChanges(kind, slots, ports),
  ]);
  const warning: Run[] = [
    ...(protectedEnv ? [strong(slots.environment as string), ' is a protected environment.'] : []),
    ...(maintenance !== undefined ? [...(protectedEnv ? [' '] : []), ...maintenance] : []),
  ];
  const rules = slots.environment !== undefined ? ports.rules.environment(slots.environment) : undefined;
  const approvers = approverRuns(rules?.approvers);
  return {
    title: `Confirm: ${verb.toLowerCase()}`,
    action,
    ...(details !== undefined && { details: details.line }),
    ...(said.changes.length > 0 && { changes: said.changes }),
    ...(said.warnings.length > 0 && { warnings: said.warnings }),
    ...(rules?.approval === true && {
      afterConfirm: [
        'After you confirm, ',
        ...(approvers !== undefined ? ['one of ', ...approvers] : ['someone else who may deploy there']),
        ' must approve it before it starts.',
      ],
    }),
    ...(warning.length > 0 && { warning }),
    ...(protectedEnv && { danger: true }),
    ...(details?.digest !== undefined && { pins: { digest: details.digest } }),
  };
}

/**
 * What a change brings (its commits, or why opsbot cannot tell) and the guard rails that warn about it, for its
 * card; nothing when the version is not known yet, and a plain line when what runs cannot be read.
 */
export async function whatChanges(
  kind: ChangeContext['kind'],
  slots: ChangeSlots,
  ports: IntentPorts,
): Promise<{ changes: Line[]; warnings: Line[] }> {
  const read = async () => {
    const context = await changeContext(kind, slots, ports);
    if (context === undefined) return { changes: [], warnings: [] };
    const findings = await guardFindings(context, ports, 'warn');
    return {
      changes: changeLines(context.changes, context.running, context.target),
      warnings: findings.map((f) => f.line),
    };
  };
  try {
    // The card is not held for long by what it can go without: past the wait it says it could not tell.
    return await within(read(), CHANGES_WAIT_MS, 'change list');
  } catch (error) {
    const late = (error as { code?: unknown }).code === 'TIMEOUT';
    return {
      changes: [
        [
          'What changes: I can’t tell — ',
          late ? `AWS did not answer within ${CHANGES_WAIT_MS / 1000} s` : 'what runs there could not be read',
          '.',
        ],
      ],
      warnings: late ? [['The guard rails could not be checked in time either.']] : [],
    };
  }
}

/** The guard rails set to refuse, checked against a complete change; nothing when none refuses. */
export async function guardRailRefusal(
  kind: ChangeContext['kind'],
  slots: ChangeSlots,
  ports: IntentPorts,
): Promise<Refusal | undefined> {
  const { environment } = slots;
  if (kind === 'rollback' || environment === undefined) return undefined;
  const rails = ports.rules.guardRails(environment);
  const refusing = [
    rails.untested,
    rails.pipelineFailing,
    rails.downgrade,
    rails.skippedReleases.action,
    rails.branch?.action,
  ];
  if (!refusing.includes('refuse')) return undefined;
  const check = async () => {
    const context = await changeContext(kind, slots, ports);
    return context === undefined ? undefined : guardRefusal(context, ports);
  };
  try {
    return await within(check(), CHANGES_WAIT_MS, 'guard rails');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'TIMEOUT') throw error;
    // A rail set to refuse that cannot be checked refuses: nothing ships unchecked.
    return {
      reason: 'guard-rail:unchecked',
      reply: notice(
        'refused',
        [
          'Nothing was deployed: I could not check the guard rails of ',
          strong(environment),
          ` within ${CHANGES_WAIT_MS / 1000} s (AWS did not answer).`,
        ],
        ['Try again in a minute.'],
      ),
    };
  }
}

/** How soon before a deploy AWS maintenance of the service's resources is worth a warning on its card. */
export const MAINTENANCE_WARNING_HOURS = 6;

/**
 * AWS maintenance of the service's own resources (by tag or `notices.resources`) starting within the next few hours,
 * in its account and region: said on the confirmation card ("EC2 system-reboot of web-prod-ecs-1 at 03:00 (UTC+1),
 * in 5 h").
 */
async function maintenanceSoon(
  slots: { readonly service?: string; readonly environment?: string },
  ports: IntentPorts,
): Promise<Run[] | undefined> {
  if (slots.service === undefined || slots.environment === undefined) return undefined;
  const target = ports.rules.target(slots.service, slots.environment);
  if (target === undefined) return undefined;
  const now = ports.clock.now();
  const reading = await ports.maintenance.upcoming(
    { from: now, until: now + MAINTENANCE_WARNING_HOURS * 3_600_000 },
    { account: target.account, region: target.region },
  );
  const soon = reading.notices.filter((n) =>
    affectedServices(n, ports.rules.maintenance).includes(slots.service as string),
  );
  const [first] = soon;
  if (first === undefined) return undefined;
  const hours = Math.max(0, Math.round((first.startsAt - now) / 3_600_000));
  return [
    'AWS maintenance soon: ',
    `${first.service} `,
    code(first.kind),
    ...(first.resources[0] !== undefined ? [' of ', code(first.resources[0].name ?? first.resources[0].id)] : []),
    hours === 0 ? ' starts within the hour' : ` in ${hours} h`,
    soon.length > 1 ? ` (and ${soon.length - 1} more)` : '',
    '.',
  ];
}

/** The approvers as mentions (a user group as the group); undefined for everyone who may deploy. */
export function approverRuns(approvers: 'everyone' | readonly string[] | undefined): Run[] | undefined {
  if (approvers === undefined || approvers === 'everyone') return undefined;
  return approvers.flatMap((id, i): Run[] => [
    ...(i === 0 ? [] : [i === approvers.length - 1 ? ' or ' : ', ']),
    id.startsWith('S') ? { kind: 'group', groupId: id } : mention(id),
  ]);
}

/** Another deploy running, or a hand lock by someone else, on the service in the environment (once both are known). */
export async function busyRefusal(
  slots: { readonly service?: string; readonly environment?: string },
  actor: Actor,
  ports: IntentPorts,
): Promise<Refusal | undefined> {
  if (slots.service === undefined || slots.environment === undefined) return undefined;
  return (
    (await lockRefusal(slots.service, slots.environment, ports)) ??
    (await holdRefusal(slots.service, slots.environment, actor, ports))
  );
}

/**
 * What refuses any change that deploys into an environment (a deploy, a promotion) before its version is looked at:
 * who may change it, a freeze (unless an admin overrides it), another deploy or a hand lock.
 */
export async function deployIntoRefusal(
  slots: Readonly<Record<string, string | undefined>> & { readonly service?: string; readonly environment?: string },
  actor: Actor,
  ports: IntentPorts,
): Promise<Refusal | undefined> {
  const override = overrideOf(slots);
  return (
    (await changeRefusal(slots, actor, ports)) ??
    (await freezeRefusal({ ...slots, ...(override !== undefined && { override }) }, actor, ports)) ??
    (await busyRefusal(slots, actor, ports))
  );
}
