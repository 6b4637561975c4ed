import { REVISION_LABEL, SOURCE_LABEL } from '../../integrations/images.port';
import type { PipelineExecution, PipelineRevision } from '../../integrations/pipelines.port';
import type { IntentPorts } from '../define-intent';
import { code, type Line, link, type Run, strong } from '../reply';

/** How many of the pipeline's latest executions are read to place two images in its history. */
export const EXECUTIONS_READ = 200;
/** The changes a Confirm card shows, newest first; the rest are listed in the deploy's thread. */
export const CHANGES_SHOWN = 5;
/** How long a Confirm card (or a deploy's thread) waits for what a change brings. */
export const CHANGES_WAIT_MS = 5_000;
/** At most this many changes are listed in the thread (the compare link has them all). */
export const CHANGES_LISTED = 50;

/** An image as a change names it: the version people say, and its digest when known. */
export interface ImageRef {
  readonly version: string;
  readonly digest?: string;
}

/** What opsbot knows of how an image was built: its commit, its repository, the pipeline run that built it. */
export interface Build {
  readonly revision?: string;
  /** The repository's web address (`org.opencontainers.image.source`, or the connection's). */
  readonly repository?: string;
  readonly execution?: PipelineExecution;
}

/** What a change brings (`forward`) or takes out (`back`), a rebuild of the same commit, or why opsbot cannot tell. */
export type ChangeList =
  | {
      readonly kind: 'forward' | 'back';
      /** Newest first. */
      readonly changes: readonly PipelineRevision[];
      readonly compare?: string;
    }
  | { readonly kind: 'same'; readonly revision: string }
  | { readonly kind: 'unknown'; readonly why: Line; readonly compare?: string };

export interface ChangeReading {
  readonly list: ChangeList;
  readonly running: Build;
  readonly target: Build;
  /** The pipeline that builds the service, when configured. */
  readonly pipeline?: string;
}

const COMMIT = /^[0-9a-f]{7,64}$/i;
const EXECUTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Two names of one commit: equal, or one an abbreviation (7 hex digits or more) of the other. */
function sameCommit(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (COMMIT.test(x) && COMMIT.test(y) && (x.startsWith(y) || y.startsWith(x)));
}

/** The reason a read failed, as the person can act on it. */
export function reasonOf(error: unknown): string {
  const e = error as { userMessage?: unknown };
  // Said inside a sentence of its own: without its full stop.
  return typeof e?.userMessage === 'string' ? e.userMessage.replace(/\.$/, '') : 'AWS did not answer';
}

/**
 * What changes between the image that runs and the one a change deploys: each image's commit (its
 * `org.opencontainers.image.revision` label, or a tag naming a commit or the execution that built it), placed in the
 * history of the service's pipeline, and the source revisions of the executions between the two.
 */
export async function readChanges(
  service: string,
  environment: string,
  running: ImageRef,
  target: ImageRef,
  ports: Pick<IntentPorts, 'images' | 'pipelines' | 'rules'>,
): Promise<ChangeReading> {
  const pipeline = ports.rules.pipelineOf(service);
  const labels = (image: ImageRef) =>
    image.digest === undefined
      ? Promise.resolve({} as Readonly<Record<string, string>>)
      : ports.images.labels(service, environment, image.digest);
  const [history, runningLabels, targetLabels] = await Promise.all([
    pipeline === undefined
      ? Promise.resolve(undefined)
      : ports.pipelines.executions(pipeline, EXECUTIONS_READ).catch((error: unknown) => ({ error })),
    labels(running).catch((error: unknown) => ({ error })),
    labels(target).catch((error: unknown) => ({ error })),
  ]);
  const executions = Array.isArray(history) ? history : [];
  const [runningBuild, targetBuild] = await Promise.all([
    buildOf(running, 'error' in runningLabels ? {} : runningLabels, executions, pipeline, ports),
    buildOf(target, 'error' in targetLabels ? {} : targetLabels, executions, pipeline, ports),
  ]);
  const failed = [runningLabels, targetLabels, history].find(
    (r): r is { error: unknown } => r !== undefined && !Array.isArray(r) && 'error' in r,
  );
  const list = changeList(service, { running, target }, { running: runningBuild, target: targetBuild }, executions, {
    ...(pipeline !== undefined && { pipeline }),
    ...(failed !== undefined && { failure: reasonOf(failed.error) }),
  });
  return { list, running: runningBuild, target: targetBuild, ...(pipeline !== undefined && { pipeline }) };
}

