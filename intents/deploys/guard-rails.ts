import type { ImageVersion } from '../../integrations/images.port';
import type { GuardAction, GuardRails, IntentPorts, Refusal } from '../define-intent';
import { code, type Line, notice, type Run, runsOf, strong } from '../reply';
import { type ChangeReading, type ImageRef, readChanges, reasonOf } from './changes';
import { digestOf } from './run/record';

/** A change to an environment, as its guard rails and its card read it: what runs, what it deploys, and what changes. */
export interface ChangeContext {
  readonly kind: 'deploy' | 'promote' | 'rollback';
  readonly service: string;
  readonly environment: string;
  readonly running: ImageRef & { readonly pushedAt?: number };
  readonly target: ImageRef & { readonly pushedAt?: number };
  /** What changes between the two, or why it could not be read. */
  readonly changes: ChangeReading;
}

/** A change's slots as a request has them: the context is read once all three names are known. */
export interface ChangeSlots {
  readonly service?: string;
  readonly environment?: string;
  readonly version?: string;
  /** The image's digest a card pinned, or the one a promotion takes. */
  readonly digest?: string;
}

/** What a guard rail found: said on the Confirm card (`warn`), or refusing the change (`refuse`). */
export interface GuardFinding {
  readonly rule: keyof GuardRails;
  readonly action: Exclude<GuardAction, 'off'>;
  readonly line: Line;
}

/** Releases read to count those a change skips. */
const RELEASES_READ = 500;

/**
 * Reads what a change to `version` means: the image that runs (by digest where ECS runs it by one, else what its tag
 * names), the image the version names, and the changes between them.
 */
export async function changeContext(
  kind: ChangeContext['kind'],
  slots: ChangeSlots,
  ports: IntentPorts,
): Promise<ChangeContext | undefined> {
  const { service, environment, version } = slots;
  if (service === undefined || environment === undefined || version === undefined) return undefined;
  const current = await ports.deployments.current(service, environment);
  const runningDigest = digestOf(current.image);
  const [runningImage, targetImage] = await Promise.all([
    ports.images.find(service, environment, runningDigest ?? current.version).catch(() => undefined),
    ports.images.find(service, environment, slots.digest ?? version).catch(() => undefined),
  ]);
  const running = refOf(current.version, runningDigest, runningImage);
  const target = refOf(version, slots.digest, targetImage);
  const changes = await readChanges(service, environment, running, target, ports);
  return { kind, service, environment, running, target, changes };
}

function refOf(version: string, digest: string | undefined, image: ImageVersion | undefined) {
  const d = digest ?? image?.digest;
  return { version, ...(d !== undefined && { digest: d }), ...(image !== undefined && { pushedAt: image.pushedAt }) };
}

/**
 * The guard rails of the environment, checked against a change: a version never run in the environment before it, a
 * failing pipeline, a downgrade that is not a rollback, too many releases skipped, a build from another branch. Only
 * the rules set to `only` are checked when it is given (the refusals, before a card). Rollbacks pass them all.
 */
export async function guardFindings(
  context: ChangeContext,
  ports: IntentPorts,
  only?: Exclude<GuardAction, 'off'>,
): Promise<GuardFinding[]> {
  if (context.kind === 'rollback') return [];
  const rails = ports.rules.guardRails(context.environment);
  const wanted = (action: GuardAction): action is Exclude<GuardAction, 'off'> =>
    action !== 'off' && (only === undefined || action === only);
  const checks: Array<Promise<GuardFinding | undefined>> = [];
  if (wanted(rails.untested)) checks.push(untested(context, rails.untested, ports));
  if (wanted(rails.pipelineFailing)) checks.push(pipelineFailing(context, rails.pipelineFailing, ports));
  if (wanted(rails.downgrade)) checks.push(Promise.resolve(downgrade(context, rails.downgrade)));
  if (wanted(rails.skippedReleases.action))
    checks.push(skipped(context, rails.skippedReleases.max, rails.skippedReleases.action, ports));
  if (rails.branch !== undefined && wanted(rails.branch.action))
    checks.push(branch(context, rails.branch.names, rails.branch.action, ports));
  return (await Promise.all(checks)).filter((f): f is GuardFinding => f !== undefined);
}

/** The guard rails set to refuse, as a refusal naming each one that found something; nothing when none did. */
export async function guardRefusal(context: ChangeContext, ports: IntentPorts): Promise<Refusal | undefined> {
  const findings = await guardFindings(context, ports, 'refuse');
  if (findings.length === 0) return undefined;
  const lines = findings.flatMap((f, i): Run[] => [...(i > 0 ? [' '] : []), ...runsOf(f.line)]);
  return {
    reason: `guard-rail:${findings.map((f) => f.rule).join(',')}`,
    reply: notice(
      'refused',
      ['Nothing was deployed: ', ...lines],
      [
        strong(context.environment),
        ' refuses such changes (',
        code(`environments.${context.environment}.guardRails`),
        '). Deploy a version that passes them, or ask an admin to change the rule.',
      ],
    ),
  };
}

