import { ConfigError, type Settings } from '../settings';

/** How long a secret read from Secrets Manager is reused before it is read again (rotation takes effect). */
export const SECRET_MAX_AGE_SECONDS = 300;

/**
 * What a Lambda handler is built from the secrets: built on first use, and built again once the secrets are older
 * than their cache lifetime, so a rotated signing secret or bot token takes effect within five minutes without a
 * redeploy. A build that fails (a secret not set yet) is tried again on the next request rather than remembered.
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
      const refresh = current !== undefined;
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
 * Reads the Slack signing secret and bot token from Secrets Manager through Powertools Parameters (cached for
 * five minutes). Loaded on first use, so the SDK is not part of cold init. Values are never logged.
 * @throws {ConfigError} when a secret is empty, saying how to set it.
 */
export async function withSlackSecrets(
  settings: Settings,
  options: { readonly fresh?: boolean } = {},
): Promise<Settings> {
  if (!needsSecrets(settings)) return settings;
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const read = async (arn: string | undefined, what: string): Promise<string | undefined> => {
    if (arn === undefined) return undefined;
    // A rebuild reads the secret afresh: Powertools' own cache would otherwise hand back the rotated-out value.
    const value = await getSecret(arn, {
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
  const [signingSecret, botToken] = await Promise.all([
    read(settings.signingSecretArn, 'the Slack signing secret'),
    read(settings.botTokenArn, 'the Slack bot token'),
  ]);
  return {
    ...settings,
    ...(signingSecret !== undefined && { signingSecret, signingSecretIsDefault: false }),
    ...(botToken !== undefined && { botToken, botTokenIsDefault: false }),
  };
}
