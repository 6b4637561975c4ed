import type { Actor, IntentPorts, Reply } from './define-intent';
import { ago, pipelineStatus, sections } from './format';

/** Pipelines that need attention first, then the rest by name. */
const RANK: Record<string, number> = { Failed: 0, Stopped: 1, Stopping: 1, InProgress: 2 };

/** All pipelines, one line each, failing first. */
export async function pipelinesOverview(ports: IntentPorts): Promise<Reply> {
  const now = ports.clock.now();
  const all = (await ports.pipelines.list()).sort(
    (a, b) => (RANK[a.status] ?? 3) - (RANK[b.status] ?? 3) || a.name.localeCompare(b.name),
  );
  if (all.length === 0) return { text: 'There are no pipelines in this account.', visibility: 'private' };
  const failing = all.filter((p) => p.status === 'Failed');
  const lines = all.map(
    (p) =>
      `${pipelineStatus(p.status)}  *${p.name}*${p.failingStage !== undefined ? ` — failing at *${p.failingStage}*` : ''} · last run ${ago(p.lastExecutionAt, now)}`,
  );
  const summary =
    failing.length === 0
      ? `All ${all.length} pipelines are green.`
      : `${failing.length} of ${all.length} pipelines failing: ${failing.map((p) => p.name).join(', ')}.`;
  return {
    title: 'Pipelines',
    text: summary,
    sections: [summary, ...sections(lines)],
    context: ['Ask “why is the <name> pipeline failing?” or run `/deploy pipelines <name>` for one pipeline.'],
    visibility: 'channel',
  };
}

/** The action id of the Retry button; its value is a {@link RetryRequest}. */
export const RETRY_ACTION = 'opsbot.retry';

export interface RetryRequest {
  readonly pipeline: string;
  readonly stage: string;
  readonly executionId: string;
}

/** One pipeline, stage by stage, with the failed action's error, a link to its logs, and Retry where allowed. */
export async function pipelineCard(name: string, ports: IntentPorts, actor?: Actor): Promise<Reply> {
  const now = ports.clock.now();
  const p = await ports.pipelines.get(name);
  const lines: string[] = [];
  for (const stage of p.stages) {
    lines.push(
      `${pipelineStatus(stage.status)}  *${stage.name}*${stage.lastChangedAt !== undefined ? ` · ${ago(stage.lastChangedAt, now)}` : ''}`,
    );
    for (const action of stage.actions) {
      if (action.status !== 'Failed') continue;
      lines.push(
        `      ↳ *${action.name}* failed: ${action.errorMessage ?? 'no error message'}${action.url !== undefined ? ` · <${action.url}|logs>` : ''}`,
      );
    }
  }
  const failed = p.stages.find((s) => s.status === 'Failed');
  const revision = p.revision;
  const context = [
    revision === undefined
      ? undefined
      : `Revision \`${revision.id.slice(0, 7)}\`${revision.message !== undefined ? ` ${revision.message.split('\n')[0]}` : ''}${revision.author !== undefined ? ` — ${revision.author}` : ''}`,
    p.url !== undefined ? `<${p.url}|Open in the CodePipeline console>` : undefined,
  ].filter((c): c is string => c !== undefined);
  const headline =
    failed !== undefined
      ? `${name} is failing at ${failed.name}.`
      : `${name}: ${p.stages.at(-1)?.status ?? 'Unknown'}.`;
  const retry: RetryRequest | undefined =
    failed !== undefined &&
    p.executionId !== undefined &&
    actor !== undefined &&
    ports.access.mayRetryPipeline(name, actor.userId)
      ? { pipeline: name, stage: failed.name, executionId: p.executionId }
      : undefined;
  return {
    title: name,
    text: headline,
    sections: sections(lines),
    ...(retry !== undefined && {
      actions: [
        { id: RETRY_ACTION, label: `Retry ${retry.stage}`, style: 'primary' as const, value: JSON.stringify(retry) },
      ],
    }),
    context,
    visibility: 'channel',
  };
}
