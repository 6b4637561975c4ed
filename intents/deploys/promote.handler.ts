import { defineIntent, type IntentPorts, pinned, type Refusal } from '../define-intent';
import { ago } from '../format';
import { code, type Line, notice, type Run, strong } from '../reply';
import {
  busyRefusal,
  changeConfirmation,
  deployIntoRefusal,
  guardRailRefusal,
  pinnedDigest,
  shortDigest,
} from './deploy.policy';
import { frozen, overrideInForce, overrideOf } from './freeze';
import { promoteIntent } from './promote.intent';
import { digestOf } from './run/record';
import { startRun } from './run/start';

/** What a promotion deploys: the image the source environment runs, by digest, and how long it has run there. */
export interface Promotion {
  readonly source: string;
  readonly version: string;
  readonly digest: string;
  /** Since when the source has run it, as its deployments say. */
  readonly since?: number;
  /** Deploys in the source after it that were rolled back (to it, since it runs there). */
  readonly rolledBackSince: number;
}

type PromoteSlots = { readonly service?: string; readonly environment?: string; readonly source?: string };

function refusal(reason: string, message: Line, hint: Line): { refusal: Refusal } {
  return { refusal: { reason, reply: notice('refused', message, hint) } };
}

/**
 * What promoting a service to an environment deploys: the image the environment before it runs (by digest, in the
 * target's repository), or a refusal that says why there is nothing to promote and what to do instead.
 */
export async function readPromotion(
  slots: PromoteSlots,
  ports: IntentPorts,
): Promise<{ promotion: Promotion } | { refusal: Refusal } | undefined> {
  const { service, environment } = slots;
  if (service === undefined || environment === undefined) return undefined;
  const source = slots.source ?? ports.rules.promotedFrom(environment);
  if (source === undefined)
    return refusal(
      'nothing-before',
      ports.rules.promotionOrder.includes(environment)
        ? [strong(environment), ' is the first environment images reach, so there is nothing to promote into it.']
        : [strong(environment), ' is not in the promotion order, so I don’t know where its images come from.'],
      [
        'Say where from (',
        code(`promote ${service} from <environment> to ${environment}`),
        '), or deploy a version there, like ',
        code(`/deploy ${service} ${environment} <version>`),
        '.',
      ],
    );
  if (source === environment)
    return refusal(
      'same-environment',
      ['A promotion takes an image from one environment to another; both are ', strong(environment), ' here.'],
      ['Say where from, like ', code(`promote ${service} from <environment> to ${environment}`), '.'],
    );
  if (isAfter(source, environment, ports))
    return refusal(
      'backwards',
      [strong(source), ' comes after ', strong(environment), ': a promotion moves an image forward, never back.'],
      [
        'Did you mean ',
        code(`/deploy promote ${service} from ${environment} to ${source}`),
        '? To put an older version back, roll back instead.',
      ],
    );
  if (ports.rules.target(service, source) === undefined)
    return refusal(
      'not-in-source',
      [strong(service), ' does not run in ', strong(source), ', so there is nothing to promote from there.'],
      ['Say where from, like ', code(`promote ${service} from <environment> to ${environment}`), '.'],
    );
  const [current, history] = await Promise.all([
    ports.deployments.current(service, source),
    ports.deployments.history(service, source, 20).catch(() => []),
  ]);
  // Since it first arrived: ECS's primary deployment begins anew when a later deploy is rolled back to it, so the
  // earliest deployment of it that succeeded counts too.
  const arrivals = history
    .filter((d) => d.status === 'Succeeded' && d.version === current.version)
    .map((d) => d.startedAt);
  const known = [...(current.since !== undefined ? [current.since] : []), ...arrivals];
  const since = known.length > 0 ? Math.min(...known) : undefined;
  let digest = digestOf(current.image);
  if (digest === undefined) {
    // Run by tag: the image the tag names now is the one that runs, unless the tag was pushed again since.
    const image = await ports.images.find(service, source, current.version);
    if (image === undefined || (since !== undefined && image.pushedAt > since))
      return refusal(
        'source-image-unknown',
        [
          strong(source),
          ' runs ',
          code(current.version),
          ' by tag, and ',
          image === undefined
            ? 'its repository no longer has that tag'
            : 'the tag has been pushed again since it was deployed there',
          ': I can’t tell which image runs there.',
        ],
        [
          'Deploy ',
          strong(source),
          ' again, or deploy a version by its digest: ',
          code(`/deploy ${service} ${environment} sha256:…`),
          '.',
        ],
      );
    digest = image.digest;
  }
  // The same image in the target's repository: one repository, or a replica (ECR replication keeps digests).
  const there = await ports.images.find(service, environment, digest);
  if (there === undefined) {
    const repository = await ports.images.repository(service, environment).catch(() => undefined);
    return refusal(
      'not-in-target-repository',
      [
        'The image ',
        strong(source),
        ' runs (',
        code(shortDigest(digest)),
        ') is not in ',
        ...(repository !== undefined ? [code(repository)] : ['the repository of ', strong(environment)]),
        '.',
      ],
      ['Replicate it there (ECR replication keeps the digest), then promote again.'],
    );
  }
  const rolledBackSince = history.filter(
    (d) =>
      since !== undefined &&
      d.startedAt > since &&
      (d.rollback === true || d.step === 'RolledBack' || d.status === 'Stopped' || d.status === 'Failed'),
  ).length;
  return {
    promotion: { source, version: current.version, digest, ...(since !== undefined && { since }), rolledBackSince },
  };
}

