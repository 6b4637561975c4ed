import { readDeployedConfig } from '../deployed-config';
import type { HttpLambdaEvent, HttpLambdaResult } from '../edge/lambda-edge';
import { withCorrelation } from '../logger';
import { readSettings } from '../settings';
import { needsSecrets, refreshedWithSecrets, withSlackSecrets } from './secrets';
import { createSlackHandler } from './slack-handler';

/** Lambda entry point for the Slack request URL (API Gateway HTTP API or a Function URL). */
const settings = readSettings();
const config = readDeployedConfig(settings);
type Handler = (event: HttpLambdaEvent, context: unknown) => Promise<HttpLambdaResult>;

// Built at init when the secrets are in the environment; from Secrets Manager on first use, and again once they
// are older than their cache lifetime (a rotated secret takes effect within it).
const current = needsSecrets(settings)
  ? refreshedWithSecrets(
      async (fresh) => createSlackHandler(await withSlackSecrets(settings, { fresh }), config).handler,
    )
  : () => Promise.resolve(createSlackHandler(settings, config).handler);
const fixed = needsSecrets(settings) ? undefined : current();

// Every entry logged for a request carries its API Gateway request id until the Slack delivery id is known.
export const handler: Handler = (event, context) =>
  withCorrelation(requestIdOf(event), async () => (await (fixed ?? current()))(event, context));

function requestIdOf(event: HttpLambdaEvent): string | undefined {
  const context = event.requestContext as { requestId?: unknown } | undefined;
  return typeof context?.requestId === 'string' ? context.requestId : undefined;
}
