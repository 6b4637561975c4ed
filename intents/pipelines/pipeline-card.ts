import type { Actor, IntentPorts } from '../define-intent';
import { ago, pipelineStatus } from '../format';
import { code, type Line, link, type Reply, type Run, status, strong } from '../reply';
import { retryRefusal } from './retry.policy';

/** Pipelines that need attention first, then the rest by name. */
const RANK: Record<string, number> = { Failed: 0, Stopped: 1, Stopping: 1, InProgress: 2 };

/** All pipelines, one line each, failing first. */
export async function pipelinesOverview(ports: IntentPorts): Promise<Reply> {
  const now = ports.clock.now();
  const all = (await ports.pipelines.list()).sort(
    (a, b) => (RANK[a.status] ?? 3) - (RANK[b.status] ?? 3) || a.name.localeCompare(b.name),
  );
  if (all.length === 0) return { summary: 'There are no pipelines in this account.', visibility: 'private' };
  const failing = all.filter((p) => p.status === 'Failed');
  const unreadable = all.filter((p) => p.unavailable !== undefined);
  const lines: Line[] = all.map((p) =>
    p.unavailable !== undefined
      ? [status('none', 'Unreadable'), '  ', strong(p.name), ` — ${p.unavailable}`]
      : [
          pipelineStatus(p.status),
          '  ',
          strong(p.name),
          ...(p.failingStage !== undefined ? [' — failing at ', strong(p.failingStage)] : []),
          ` · last run ${ago(p.lastExecutionAt, now)}`,
        ],
  );
  const read = all.length - unreadable.length;
  const summary = [
    failing.length === 0
      ? `All ${read} pipelines ${unreadable.length > 0 ? 'that could be read ' : ''}are green.`
      : `${failing.length} of ${read} pipelines failing: ${failing.map((p) => p.name).join(', ')}.`,
    ...(unreadable.length > 0
      ? [` ${unreadable.length} could not be read: ${unreadable.map((p) => p.name).join(', ')}.`]
      : []),
  ].join('');
  return {
    title: 'Pipelines',
    summary,
    sections: [[summary], lines],
    context: [
      ['Ask “why is the <name> pipeline failing?” or run ', code('/deploy pipelines <name>'), ' for one pipeline.'],
    ],
    visibility: 'channel',
  };
}

/** One pipeline, stage by stage, with the failed action's error, a link to its logs, and Retry where allowed. */
export async function pipelineCard(name: string, ports: IntentPorts, actor?: Actor): Promise<Reply> {
  const now = ports.clock.now();
  const p = await ports.pipelines.get(name);
  const lines: Line[] = [];
  for (const stage of p.stages) {
    lines.push([
      pipelineStatus(stage.status),
      '  ',
      strong(stage.name),
      ...(stage.lastChangedAt !== undefined ? [` · ${ago(stage.lastChangedAt, now)}`] : []),
    ]);
    for (const action of stage.actions) {
      if (action.status !== 'Failed') continue;
      lines.push([
        '      ↳ ',
        strong(action.name),
        ' failed: ',
        action.errorMessage ?? 'no error message',
        ...(action.url !== undefined ? [' · ', link(action.url, 'logs')] : []),
      ]);
    }
  }
  const failed = p.stages.find((s) => s.status === 'Failed');
  const revision = p.revision;
  const context: Line[] = [];
  if (revision !== undefined) {
    const parts: Run[] = ['Revision ', code(revision.id.slice(0, 7))];
    if (revision.message !== undefined) parts.push(` ${revision.message.split('\n')[0]}`);
    if (revision.author !== undefined) parts.push(` — ${revision.author}`);
    context.push(parts);
  }
  if (p.url !== undefined) context.push(link(p.url, 'Open in the CodePipeline console'));
  const running = p.stages.find((s) => s.status === 'InProgress');
  const headline =
    failed !== undefined
      ? `${name} is failing at ${failed.name}.`
      : running !== undefined
        ? `${name} is running ${running.name}.`
        : `${name}: ${p.stages.at(-1)?.status ?? 'Unknown'}.`;
  // A retry targets the failed stage's own execution, not a newer one running elsewhere in the pipeline.
  const failedExecution = failed?.executionId ?? p.executionId;
  const offerRetry =
    failed !== undefined &&
    failedExecution !== undefined &&
    actor !== undefined &&
    (await retryRefusal(name, actor, ports)) === undefined;
  return {
    title: name,
    summary: headline,
    sections: [lines],
    ...(offerRetry && {
      buttons: [
        {
          label: `Retry ${failed.name}`,
          style: 'primary' as const,
          payload: {
            kind: 'retry-stage' as const,
            pipeline: name,
            stage: failed.name,
            executionId: failedExecution as string,
          },
        },
      ],
    }),
    context,
    visibility: 'channel',
  };
}
