import { withCorrelation } from '../correlation';
import { readDeployedConfig } from '../deployed-config';
import type { HttpLambdaEvent, HttpLambdaResult } from '../edge/lambda-edge';
import { readSettings } from '../settings';
import { needsSecrets, refreshedWithSecrets, withSlackSecrets } from './secrets';

/** Lambda entry point for the Slack request URL (API Gateway HTTP API or a Function URL). */
const settings = readSettings();
const config = readDeployedConfig(settings);
type Handler = (event: HttpLambdaEvent, context: unknown) => Promise<HttpLambdaResult>;

// The secrets first, then Bolt, the edge and the listeners, and the worker hand-over's SDK client (a first command
// calls it before acknowledging): in the deployed bundle these are chunks of their own, read and compiled once the
// secrets' reads have started, so the requests go out and Secrets Manager answers between those compiles rather
// than after them (`npm run bench`, cold first ack with Secrets Manager away).
const ignore = () => undefined;
const build = async (fresh: boolean) => {
  let requested: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => {
    requested = resolve;
  });
  const secrets = withSlackSecrets(settings, { fresh, requested });
  await Promise.race([sent, secrets.then(ignore, ignore)]);
  if (settings.workerFunctionName !== undefined) void import('../../integrations/aws/lambda-client').catch(ignore);
  const [withSecrets, { createSlackEdgeHandler }] = await Promise.all([secrets, import('./slack-edge')]);
  return createSlackEdgeHandler(withSecrets, config);
};

// The call ledger (integrations/aws/call-ledger.ts) is left out of this entry on purpose: importing it here moves
// shared code ahead of the secrets' reads and costs the cold first ack about 15 ms (`npm run bench`). The edge's own
// calls are labelled by slackHandlerOver, in the edge's chunk.
// Built at init: the secrets read from Secrets Manager (or the environment) as the function starts rather than on
// its first request. Read again once they are older than their cache lifetime, so a rotated secret takes effect
// within it; secrets from the environment are never read again. A build that fails (a secret not set yet) is tried
// again on the next request.
const current = refreshedWithSecrets(build, needsSecrets(settings) ? {} : { maxAgeMs: Number.POSITIVE_INFINITY });
// Started now so the first request does not wait for it; a failure is answered by that request, not here.
current().catch(() => undefined);

// Every entry logged for a request carries its API Gateway request id until the Slack delivery id is known.
export const handler: Handler = (event, context) =>
  withCorrelation(requestIdOf(event), async () => (await current())(event, context));

function requestIdOf(event: HttpLambdaEvent): string | undefined {
  const context = event.requestContext as { requestId?: unknown } | undefined;
  return typeof context?.requestId === 'string' ? context.requestId : undefined;
}
