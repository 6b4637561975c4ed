import { defineReaction, type EventBridgeEvent, type PostedMessage, type ReactionPorts } from '../define-reaction';
import { code, link, type Reply, type Run, status, strong } from '../reply';

interface ActionFailure {
  readonly stage: string;
  readonly action: string;
  readonly summary?: string;
  readonly errorCode?: string;
  readonly url?: string;
}

interface Alert extends PostedMessage {
  readonly executionId: string;
}

const DAY = 24 * 60 * 60;
/**
 * How long an event is held while it is handled: longer than the worker may run (60 s), so a redelivery waits for
 * the first attempt; short enough that a redelivery after an attempt cut off by the timeout can take it over.
 */
const LEASE_SECONDS = 90;

export const PIPELINE_EVENT_TYPES = {
  execution: 'CodePipeline Pipeline Execution State Change',
  action: 'CodePipeline Action Execution State Change',
} as const;

/**
 * Pushes pipeline failures to the alerts channel, and their recovery to the failure's thread. EventBridge
 * delivers at least once, so every event is claimed first and a repeat changes nothing.
 */
export const pipelineFailure = defineReaction({
  name: 'PipelineFailure',
  description: 'Announce a failed pipeline execution in the alerts channel, and its recovery in that thread',
  events: [
    {
      source: 'aws.codepipeline',
      detailType: PIPELINE_EVENT_TYPES.execution,
      detail: { state: ['FAILED', 'SUCCEEDED'] },
      configured: { pipelineField: 'pipeline' },
      purpose: 'pipeline executions that failed or succeeded',
    },
    {
      source: 'aws.codepipeline',
      detailType: PIPELINE_EVENT_TYPES.action,
      detail: { state: ['FAILED'] },
      configured: { pipelineField: 'pipeline' },
      purpose: 'pipeline actions that failed (the error behind a failed execution)',
    },
  ],
  async handle(event, ports) {
    const d = (typeof event.detail === 'object' && event.detail !== null ? event.detail : {}) as Record<
      string,
      unknown
    >;
    const pipeline = text(d.pipeline);
    const executionId = text(d['execution-id']);
    const state = text(d.state);
    const claim = `eventbridge:${event.id}:${event['detail-type']}:${pipeline}:${executionId}:${state}:${text(d.stage)}:${text(d.action)}`;
    if (!(await ports.claims.claim(claim, LEASE_SECONDS))) {
      ports.log.info('pipeline.event_duplicate_dropped', { id: event.id, pipeline, state });
      return;
    }
    try {
      await handleClaimed(event, d, { pipeline, executionId, state }, ports);
      await ports.claims.settle(claim, DAY);
    } catch (error) {
      // Not done: release the claim, so a redelivery can do it.
      await ports.claims.release(claim);
      throw error;
    }
  },
});

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

async function handleClaimed(
  event: EventBridgeEvent,
  d: Record<string, unknown>,
  { pipeline, executionId, state }: { pipeline: string; executionId: string; state: string },
  ports: ReactionPorts,
): Promise<void> {
  if (event['detail-type'] === PIPELINE_EVENT_TYPES.action) {
    if (state !== 'FAILED') return;
    const result = (
      typeof d['execution-result'] === 'object' && d['execution-result'] !== null ? d['execution-result'] : {}
    ) as Record<string, unknown>;
    const failure: ActionFailure = {
      stage: text(d.stage) || '?',
      action: text(d.action) || '?',
      ...(text(result['external-execution-summary']) !== '' && { summary: text(result['external-execution-summary']) }),
      ...(text(result['error-code']) !== '' && { errorCode: text(result['error-code']) }),
      ...(text(result['external-execution-url']) !== '' && { url: text(result['external-execution-url']) }),
    };
    await ports.store.put(`pipeline-action-failure:${pipeline}:${executionId}`, failure, DAY);
    return;
  }

  if (state === 'FAILED') {
    const failure =
      (await ports.store.get<ActionFailure>(`pipeline-action-failure:${pipeline}:${executionId}`)) ??
      (await failureFromState(pipeline, ports));
    const posted = await ports.announcer.post(
      { channel: 'alerts' },
      failureReply(pipeline, executionId, failure, event),
      { key: `pipeline-failure:${pipeline}:${executionId}` },
    );
    if (posted === undefined) return;
    const alert: Alert = { ...posted, executionId };
    await ports.store.put(`pipeline-alert:${pipeline}`, alert, 30 * DAY);
    ports.log.info('pipeline.failure_posted', { pipeline, executionId });
    return;
  }
  if (state === 'SUCCEEDED') {
    const alert = await ports.store.get<Alert>(`pipeline-alert:${pipeline}`);
    if (alert === undefined) return;
    await ports.announcer.post(
      { thread: { channel: alert.channel, ts: alert.ts } },
      {
        summary: `${pipeline} recovered: execution ${short(executionId)} succeeded.`,
        sections: [
          [[status('ok'), ' ', strong(pipeline), ' recovered: execution ', code(short(executionId)), ' succeeded.']],
        ],
        visibility: 'channel',
      },
      { key: `pipeline-recovery:${pipeline}:${executionId}` },
    );
    await ports.store.delete(`pipeline-alert:${pipeline}`);
    ports.log.info('pipeline.recovery_posted', { pipeline, executionId });
  }
}

/** When the action's own event did not arrive (or arrived late), the pipeline's state names the failure. */
async function failureFromState(pipeline: string, ports: ReactionPorts): Promise<ActionFailure | undefined> {
  try {
    const detail = await ports.pipelines.get(pipeline);
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
    ports.log.warn('pipeline.state_unavailable', { pipeline, error: (error as Error).name });
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
  const headline: Run[] =
    failure === undefined
      ? [status('failed'), ' ', strong(pipeline), ' failed.']
      : [
          status('failed'),
          ' ',
          strong(pipeline),
          ' failed at ',
          strong(failure.stage),
          ' › ',
          strong(failure.action),
          ': ',
          error,
          ...(failure.errorCode !== undefined ? [' (', code(failure.errorCode), ')'] : []),
        ];
  return {
    title: `${pipeline} failed`,
    summary: `${pipeline} failed${where}: ${error}`,
    sections: [[headline, ...(failure?.url !== undefined ? [link(failure.url, 'Open the action’s details')] : [])]],
    context: [
      [
        'Execution ',
        code(short(executionId)),
        ` · account ${event.account} · ${event.region} · ask “why is the ${pipeline} pipeline failing?”`,
      ],
    ],
    visibility: 'channel',
  };
}

function short(id: string): string {
  return id.slice(0, 8);
}
