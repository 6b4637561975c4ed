import type { OpsbotConfig } from './config';

/*
 * Kept apart from the schema: the Lambda functions resolve accounts without loading zod or YAML at cold start.
 */

/** An account as opsbot reaches it: its configured name (or id), id, and the role to assume there, if any. */
export interface ResolvedAccount {
  readonly name: string;
  readonly id: string;
  readonly roleArn?: string;
  readonly externalId?: string;
}

/** Resolves an account reference (a name under `accounts`, or an id) to the account. */
export function resolveAccount(config: OpsbotConfig, ref: string): ResolvedAccount {
  const byName = config.accounts[ref];
  if (byName !== undefined) return { name: ref, ...byName };
  const byId = Object.entries(config.accounts).find(([, a]) => a.id === ref);
  if (byId !== undefined) return { name: byId[0], ...byId[1] };
  return { name: ref, id: ref };
}