/** Whether the version ran in the environment before this one: runs there now, or a deployment there succeeded. */
async function untested(
  context: ChangeContext,
  action: Exclude<GuardAction, 'off'>,
  ports: IntentPorts,
): Promise<GuardFinding | undefined> {
  const before = ports.rules.promotedFrom(context.environment);
  if (before === undefined || ports.rules.target(context.service, before) === undefined) return undefined;
  const { version, digest } = context.target;
  try {
    const [current, history, tagged] = await Promise.all([
      ports.deployments.current(context.service, before),
      ports.deployments.history(context.service, before, 50),
      digest === undefined ? undefined : ports.images.find(context.service, before, version).catch(() => undefined),
    ]);
    // By the image where it is known: the tag counts only while it names that image there.
    const tagIsImage = digest === undefined || tagged?.digest === digest;
    const names = (v: string) => (digest !== undefined && v === digest) || (v === version && tagIsImage);
    const ran =
      (digest !== undefined && digestOf(current.image) === digest) ||
      (digestOf(current.image) === undefined && names(current.version)) ||
      history.some((d) => d.status === 'Succeeded' && d.rollback !== true && names(d.version));
    if (ran) return undefined;
    return {
      rule: 'untested',
      action,
      line: [
        code(version),
        ' never ran in ',
        strong(before),
        ', the environment before ',
        strong(context.environment),
        '.',
      ],
    };
  } catch (error) {
    return {
      rule: 'untested',
      action,
      line: ['I could not check whether ', code(version), ' ran in ', strong(before), ': ', reasonOf(error), '.'],
    };
  }
}

async function pipelineFailing(
  context: ChangeContext,
  action: Exclude<GuardAction, 'off'>,
  ports: IntentPorts,
): Promise<GuardFinding | undefined> {
  const pipeline = ports.rules.pipelineOf(context.service);
  if (pipeline === undefined) return undefined;
  try {
    const detail = await ports.pipelines.get(pipeline);
    const failing = detail.stages.find((s) => s.status === 'Failed');
    if (failing === undefined) return undefined;
    return {
      rule: 'pipelineFailing',
      action,
      line: ['Its pipeline ', strong(pipeline), ' is failing at ', strong(failing.name), '.'],
    };
  } catch (error) {
    return {
      rule: 'pipelineFailing',
      action,
      line: ['I could not read whether ', strong(pipeline), ' is failing: ', reasonOf(error), '.'],
    };
  }
}

/** Older than what runs: pushed before it, or taking changes out. */
function downgrade(context: ChangeContext, action: Exclude<GuardAction, 'off'>): GuardFinding | undefined {
  const { running, target } = context;
  const older =
    context.changes.list.kind === 'back' ||
    (context.changes.list.kind !== 'forward' &&
      running.pushedAt !== undefined &&
      target.pushedAt !== undefined &&
      target.pushedAt < running.pushedAt);
  if (!older) return undefined;
  return {
    rule: 'downgrade',
    action,
    line: [
      code(target.version),
      ' is older than ',
      code(running.version),
      ', which runs now: a downgrade, not a rollback (a rollback says so: ',
      code(`/deploy rollback ${context.service} ${context.environment} ${target.version}`),
      ').',
    ],
  };
}

/** More than `max` releases (images pushed to the repository) between what runs and the version. */
async function skipped(
  context: ChangeContext,
  max: number,
  action: Exclude<GuardAction, 'off'>,
  ports: IntentPorts,
): Promise<GuardFinding | undefined> {
  const { running, target } = context;
  if (running.pushedAt === undefined || target.pushedAt === undefined || target.pushedAt <= running.pushedAt)
    return undefined;
  const moving = ports.rules.mutableTags(context.service, context.environment);
  try {
    const images = await ports.images.newest(context.service, context.environment, RELEASES_READ);
    const between = new Set(
      images
        .filter(
          (i) =>
            i.pushedAt > (running.pushedAt as number) &&
            i.pushedAt < (target.pushedAt as number) &&
            i.digest !== target.digest &&
            i.digest !== running.digest &&
            !moving.has(i.tag?.toLowerCase() ?? ''),
        )
        .map((i) => i.digest),
    );
    if (between.size <= max) return undefined;
    return {
      rule: 'skippedReleases',
      action,
      line: [
        'It skips ',
        strong(`${between.size} releases`),
        ' between ',
        code(running.version),
        ' and ',
        code(target.version),
        ` (more than ${max}).`,
      ],
    };
  } catch (error) {
    return {
      rule: 'skippedReleases',
      action,
      line: ['I could not count the releases it skips: ', reasonOf(error), '.'],
    };
  }
}

/** Built from a branch other than the configured ones, as the run that built it says. */
async function branch(
  context: ChangeContext,
  names: readonly string[],
  action: Exclude<GuardAction, 'off'>,
  ports: IntentPorts,
): Promise<GuardFinding | undefined> {
  const execution = context.changes.target.execution;
  const pipeline = context.changes.pipeline;
  // A service no pipeline builds has no branch to check (as a failing pipeline is not checked for it).
  if (pipeline === undefined) return undefined;
  const expected = names.flatMap((n, i): Run[] => [...(i > 0 ? [' or '] : []), code(n)]);
  let built: string | undefined;
  try {
    built =
      execution !== undefined && pipeline !== undefined
        ? await ports.pipelines.branch(pipeline, execution.id)
        : undefined;
  } catch (error) {
    return {
      rule: 'branch',
      action,
      line: ['I could not read which branch ', code(context.target.version), ' was built from: ', reasonOf(error), '.'],
    };
  }
  if (built === undefined)
    return {
      rule: 'branch',
      action,
      line: [
        'I can’t tell which branch ',
        code(context.target.version),
        ' was built from (no run of its pipeline says), so not that it is ',
        ...expected,
        '.',
      ],
    };
  if (names.includes(built)) return undefined;
  return {
    rule: 'branch',
    action,
    line: [code(context.target.version), ' was built from ', code(built), ', not ', ...expected, '.'],
  };
}
