import { asCaller } from '../../integrations/aws/call-ledger';
import type { WatchResult } from '../../integrations/watcher.port';
import type { EventBridgeEvent } from '../../intents/define-reaction';
import { withCorrelation } from '../correlation';
import { readDeployedConfig } from '../deployed-config';
import { createDeps, type Deps } from '../deps';
import type { Job, WatchJob } from '../jobs';
import { readSettings } from '../settings';
import { correlationOf, handleWorkerInput } from '../worker/router';
import { needsSecrets, refreshedWithSecrets, withSlackSecrets } from './secrets';

/** Lambda entry point for the worker: jobs sent by the Slack function, and EventBridge events routed to it. */
const settings = readSettings();
const config = readDeployedConfig(settings);
// Built on first use; with the Slack secrets in Secrets Manager, built again once they are older than their cache
// lifetime, so a rotation takes effect.
const build = (fresh: boolean) =>
  asCaller('worker', async () => createDeps(await withSlackSecrets(settings, { fresh }), config));
const deps = needsSecrets(settings)
  ? refreshedWithSecrets<Deps>(build)
  : refreshedWithSecrets<Deps>(build, { maxAgeMs: Number.POSITIVE_INFINITY });

export const handler = async (
  input: Job | WatchJob | EventBridgeEvent,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<WatchResult | undefined> => {
  const remaining = context?.getRemainingTimeInMillis?.();
  return withCorrelation(correlationOf(input), async () =>
    handleWorkerInput(
      input,
      (await deps()).worker,
      remaining === undefined ? {} : { deadline: Date.now() + remaining },
    ),
  );
};
