import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { OpsbotError } from '../errors';
import { recordCalls, recordingPlugin } from './call-ledger';

/** An AWS account as opsbot reaches it: its name in configuration, its id, and the role to assume there, if any. */
export interface AwsAccount {
  readonly name: string;
  readonly id: string;
  /** None for opsbot's own account: its functions' own credentials are used. */
  readonly roleArn?: string;
  readonly externalId?: string;
}

/** The settings every SDK v3 client takes that opsbot sets. */
export interface ClientSettings {
  readonly region: string;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly maxAttempts?: number;
  readonly retryMode?: string;
  readonly endpoint?: string;
}

type ClientClass<C> = new (settings: ClientSettings) => C;

/** Builds the credentials for a role (`fromTemporaryCredentials`, in production); replaced in tests. */
export type RoleCredentials = (account: AwsAccount & { roleArn: string }) => AwsCredentialIdentityProvider;

/** How long an assumed role's session lasts; it is assumed again before it expires. */
const SESSION_SECONDS = 3600;
/** How long before its expiry an assumed role's credentials are replaced (the SDK's own clients refresh 5 min ahead). */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The one client factory: SDK v3 clients per (service, account, region), built on first use and kept for the life of
 * the Lambda container. In an account with a role, credentials come from STS AssumeRole (refreshed by the SDK before
 * they expire); a role that cannot be assumed is one clear answer naming the account and the role, and what its
 * trust policy must allow, while other accounts keep working. No adapter constructs a client.
 *
 * @example
 * const pipelines = new CodePipelinePipelines(clients.get(CodePipelineClient, prod, 'eu-west-1'));
 */
export class AwsClients {
  private readonly clients = new Map<string, unknown>();
  private readonly roles = new Map<string, AwsCredentialIdentityProvider>();

  constructor(
    private readonly options: {
      /**
       * Settings every client gets (retry mode, attempts; an endpoint and opsbot's own credentials in tests); an
       * account's role replaces the credentials.
       */
      readonly defaults?: Omit<ClientSettings, 'region' | 'credentials'> & {
        readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
      };
      readonly roleCredentials: RoleCredentials;
      /** Who opsbot is, for the trust-policy hint. */
      readonly principal?: string;
    },
  ) {}

  get<C>(Client: ClientClass<C>, account: AwsAccount, region: string): C {
    const key = `${Client.name}|${account.id}|${region}`;
    let client = this.clients.get(key) as C | undefined;
    if (client === undefined) {
      client = recordCalls(
        new Client({
          ...this.options.defaults,
          region,
          ...(account.roleArn !== undefined && {
            credentials: this.credentials({ ...account, roleArn: account.roleArn }),
          }),
        }),
        account.roleArn === undefined ? {} : { account: account.id, roleArn: account.roleArn },
      );
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * One credentials provider per role, shared by every client in that account, whatever the service or region; and
   * one assumption of the role, shared by all of them until it nears its expiry (each client would otherwise assume
   * the role itself: across 200 accounts and 4 regions, thousands of AssumeRole calls in a cold container, enough for
   * STS to throttle). Calls that ask together wait for the same assumption; a failed one is not kept.
   */
  private credentials(account: AwsAccount & { roleArn: string }): AwsCredentialIdentityProvider {
    let provider = this.roles.get(account.roleArn);
    if (provider === undefined) {
      const assume = this.options.roleCredentials(account);
      let assumed: Promise<AwsCredentialIdentity> | undefined;
      let expiresAt = 0;
      const fresh = () => {
        if (assumed === undefined || Date.now() >= expiresAt - REFRESH_BEFORE_EXPIRY_MS) {
          expiresAt = Number.POSITIVE_INFINITY;
          const attempt = assume().then(
            (credentials) => {
              expiresAt = credentials.expiration?.getTime() ?? Date.now() + SESSION_SECONDS * 1000;
              return credentials;
            },
            (error: unknown) => {
              if (assumed === attempt) assumed = undefined;
              throw error;
            },
          );
          assumed = attempt;
        }
        return assumed;
      };
      provider = async (): Promise<AwsCredentialIdentity> => {
        try {
          return await fresh();
        } catch (error) {
          throw new OpsbotError(
            'ROLE_NOT_ASSUMABLE',
            `opsbot can't assume the role ${account.roleArn} in account ${account.name} (${account.id}), so it can't reach that account.`,
            `The role's trust policy must allow sts:AssumeRole by ${this.options.principal ?? "opsbot's function roles"}${account.externalId !== undefined ? ' with the configured external id' : ''}: deploy OpsbotAccessStack to account ${account.id}, or fix accounts.${account.name} in opsbot.config.yaml.`,
            { cause: error },
          );
        }
      };
      this.roles.set(account.roleArn, provider);
    }
    return provider;
  }
}

/** STS AssumeRole through the SDK's own provider, as deployed. */
export function assumeRoleCredentials(
  options: {
    readonly region?: string;
    readonly endpoint?: string;
    /** The credentials that assume the role; by default the function's own. */
    readonly masterCredentials?: AwsCredentialIdentity;
  } = {},
): RoleCredentials {
  return (account) => {
    const { fromTemporaryCredentials } =
      require('@aws-sdk/credential-providers') as typeof import('@aws-sdk/credential-providers');
    return fromTemporaryCredentials({
      ...(options.masterCredentials !== undefined && { masterCredentials: options.masterCredentials }),
      params: {
        RoleArn: account.roleArn,
        RoleSessionName: 'opsbot',
        DurationSeconds: SESSION_SECONDS,
        ...(account.externalId !== undefined && { ExternalId: account.externalId }),
      },
      clientConfig: {
        ...(options.region !== undefined && { region: options.region }),
        ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
      },
      // STS's AssumeRole, as sent, for the tests' call ledger.
      clientPlugins: [recordingPlugin({ region: options.region ?? 'unknown' })],
    });
  };
}
