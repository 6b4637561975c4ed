import { ConfigError, type Settings } from '../settings';

/** How long a secret read from Secrets Manager is reused before it is read again (rotation takes effect). */
const SECRET_MAX_AGE_SECONDS = 300;

/** True when the Slack secrets live in Secrets Manager (as deployed) rather than in the environment. */
export function needsSecrets(settings: Settings): boolean {
  return settings.signingSecretArn !== undefined || settings.botTokenArn !== undefined;
}

/**
 * Reads the Slack signing secret and bot token from Secrets Manager through Powertools Parameters (cached for
 * five minutes). Loaded on first use, so the SDK is not part of cold init. Values are never logged.
 * @throws {ConfigError} when a secret is empty, saying how to set it.
 */
export async function withSlackSecrets(settings: Settings): Promise<Settings> {
  if (!needsSecrets(settings)) return settings;
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const read = async (arn: string | undefined, what: string): Promise<string | undefined> => {
    if (arn === undefined) return undefined;
    const value = await getSecret(arn, { maxAge: SECRET_MAX_AGE_SECONDS });
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
