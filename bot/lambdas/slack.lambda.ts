import { readDeployedConfig } from '../deployed-config';
import type { HttpLambdaEvent, HttpLambdaResult } from '../edge/lambda-edge';
import { readSettings } from '../settings';
import { needsSecrets, withSlackSecrets } from './secrets';
import { createSlackHandler } from './slack-handler';

/** Lambda entry point for the Slack request URL (API Gateway HTTP API or a Function URL). */
const settings = readSettings();
const config = readDeployedConfig(settings);
type Handler = (event: HttpLambdaEvent, context: unknown) => Promise<HttpLambdaResult>;

// Built at init when the secrets are in the environment; on the first request when they are in Secrets Manager.
let ready: Promise<Handler> | undefined = needsSecrets(settings)
  ? undefined
  : Promise.resolve(createSlackHandler(settings, config).handler);

export const handler: Handler = async (event, context) => {
  ready ??= withSlackSecrets(settings)
    .then((s) => createSlackHandler(s, config).handler)
    .catch((error: unknown) => {
      // A failed start (a secret not set yet) is retried on the next request rather than remembered.
      ready = undefined;
      throw error;
    });
  return (await ready)(event, context);
};
