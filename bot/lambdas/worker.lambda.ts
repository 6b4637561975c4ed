import type { EventBridgeEvent } from '../../intents/define-reaction';
import { readDeployedConfig } from '../deployed-config';
import { createDeps, type Deps } from '../deps';
import type { Job } from '../jobs';
import { readSettings } from '../settings';
import { handleWorkerInput } from '../worker/router';
import { withSlackSecrets } from './secrets';

/** Lambda entry point for the worker: jobs sent by the Slack function, and EventBridge events routed to it. */
const settings = readSettings();
const config = readDeployedConfig(settings);
let deps: Promise<Deps> | undefined;

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
  const remaining = context?.getRemainingTimeInMillis?.();
  await handleWorkerInput(
    input,
    (await deps).worker,
    remaining === undefined ? {} : { deadline: Date.now() + remaining },
  );
};
