import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AccountPipelines } from '../../integrations/aws/account-pipelines';
import { listenToCalls, type RecordedCall } from '../../integrations/aws/call-ledger';
import { type AwsAccount, AwsClients, assumeRoleCredentials } from '../../integrations/aws/clients';
import { CodePipelinePipelines } from '../../integrations/aws/codepipeline.adapter';
import { createMotoPipeline, describeMoto, fixMotoTimestamps, type Moto, startMoto } from '../support/moto';

const fixed = new WeakSet<object>();
/** moto's timestamps fixed once per client (the factory hands out the same client again). */
function fix<C extends object>(client: C): C {
  if (!fixed.has(client)) fixMotoTimestamps(client as unknown as Parameters<typeof fixMotoTimestamps>[0]);
  fixed.add(client);
  return client;
}

/**
 * The client factory against moto's STS over loopback: AssumeRole through the SDK's own provider
 * (fromTemporaryCredentials), and the assumed credentials used by the real adapters. moto gives an assumed role's
 * credentials the role's account, so what is created there is seen only through that account's clients.
 */
describeMoto('AWS clients per account and region, through STS AssumeRole on moto', () => {
  let moto: Moto;
  let clients: AwsClients;
  const home: AwsAccount = { name: 'tools', id: '123456789012' };
  const prod: AwsAccount = {
    name: 'prod',
    id: '222222222222',
    roleArn: 'arn:aws:iam::222222222222:role/opsbot',
    externalId: 'opsbot-example',
  };

  beforeAll(async () => {
    moto = await startMoto();
    clients = new AwsClients({
      defaults: { endpoint: moto.endpoint, maxAttempts: 1, credentials: moto.clientConfig.credentials },
      roleCredentials: assumeRoleCredentials({
        region: 'eu-west-1',
        endpoint: moto.endpoint,
        masterCredentials: moto.clientConfig.credentials,
      }),
    });
  });
  afterAll(async () => {
    await moto.stop();
  });

  it('assumes a role once for every client of its account, whatever the service or region, until it nears expiry', async () => {
    // Prepare: a fresh factory, and the STS calls it makes, as sent
    const fresh = new AwsClients({
      defaults: { endpoint: moto.endpoint, maxAttempts: 1, credentials: moto.clientConfig.credentials },
      roleCredentials: assumeRoleCredentials({
        region: 'eu-west-1',
        endpoint: moto.endpoint,
        masterCredentials: moto.clientConfig.credentials,
      }),
    });
    const assumed: RecordedCall[] = [];
    const stop = listenToCalls((call) => {
      if (call.operation === 'AssumeRole') assumed.push(call);
    });

    // Act: eight clients of the account, their credentials asked for together, then again
    const eight = ['eu-west-1', 'us-east-1', 'eu-central-1', 'ap-southeast-2'].flatMap((region) => [
      fresh.get(STSClient, prod, region),
      fresh.get(CodePipelineClient, prod, region),
    ]);
    const credentials = await Promise.all(
      eight.map((client) => (client.config.credentials as () => Promise<{ accessKeyId: string }>)()),
    );
    const again = fresh.get(CodePipelineClient, prod, 'us-east-1');
    await (again.config.credentials as () => Promise<unknown>)();
    stop();

    // Assess
    expect(assumed).toHaveLength(1);
    expect(assumed[0]?.input).toMatchObject({ RoleArn: prod.roleArn, ExternalId: 'opsbot-example' });
    expect(new Set(credentials.map((c) => c.accessKeyId)).size).toBe(1);
  });

  it('assumes the account’s role, and builds one client per service, account and region, reused', async () => {
    // Act
    const identity = await clients.get(STSClient, prod, 'eu-west-1').send(new GetCallerIdentityCommand({}));
    const again = clients.get(STSClient, prod, 'eu-west-1');
    const otherRegion = clients.get(STSClient, prod, 'us-east-1');
    const otherAccount = clients.get(STSClient, { ...home }, 'eu-west-1');

    // Assess
    expect(identity.Account).toBe('222222222222');
    expect(identity.Arn).toContain('assumed-role/opsbot/opsbot');
    expect(again).toBe(clients.get(STSClient, prod, 'eu-west-1'));
    expect(new Set([again, otherRegion, otherAccount]).size).toBe(3);
  });

  it('reads a pipeline in the second account through its own clients, while the home account keeps its own', async () => {
    // Prepare: a pipeline created in account 222222222222 with the assumed role's credentials
    const prodPipelines = clients.get(CodePipelineClient, prod, 'eu-west-1');
    fix(prodPipelines);
    await createMotoPipeline(prodPipelines, clients.get(IAMClient, prod, 'us-east-1'), 'prod-pipeline');
    const homeClient = clients.get(CodePipelineClient, home, 'eu-west-1');
    fix(homeClient);

    // Act
    const inProd = await new CodePipelinePipelines(prodPipelines, { region: 'eu-west-1' }).names();
    const inHome = await new CodePipelinePipelines(homeClient, { region: 'eu-west-1' }).names();

    // Assess
    expect(inProd).toEqual(['prod-pipeline']);
    expect(inHome).not.toContain('prod-pipeline');
  });

  it('says which account and role it cannot reach, and still serves the other accounts', async () => {
    // Prepare: a role whose assumption fails (STS refuses a malformed role name)
    const broken: AwsAccount = { name: 'legacy', id: '333333333333', roleArn: 'arn:aws:iam::333333333333:role/x' };
    const failing = new AwsClients({
      defaults: { endpoint: moto.endpoint, maxAttempts: 1 },
      roleCredentials: () => async () => {
        throw Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' });
      },
    });
    const pipelines = new AccountPipelines(
      [
        { name: 'legacy-pipeline', account: broken, region: 'eu-west-1' },
        { name: 'prod-pipeline', account: prod, region: 'eu-west-1' },
      ],
      (account, region, names) => {
        const source = account.id === broken.id ? failing : clients;
        const client = source.get(CodePipelineClient, account, region);
        fix(client);
        return new CodePipelinePipelines(client, { pipelines: names, region });
      },
    );

    // Act
    const overview = await pipelines.list().catch((error: Error) => error);
    const card = await pipelines
      .get('legacy-pipeline')
      .catch((error: { code?: string; userMessage?: string; hint?: string }) => error);

    // Assess
    expect(card).toMatchObject({
      code: 'ROLE_NOT_ASSUMABLE',
      userMessage:
        "opsbot can't assume the role arn:aws:iam::333333333333:role/x in account legacy (333333333333), so it can't reach that account.",
      hint: expect.stringContaining('trust policy must allow sts:AssumeRole'),
    });
    // moto has no ListPipelineExecutions: the prod pipeline's line comes back unreadable for that reason, not the role's.
    expect(Array.isArray(overview)).toBe(true);
    const legacy = (overview as Array<{ name: string; unavailable?: string }>).find(
      (p) => p.name === 'legacy-pipeline',
    );
    expect(legacy?.unavailable).toMatch(/can't assume the role arn:aws:iam::333333333333:role\/x/);
  });
});