/** How an image was built, from its labels, its tag, and the pipeline's history. */
async function buildOf(
  image: ImageRef,
  labels: Readonly<Record<string, string>>,
  executions: readonly PipelineExecution[],
  pipeline: string | undefined,
  ports: Pick<IntentPorts, 'pipelines'>,
): Promise<Build> {
  const labelled = labels[REVISION_LABEL];
  const revision = labelled !== undefined && /^[\w./-]{1,128}$/.test(labelled) ? labelled : undefined;
  // The oldest run of the commit built the image (a run again of the same commit builds the same code).
  const builtBy = (commit: string) => executions.findLast((e) => e.revisions.some((r) => sameCommit(r.id, commit)));
  let execution = revision !== undefined ? builtBy(revision) : undefined;
  if (execution === undefined && revision === undefined) {
    if (COMMIT.test(image.version)) execution = builtBy(image.version);
    else if (EXECUTION_ID.test(image.version))
      execution =
        executions.find((e) => e.id === image.version) ??
        (pipeline === undefined
          ? undefined
          : await ports.pipelines.execution(pipeline, image.version).catch(() => undefined));
  }
  const source = labels[SOURCE_LABEL];
  const repository = webRepository(source) ?? execution?.revisions.find((r) => r.repository !== undefined)?.repository;
  const commit = revision ?? execution?.revisions[0]?.id;
  return {
    ...(commit !== undefined && { revision: commit }),
    ...(repository !== undefined && { repository }),
    ...(execution !== undefined && { execution }),
  };
}

function changeList(
  service: string,
  images: { readonly running: ImageRef; readonly target: ImageRef },
  builds: { readonly running: Build; readonly target: Build },
  executions: readonly PipelineExecution[],
  read: { readonly pipeline?: string; readonly failure?: string },
): ChangeList {
  const { running, target } = builds;
  if (running.revision !== undefined && target.revision !== undefined && sameCommit(running.revision, target.revision))
    return { kind: 'same', revision: target.revision };
  const from = running.execution === undefined ? -1 : executions.indexOf(running.execution);
  const to = target.execution === undefined ? -1 : executions.indexOf(target.execution);
  const repository = target.repository ?? running.repository;
  if (from >= 0 && to >= 0) {
    // Newest first: the runs after the older image's, up to the newer image's own.
    const forward = to < from;
    const [newer, older] = forward ? [to, from] : [from, to];
    const changes = uniqueRevisions(
      executions.slice(newer, older),
      forward ? running : target,
      forward ? target : running,
    );
    const compare =
      repository !== undefined && running.revision !== undefined && target.revision !== undefined
        ? compareUrl(
            repository,
            forward ? running.revision : target.revision,
            forward ? target.revision : running.revision,
          )
        : undefined;
    return { kind: forward ? 'forward' : 'back', changes, ...(compare !== undefined && { compare }) };
  }
  const compare =
    repository !== undefined && running.revision !== undefined && target.revision !== undefined
      ? compareUrl(repository, running.revision, target.revision)
      : undefined;
  return { kind: 'unknown', why: whyUnknown(service, images, builds, read), ...(compare !== undefined && { compare }) };
}

/**
 * The revisions of the executions, each commit once, without the older image's own; of a pipeline with several
 * sources, those of the source action the newer image was built from.
 */
function uniqueRevisions(executions: readonly PipelineExecution[], older: Build, newer: Build): PipelineRevision[] {
  const seen: string[] = older.revision !== undefined ? [older.revision] : [];
  const action = newer.execution?.revisions.find(
    (r) => newer.revision !== undefined && sameCommit(r.id, newer.revision),
  )?.action;
  const out: PipelineRevision[] = [];
  for (const e of executions) {
    const revision = action === undefined ? e.revisions[0] : e.revisions.find((r) => r.action === action);
    if (revision === undefined || seen.some((s) => sameCommit(s, revision.id))) continue;
    seen.push(revision.id);
    out.push(revision);
  }
  return out;
}

