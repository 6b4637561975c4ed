import { readDeployedConfig } from '../deployed-config';
import { createDeps, type Deps } from '../deps';
import type { Job } from '../jobs';
import { readSettings } from '../settings';
import { runJob } from '../worker/dispatcher';
import { type EventBridgeEvent, handlePipelineEvent, isEventBridgeEvent } from '../worker/pipeline-events';
import { withSlackSecrets } from './secrets';

/** Lambda entry point for the worker: jobs sent by the Slack function's async invokes. */
const settings = readSettings();
const config = readDeployedConfig(settings);
let deps: Promise<Deps> | undefined;

/** Jobs from the Slack function, and EventBridge events (pipeline state changes) routed to the worker. */
export const handler = async (
  input: Job | EventBridgeEvent,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<void> => {
  deps ??= withSlackSecrets(settings)
    .then((s) => createDeps(s, config))
    .catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
  const { worker } = await deps;
  if (isEventBridgeEvent(input)) {
    await handlePipelineEvent(input, { ...worker, pipelines: worker.ports.pipelines });
    return;
  }
  const remaining = context?.getRemainingTimeInMillis?.();
  await runJob(input, worker, remaining === undefined ? {} : { deadline: Date.now() + remaining });
};
