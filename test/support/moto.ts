import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { asCaller } from '../../integrations/aws/call-ledger';

/** The caller of the calls a test makes to prepare AWS (not opsbot's): the ledger check leaves them out. */
export const TEST_SETUP = 'test-setup';

/** Whether `moto_server` (the Python AWS emulator) is on this machine. */
export const hasMoto = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;

/** `describe` for tests that need moto: skipped with a visible notice where it is missing. */
export const describeMoto = (name: string, fn: () => void): void => {
  if (!hasMoto) process.stderr.write(`NOTICE: skipping "${name}": moto_server is not installed on this machine.\n`);
  (hasMoto ? describe : describe.skip)(name, fn);
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Moto {
  readonly endpoint: string;
  /** Client settings for the real SDK v3 over HTTP to moto. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

/** Starts `moto_server -H 127.0.0.1 -p PORT` and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('moto_server did not start within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** An ISO timestamp, with or without a zone (moto writes both; no zone means UTC), in epoch seconds. */
function toEpochSeconds(iso: string): number {
  const t = iso.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(t) ? t : `${t}Z`) / 1000;
}

/**
 * moto writes timestamps as ISO strings where AWS JSON protocols send epoch seconds, and SDK v3 rejects them
 * ("Expected real number"). This deserialize-step middleware rewrites them in the raw body before the SDK parses it.
 */
export function fixMotoTimestamps(client: { middlewareStack: { add: (...args: never[]) => void } }): void {
  const add = client.middlewareStack.add.bind(client.middlewareStack) as (
    middleware: unknown,
    options: unknown,
  ) => void;
  const iso = /"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"/g;
  add(
    (next: (args: unknown) => Promise<{ response: { body: unknown; headers?: Record<string, string> } }>) =>
      async (args: unknown) => {
        const result = await next(args);
        const body = result.response.body as AsyncIterable<Uint8Array> | undefined;
        // moto labels JSON responses text/html, so the body is checked rather than the Content-Type.
        if (
          body === undefined ||
          typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function'
        ) {
          return result;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(Buffer.from(chunk));
        const text = Buffer.concat(chunks)
          .toString('utf8')
          .replace(iso, (_, t: string) => String(toEpochSeconds(t)));
        const { Readable } = await import('node:stream');
        result.response.body = Readable.from([Buffer.from(text)]);
        return result;
      },
    { step: 'deserialize', priority: 'low', name: 'fixMotoTimestamps' },
  );
}

/**
 * Creates a two-stage pipeline (S3 source, CodeBuild) in moto, and the service role moto wants to exist before a
 * pipeline refers to it (once per IAM client's account).
 */
export async function createMotoPipeline(
  pipelines: import('@aws-sdk/client-codepipeline').CodePipelineClient,
  iam: import('@aws-sdk/client-iam').IAMClient,
  name: string,
): Promise<void> {
  // The test prepares AWS here: not opsbot's calls, whichever clients make them.
  return asCaller(TEST_SETUP, () => createPipeline(pipelines, iam, name));
}

async function createPipeline(
  pipelines: import('@aws-sdk/client-codepipeline').CodePipelineClient,
  iam: import('@aws-sdk/client-iam').IAMClient,
  name: string,
): Promise<void> {
  const { CreatePipelineCommand } = await import('@aws-sdk/client-codepipeline');
  const { CreateRoleCommand, GetRoleCommand } = await import('@aws-sdk/client-iam');
  const roleName = 'codepipeline-service';
  const existing = await iam.send(new GetRoleCommand({ RoleName: roleName })).catch(() => undefined);
  const role =
    existing ??
    (await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    ));
  await pipelines.send(
    new CreatePipelineCommand({
      pipeline: {
        name,
        roleArn: role.Role?.Arn,
        artifactStore: { type: 'S3', location: 'opsbot-artifacts' },
        stages: [
          {
            name: 'Source',
            actions: [
              {
                name: 'Source',
                actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
                configuration: { S3Bucket: 'src', S3ObjectKey: `${name}.zip` },
                outputArtifacts: [{ name: 'src' }],
              },
            ],
          },
          {
            name: 'Build',
            actions: [
              {
                name: 'Build',
                actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
                configuration: { ProjectName: `${name}-build` },
                inputArtifacts: [{ name: 'src' }],
              },
            ],
          },
        ],
      },
    }),
  );
}

/** The Store's table as opsbot's stack defines it (key `pk`, the `listing` index), for `CreateTable` on moto. */
export function storeTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' as const },
      { AttributeName: 'lc', AttributeType: 'S' as const },
      { AttributeName: 'lo', AttributeType: 'S' as const },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'listing',
        KeySchema: [
          { AttributeName: 'lc', KeyType: 'HASH' as const },
          { AttributeName: 'lo', KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
  };
}
