import { ConfigError, type Settings } from '../settings';

/** How long a secret read from Secrets Manager is reused before it is read again (rotation takes effect). */
export const SECRET_MAX_AGE_SECONDS = 300;

/**
 * What a Lambda handler is built from the secrets: built when first asked for, and built again once the secrets are
 * older than their cache lifetime, so a rotated signing secret or bot token takes effect within five minutes
 * without a redeploy. A build that fails (a secret not set yet) is tried again on the next request rather than remembered.
 */
export function refreshedWithSecrets<H>(
  build: (refresh: boolean) => Promise<H>,
  options: { readonly maxAgeMs?: number; readonly now?: () => number } = {},
): () => Promise<H> {
  const maxAge = options.maxAgeMs ?? SECRET_MAX_AGE_SECONDS * 1000;
  const now = options.now ?? Date.now;
  let current: { readonly handler: Promise<H>; readonly builtAt: number } | undefined;
  let working: Promise<H> | undefined;
  return () => {
    if (current === undefined || now() - current.builtAt > maxAge) {
      // After a refresh that failed, the next one is a refresh too: read afresh, and fall back on failure.
      const refresh = current !== undefined || working !== undefined;
      const handler = build(refresh);
      const built = { handler, builtAt: now() };
      current = built;
      handler.then(
        () => {
          working = handler;
        },
        () => {
          if (current === built) current = undefined;
        },
      );
      // A refresh that fails (Secrets Manager throttled) keeps the handler that works.
      if (refresh && working !== undefined) {
        const fallback = working;
        return handler.catch(() => fallback);
      }
    }
    return current.handler;
  };
}

/** True when the Slack secrets live in Secrets Manager (as deployed) rather than in the environment. */
export function needsSecrets(settings: Settings): boolean {
  return settings.signingSecretArn !== undefined || settings.botTokenArn !== undefined;
}

/**
 * How long one read of a secret may take, and how many tries: Secrets Manager answers in tens of milliseconds, and
 * Slack gives up on an acknowledgement after 3 s, so a read that hangs (a connection cut while Lambda froze the
 * function after starting it at init) is abandoned and tried once more rather than waited on until the timeout.
 */
export const SECRET_READ = { timeoutMs: 1_000, attempts: 2 } as const;

let provider: Promise<import('@aws-lambda-powertools/parameters/secrets').SecretsProvider> | undefined;

/**
 * Reads the Slack signing secret and bot token from Secrets Manager through Powertools Parameters (cached for
 * five minutes), with {@link SECRET_READ}'s limits. The slack function starts this at init, and loads the rest of
 * its code once `requested` says the reads have started. Values are never logged.
 * @throws {ConfigError} when a secret is empty, saying how to set it.
 */
export async function withSlackSecrets(
  settings: Settings,
  options: {
    readonly fresh?: boolean;
    /**
     * Called once both reads have started (handed to the SDK, which builds, signs and sends them as the event loop
     * lets it), long before Secrets Manager answers; not called when no read is needed.
     */
    readonly requested?: () => void;
  } = {},
): Promise<Settings> {
  if (!needsSecrets(settings)) return settings;
  provider ??= Promise.all([
    import('@aws-lambda-powertools/parameters/secrets'),
    import('../../integrations/aws/secrets-client'),
  ]).then(
    ([{ SecretsProvider }, { secretsClient }]) => new SecretsProvider({ awsSdkV3Client: secretsClient(SECRET_READ) }),
    (error: unknown) => {
      provider = undefined;
      throw error;
    },
  );
  const secrets = await provider;
  const read = async (arn: string | undefined, what: string): Promise<string | undefined> => {
    if (arn === undefined) return undefined;
    // A rebuild reads the secret afresh: Powertools' own cache would otherwise hand back the rotated-out value.
    const value = await secrets.get(arn, {
      maxAge: SECRET_MAX_AGE_SECONDS,
      ...(options.fresh === true && { forceFetch: true }),
    });
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ConfigError('Secrets Manager', [
        `${what} (${arn}) has no value: set it with \`aws secretsmanager put-secret-value --secret-id ${arn} --secret-string …\``,
      ]);
    }
    return value.trim();
  };
  const reads = Promise.all([
    read(settings.signingSecretArn, 'the Slack signing secret'),
    read(settings.botTokenArn, 'the Slack bot token'),
  ]);
  options.requested?.();
  const [signingSecret, botToken] = await reads;
  return {
    ...settings,
    ...(signingSecret !== undefined && { signingSecret, signingSecretIsDefault: false }),
    ...(botToken !== undefined && { botToken, botTokenIsDefault: false }),
  };
}
