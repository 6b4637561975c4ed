import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { recordCalls } from './call-ledger';
import { callLimits } from './call-limits';

/**
 * The Secrets Manager client the Slack secrets are read with (through Powertools Parameters), with `limits` on each
 * read. Loaded through a dynamic import of this module, so the slack function reads it only when it needs it.
 */
export function secretsClient(limits: { readonly timeoutMs: number; readonly attempts: number }): SecretsManagerClient {
  return recordCalls(new SecretsManagerClient(callLimits(limits)));
}