/** Whether `a` comes after `b` in the promotion order. */
function isAfter(a: string, b: string, ports: IntentPorts): boolean {
  let at: string | undefined = a;
  for (let i = 0; i < 50 && at !== undefined; i++) {
    at = ports.rules.promotedFrom(at);
    if (at === b) return true;
  }
  return false;
}

/** "staging has run it for 3 d, no rollback" — the evidence the card gives for promoting it. */
function evidence(promotion: Promotion, now: number): Run[] {
  const { source, since, rolledBackSince } = promotion;
  const ran =
    since === undefined
      ? [' runs it (since when, its deployments do not say)']
      : [` has run it for ${ago(since, now).replace(' ago', '')}`];
  return [
    strong(source),
    ...ran,
    rolledBackSince === 0
      ? ', no rollback.'
      : `; ${rolledBackSince === 1 ? 'a deploy' : `${rolledBackSince} deploys`} after it there failed or rolled back.`,
  ];
}

/** What the Confirm card pinned: the source, its version and the image's digest; undefined before a card. */
function pinnedPromotion(slots: Readonly<Record<string, string | undefined>>): Promotion | undefined {
  const version = pinned(slots, 'version');
  const digest = pinnedDigest(slots);
  const source = pinned(slots, 'source');
  return version === undefined || digest === undefined || source === undefined
    ? undefined
    : { source, version, digest, rolledBackSince: 0 };
}

/** The image the target already runs: nothing to promote. */
async function alreadyThere(
  slots: PromoteSlots,
  promotion: Promotion,
  ports: IntentPorts,
): Promise<Refusal | undefined> {
  const current = await ports.deployments.current(slots.service as string, slots.environment as string);
  const runningDigest =
    digestOf(current.image) ??
    (
      await ports.images
        .find(slots.service as string, slots.environment as string, current.version)
        .catch(() => undefined)
    )?.digest;
  if (runningDigest !== promotion.digest) return undefined;
  return {
    reason: 'already-promoted',
    reply: notice('none', [
      strong(slots.environment as string),
      ' already runs the image ',
      strong(promotion.source),
      ' runs (',
      code(promotion.version),
      '); nothing was deployed.',
    ]),
  };
}

/**
 * A promotion: the image the environment before the target runs, deployed by digest through everything a deploy has
 * (who may, freezes, locks, guard rails, approval, the live message, alarms, audit).
 */
export const promote = defineIntent(promoteIntent, {
  check: async ({ slots, actor }, ports) => {
    const early = await deployIntoRefusal(slots, actor, ports);
    if (early !== undefined) return early;
    // At Confirm, the image the card showed (its pins), whatever the source runs by now; before it, what it runs.
    const pins = pinnedPromotion(slots);
    const read = pins === undefined ? await readPromotion(slots, ports) : { promotion: pins };
    if (read === undefined) return undefined;
    if ('refusal' in read) return read.refusal;
    const { promotion } = read;
    return (
      (await alreadyThere(slots, promotion, ports)) ??
      (await guardRailRefusal('promote', { ...slots, version: promotion.version, digest: promotion.digest }, ports))
    );
  },
  checkEarly: ({ slots, actor }, ports) => busyRefusal(slots, actor, ports),
  confirmation: async (slots, ports) => {
    const read = await readPromotion(slots, ports);
    const { service = '', environment = '' } = slots;
    if (read === undefined || 'refusal' in read)
      return { action: ['Promote ', strong(service), ' to ', strong(environment)] };
    const { promotion } = read;
    const text = await changeConfirmation(
      'Promote',
      { service, environment, version: promotion.version, digest: promotion.digest },
      ports,
      'promote',
    );
    const current = await ports.deployments.current(service, environment).catch(() => undefined);
    const override = overrideOf(slots);
    const frozenNow = override !== undefined && (await frozen(environment, ports));
    return {
      ...text,
      title: 'Confirm: promote',
      action: [
        'Promote ',
        strong(service),
        ' ',
        code(promotion.version),
        ' from ',
        strong(promotion.source),
        ' to ',
        strong(environment),
      ],
      details: [
        ...(current !== undefined ? ['Now ', code(current.version), ' → '] : []),
        code(promotion.version),
        ' (',
        code(shortDigest(promotion.digest)),
        '), the image ',
        strong(promotion.source),
        ' runs. ',
        ...evidence(promotion, ports.clock.now()),
      ],
      pins: { digest: promotion.digest, version: promotion.version, source: promotion.source },
      ...(frozenNow && { warning: ['Deploying into a freeze, overridden by an admin: ', override], danger: true }),
    };
  },
  async handle({ slots, actor }, ports) {
    const { service, environment } = slots as Required<Pick<typeof slots, 'service' | 'environment'>>;
    // What the card showed and the person confirmed: that image, even if the source has moved on since.
    const read = pinnedPromotion(slots) ?? (await readPromotion(slots, ports));
    if (read === undefined || 'refusal' in read) return read?.refusal.reply ?? notice('none', 'Nothing to promote.');
    const { version, digest, source } = 'promotion' in read ? read.promotion : read;
    const override = await overrideInForce(slots, actor, ports);
    return startRun(
      {
        kind: 'deploy',
        service,
        environment,
        version,
        digest,
        promotedFrom: source,
        ...(override !== undefined && { override }),
      },
      actor,
      ports,
    );
  },
});
