import type { Chat } from '../../integrations/chat.port';
import type { Pipelines } from '../../integrations/pipelines.port';
import type { Store } from '../../integrations/store.port';
import type { Reply } from '../../intents/define-intent';
import type { Job } from '../jobs';
import type { Log } from '../logger';
import { renderReply } from '../views/reply.view';
import { runJob, type WorkerDeps } from './dispatcher';

/** An EventBridge event, as delivered to a Lambda target. */
export interface EventBridgeEvent<D = Record<string, unknown>> {
  readonly version?: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources?: readonly string[];
  readonly detail: D;
}

export function isEventBridgeEvent(value: unknown): value is EventBridgeEvent {
  return (
    typeof value === 'object' && value !== null && 'detail-type' in value && 'source' in value && 'detail' in value
  );
}

interface ActionFailure {
  readonly stage: string;
  readonly action: string;
  readonly summary?: string;
  readonly errorCode?: string;
  readonly url?: string;
}

interface Alert {
  readonly channel: string;
  readonly ts: string;
  readonly executionId: string;
}

export interface PipelineEventDeps {
  readonly store: Store;
  readonly chat: Chat;
  readonly pipelines: Pipelines;
  readonly log: Log;
  /** Where failures are announced (`slack.channels.alerts`). */
  readonly alertsChannel?: string;
}

const DAY = 24 * 60 * 60;
export const PIPELINE_EVENT_TYPES = {
  execution: 'CodePipeline Pipeline Execution State Change',
  action: 'CodePipeline Action Execution State Change',
} as const;

/**
 * Pushes pipeline failures to the alerts channel, and their recovery to the failure's thread. EventBridge
 * delivers at least once, so every event is claimed in the Store first and a repeat changes nothing.
 */
export async function handlePipelineEvent(event: EventBridgeEvent, deps: PipelineEventDeps): Promise<void> {
  if (event.source !== 'aws.codepipeline') return;
  const d = event.detail as Record<string, unknown>;
  const pipeline = String(d.pipeline ?? '');
  const executionId = String(d['execution-id'] ?? '');
  const state = String(d.state ?? '');
  const claim = `eventbridge:${event.id}:${event['detail-type']}:${pipeline}:${executionId}:${state}:${String(d.stage ?? '')}:${String(d.action ?? '')}`;
  if (!(await deps.store.putIfAbsent(claim, 1, DAY))) {
    deps.log.info('pipeline.event_duplicate_dropped', { id: event.id, pipeline, state });
    return;
  }
  try {
    await handleClaimed(event, d, { pipeline, executionId, state }, deps);
  } catch (error) {
    // Not done: release the claim, so a redelivery can do it.
    await deps.store.delete(claim);
    throw error;
  }
}

async function handleClaimed(
  event: EventBridgeEvent,
  d: Record<string, unknown>,
  { pipeline, executionId, state }: { pipeline: string; executionId: string; state: string },
  deps: PipelineEventDeps,
): Promise<void> {
  if (event['detail-type'] === PIPELINE_EVENT_TYPES.action && state === 'FAILED') {
    const result = (d['execution-result'] ?? {}) as Record<string, string | undefined>;
    const failure: ActionFailure = {
      stage: String(d.stage ?? '?'),
      action: String(d.action ?? '?'),
      ...(result['external-execution-summary'] !== undefined && { summary: result['external-execution-summary'] }),
      ...(result['error-code'] !== undefined && { errorCode: result['error-code'] }),
      ...(result['external-execution-url'] !== undefined && { url: result['external-execution-url'] }),
    };
    await deps.store.put(`pipeline-action-failure:${pipeline}:${executionId}`, failure, DAY);
    return;
  }
  if (event['detail-type'] !== PIPELINE_EVENT_TYPES.execution) return;
  if (deps.alertsChannel === undefined) {
    deps.log.warn('pipeline.no_alerts_channel', {
      pipeline,
      state,
      hint: 'set slack.channels.alerts in opsbot.config.yaml',
    });
    return;
  }

  if (state === 'FAILED') {
    const failure =
      (await deps.store.get<ActionFailure>(`pipeline-action-failure:${pipeline}:${executionId}`)) ??
      (await failureFromState(pipeline, deps));
    const reply = failureReply(pipeline, executionId, failure, event);
    const ts = await deps.chat.post({ channel: deps.alertsChannel }, renderReply(reply));
    const alert: Alert = { channel: deps.alertsChannel, ts, executionId };
    await deps.store.put(`pipeline-alert:${pipeline}`, alert, 30 * DAY);
    deps.log.info('pipeline.failure_posted', { pipeline, executionId });
    return;
  }
  if (state === 'SUCCEEDED') {
    const alert = await deps.store.get<Alert>(`pipeline-alert:${pipeline}`);
    if (alert === undefined) return;
    await deps.chat.post(
      { channel: alert.channel, threadTs: alert.ts },
      renderReply({
        text: `${pipeline} recovered: execution ${short(executionId)} succeeded.`,
        sections: [`:large_green_circle: *${pipeline}* recovered: execution \`${short(executionId)}\` succeeded.`],
      }),
    );
    await deps.store.delete(`pipeline-alert:${pipeline}`);
    deps.log.info('pipeline.recovery_posted', { pipeline, executionId });
  }
}

/** When the action's own event did not arrive (or arrived late), the pipeline's state names the failure. */
async function failureFromState(pipeline: string, deps: PipelineEventDeps): Promise<ActionFailure | undefined> {
  try {
    const detail = await deps.pipelines.get(pipeline);
    for (const stage of detail.stages) {
      const action = stage.actions.find((a) => a.status === 'Failed');
      if (action !== undefined) {
        return {
          stage: stage.name,
          action: action.name,
          ...(action.errorMessage !== undefined && { summary: action.errorMessage }),
          ...(action.url !== undefined && { url: action.url }),
        };
      }
    }
  } catch (error) {
    deps.log.warn('pipeline.state_unavailable', { pipeline, error: (error as Error).name });
  }
  return undefined;
}

function failureReply(
  pipeline: string,
  executionId: string,
  failure: ActionFailure | undefined,
  event: EventBridgeEvent,
): Reply {
  const where = failure === undefined ? '' : ` at ${failure.stage} › ${failure.action}`;
  const error = failure?.summary ?? 'no error message was reported';
  const lines = [
    failure === undefined
      ? `:red_circle: *${pipeline}* failed.`
      : `:red_circle: *${pipeline}* failed at *${failure.stage}* › *${failure.action}*: ${error}${failure.errorCode !== undefined ? ` (\`${failure.errorCode}\`)` : ''}`,
  ];
  if (failure?.url !== undefined) lines.push(`<${failure.url}|Open the action’s details>`);
  return {
    title: `${pipeline} failed`,
    text: `${pipeline} failed${where}: ${error}`,
    sections: [lines.join('\n')],
    context: [
      `Execution \`${short(executionId)}\` · account ${event.account} · ${event.region} · ask “why is the ${pipeline} pipeline failing?”`,
    ],
  };
}

function short(id: string): string {
  return id.slice(0, 8);
}

/** Everything the worker function receives: jobs from the Slack function, and EventBridge events. */
export async function handleWorkerInput(
  input: Job | EventBridgeEvent,
  worker: WorkerDeps,
  options: { readonly deadline?: number } = {},
): Promise<void> {
  if (isEventBridgeEvent(input)) {
    await handlePipelineEvent(input, { ...worker, pipelines: worker.ports.pipelines });
    return;
  }
  await runJob(input, worker, options);
}