function whyUnknown(
  service: string,
  images: { readonly running: ImageRef; readonly target: ImageRef },
  builds: { readonly running: Build; readonly target: Build },
  read: { readonly pipeline?: string; readonly failure?: string },
): Run[] {
  if (read.failure !== undefined) return [read.failure];
  const unplaced = builds.running.execution === undefined ? images.running : images.target;
  const build = builds.running.execution === undefined ? builds.running : builds.target;
  if (read.pipeline === undefined)
    return [
      strong(service),
      ' has no pipeline configured (',
      code(`services.${service}.pipeline`),
      '), so its runs cannot be listed',
    ];
  return build.revision !== undefined
    ? [
        code(unplaced.version),
        ' was built from ',
        code(build.revision.slice(0, 12)),
        `, which none of the last ${EXECUTIONS_READ} runs of `,
        strong(read.pipeline),
        ' read',
      ]
    : [
        code(unplaced.version),
        ` carries no ${REVISION_LABEL} label, and names no commit or run among the last ${EXECUTIONS_READ} of `,
        strong(read.pipeline),
      ];
}

/** A repository's web address from a label: https only, no credentials, no `.git`. */
export function webRepository(source: string | undefined): string | undefined {
  if (source === undefined) return undefined;
  const ssh = /^git@([\w.-]+):([\w./-]+?)(?:\.git)?$/.exec(source);
  const candidate = ssh !== null ? `https://${ssh[1]}/${ssh[2]}` : source.replace(/\.git$/, '').replace(/\/+$/, '');
  try {
    const url = new URL(candidate);
    if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
    return `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/**
 * The host's page comparing two commits, older first, where the host is one opsbot knows: GitHub, GitLab
 * (`/-/compare/`), Bitbucket Cloud (newer first, `%0D` between).
 */
export function compareUrl(repository: string, older: string, newer: string): string | undefined {
  if (!COMMIT.test(older) || !COMMIT.test(newer)) return undefined;
  const host = new URL(repository).hostname;
  if (host === 'github.com') return `${repository}/compare/${older}...${newer}`;
  if (host === 'gitlab.com' || host.startsWith('gitlab.')) return `${repository}/-/compare/${older}...${newer}`;
  if (host === 'bitbucket.org') return `${repository}/branches/compare/${newer}%0D${older}`;
  return undefined;
}

/** A change as one line: its short id (linked), its message and author. */
export function changeLine(change: PipelineRevision): Run[] {
  const id = change.id.length > 12 && COMMIT.test(change.id) ? change.id.slice(0, 7) : change.id.slice(0, 40);
  return [
    change.url !== undefined && /^https:\/\//.test(change.url) ? link(change.url, id) : code(id),
    ' ',
    change.message ?? '(no message)',
    ...(change.author !== undefined ? [' — ', change.author] : []),
  ];
}

/**
 * What the Confirm card says a change brings: "3 changes since `v1.6.0`", the newest few, and the compare link; what
 * a downgrade takes out; a rebuild of the same commit; or why opsbot cannot tell.
 */
export function changeLines(reading: ChangeReading, running: ImageRef, target: ImageRef): Line[] {
  const list = reading.list;
  if (list.kind === 'same')
    return [
      ['Same commit as what runs (', code(list.revision.slice(0, 12)), '): a rebuild, with no change to its code.'],
    ];
  if (list.kind === 'unknown')
    return [
      [
        'What changes: I can’t tell — ',
        ...(Array.isArray(list.why) ? list.why : [list.why as Run]),
        '.',
        ...(list.compare !== undefined ? [' ', link(list.compare, 'Compare the two commits')] : []),
      ],
    ];
  const n = list.changes.length;
  const noun = n === 1 ? '1 change' : `${n} changes`;
  const heading: Run[] =
    list.kind === 'forward'
      ? [strong(noun), ' since ', code(running.version), n > CHANGES_SHOWN ? ', the newest first:' : ':']
      : [
          'Takes out ',
          strong(noun),
          ' made since ',
          code(target.version),
          n > CHANGES_SHOWN ? ', the newest first:' : ':',
        ];
  const more = n - CHANGES_SHOWN;
  return [
    n === 0 ? ['No source changes between the two builds.'] : heading,
    ...list.changes.slice(0, CHANGES_SHOWN).map((c) => ['• ', ...changeLine(c)]),
    ...(more > 0 || list.compare !== undefined
      ? [
          [
            ...(more > 0 ? [`and ${more} more, listed in the deploy’s thread once it starts`] : []),
            ...(more > 0 && list.compare !== undefined ? [' · '] : []),
            ...(list.compare !== undefined ? [link(list.compare, 'compare')] : []),
          ],
        ]
      : []),
  ];
}
