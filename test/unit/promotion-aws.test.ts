/**
 * What changes between two images, read from AWS: CodePipeline's executions, their revisions and branch
 * (`CodePipelinePipelines.executions / execution / branch`), and an image's labels from ECR (`EcrImages.labels`).
 * Every mocked response starts from a published AWS / OCI example in test/events/aws-published (see PROVENANCE.md),
 * changed only where a test needs it (and the comment says how).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  CodePipelineClient,
  CodePipelineServiceException,
  GetPipelineExecutionCommand,
  type GetPipelineExecutionCommandOutput,
  ListActionExecutionsCommand,
  type ListActionExecutionsCommandOutput,
  ListPipelineExecutionsCommand,
  type ListPipelineExecutionsCommandOutput,
  PipelineExecutionNotFoundException,
} from '@aws-sdk/client-codepipeline';
import {
  BatchGetImageCommand,
  type BatchGetImageCommandOutput,
  ECRClient,
  ECRServiceException,
  GetDownloadUrlForLayerCommand,
  type GetDownloadUrlForLayerCommandOutput,
  ImageNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { CodePipelinePipelines } from '../../integrations/aws/codepipeline.adapter';
import { EcrImages, type ImageTarget } from '../../integrations/aws/ecr-images.adapter';
import { isOpsbotError } from '../../integrations/errors';
import { asSdkOutput } from '../support/sdk-output';

const PUBLISHED = resolve(__dirname, '..', 'events', 'aws-published');
/** A published example's text, byte for byte. */
const publishedText = (file: string): string => readFileSync(resolve(PUBLISHED, file), 'utf8');
/** A published example, parsed (a fresh copy each time, so a test may change it). */
const published = <T = Record<string, unknown>>(file: string): T => JSON.parse(publishedText(file)) as T;

const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const noWait = { sleep: async () => undefined, random: () => 0.5 };

// ---------------------------------------------------------------------------------------------------------------
// CodePipeline
// ---------------------------------------------------------------------------------------------------------------

interface WireSummary {
  pipelineExecutionId: string;
  sourceRevisions?: Array<Record<string, string>>;
  [key: string]: unknown;
}

/** The awslabs mock's three executions: GitHub through a connection, CodeCommit, S3 (newest first). */
const awslabsExecutions = (): WireSummary[] =>
  published<{ pipelineExecutionSummaries: WireSummary[] }>(
    'codepipeline-ListPipelineExecutions-response.awslabs-backstage-mock.json',
  ).pipelineExecutionSummaries;

const GITHUB_COMMIT = 'da7add70427515f20f736525be1b92bf23ff6b6f';
const GITHUB_URL =
  'https://us-west-2.console.aws.amazon.com/codesuite/settings/connections/redirect?connectionArn=arn:aws:codestar-connections:us-west-2:1234567890:connection/4dde5c82-51d6-4ea9-918e-03aed6972ff3&referenceType=COMMIT&FullRepositoryId=aws/dummy-repository&Commit=da7add70427515f20f736525be1b92bf23ff6b6f';
const CODECOMMIT_COMMIT = 'bf8606e49a5ec67d31c24665e921d0cc2d52d71a';
const CODECOMMIT_URL =
  'https://console.aws.amazon.com/codecommit/home?region=us-west-2#/repository/dummy/commit/bf8606e49a5ec67d31c24665e921d0cc2d52d71a';

function pipelines() {
  const codepipeline = mockClient(CodePipelineClient);
  const adapter = new CodePipelinePipelines(new CodePipelineClient({ region: 'us-west-2' }), noWait);
  return { codepipeline, adapter };
}

afterEach(() => {
  mockClient(CodePipelineClient).restore();
  mockClient(ECRClient).restore();
});

describe('CodePipeline executions, revisions and branch (published shapes)', () => {
  it('pages through ListPipelineExecutions up to the limit and maps each source revision, newest first', async () => {
    // Prepare: the awslabs mock's executions split over two pages (awslabs-backstage-mock.json), a third page behind
    const [github, codecommit, s3] = awslabsExecutions();
    const { codepipeline, adapter } = pipelines();
    codepipeline
      .on(ListPipelineExecutionsCommand, { nextToken: undefined })
      .resolves(
        asSdkOutput<ListPipelineExecutionsCommandOutput>({
          pipelineExecutionSummaries: [github, codecommit],
          nextToken: 'page-2',
        }),
      )
      .on(ListPipelineExecutionsCommand, { nextToken: 'page-2' })
      .resolves(
        asSdkOutput<ListPipelineExecutionsCommandOutput>({ pipelineExecutionSummaries: [s3], nextToken: 'page-3' }),
      )
      .on(ListPipelineExecutionsCommand, { nextToken: 'page-3' })
      .rejects(new Error('read past the limit'));

    // Act
    const executions = await adapter.executions('web-pipeline', 3);

    // Assess
    expect(executions).toEqual([
      {
        id: 'e6c91a02-d844-4663-ad62-b719608f8fc5',
        status: 'InProgress',
        startedAt: Date.parse('2022-05-03T00:51:35.229Z'),
        revisions: [
          {
            id: GITHUB_COMMIT,
            action: 'Checkout',
            message: 'Updated some files',
            url: GITHUB_URL,
            repository: 'https://github.com/aws/dummy-repository',
          },
        ],
      },
      {
        id: '17baba6f-22f6-4f6d-8d37-96321a35f77e',
        status: 'Failed',
        startedAt: Date.parse('2022-04-15T17:45:51.244Z'),
        revisions: [
          {
            id: CODECOMMIT_COMMIT,
            action: 'SourceAction',
            message: 'Initial commit by AWS CodeCommit',
            url: CODECOMMIT_URL,
          },
        ],
      },
      {
        id: '17baba6f-22f6-4f6d-8d37-96321a35f77e',
        status: 'Succeeded',
        startedAt: Date.parse('2022-04-15T17:45:51.244Z'),
        revisions: [
          {
            id: 'CXkyGc4T_6.0ZrS3vwWYfF1NHHYqGtmh',
            action: 'Source',
            message: 'Amazon S3 version id: CXkyGc4T_6.0ZrS3vwWYfF1NHHYqGtmh',
          },
        ],
      },
    ]);
    // The CodeCommit revision is plain text: no author, no repository address.
    expect(executions[1]?.revisions[0]).not.toHaveProperty('repository');
    expect(executions[1]?.revisions[0]).not.toHaveProperty('author');
    expect(codepipeline.commandCalls(ListPipelineExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { pipelineName: 'web-pipeline', maxResults: 3 },
      { pipelineName: 'web-pipeline', maxResults: 1, nextToken: 'page-2' },
    ]);
  });

  it('asks for at most 100 executions a page, and stops when CodePipeline has no more', async () => {
    // Prepare: the AWS CLI example (ListPipelineExecutions-response.json), one page, no nextToken
    const { codepipeline, adapter } = pipelines();
    codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves(
        asSdkOutput<ListPipelineExecutionsCommandOutput>(
          published('codepipeline-ListPipelineExecutions-response.json'),
        ),
      );

    // Act
    const executions = await adapter.executions('MyFirstPipeline', 250);

    // Assess: as CodePipeline lists them (epoch-second start times), no revisions in this example
    expect(executions.map((e) => [e.id, e.status, e.startedAt, e.revisions])).toEqual([
      ['7cf7f7cb-3137-539g-j458-d7eu3EXAMPLE', 'Succeeded', 1496380258243, []],
      ['3137f7cb-8d494hj4-039j-d84l-d7eu3EXAMPLE', 'Succeeded', 1496590401222, []],
      ['4992f7jf-7cf7-913k-k334-d7eu3EXAMPLE', 'Succeeded', 1496945471564, []],
    ]);
    expect(codepipeline.commandCalls(ListPipelineExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { pipelineName: 'MyFirstPipeline', maxResults: 100 },
    ]);
  });

  it('reads a connection commit’s first line and its author when the summary names one', async () => {
    // Prepare: the awslabs GitHub execution, its summary changed to a multi-line message with an author
    const [github] = awslabsExecutions();
    const revision = github?.sourceRevisions?.[0] as Record<string, string>;
    revision.revisionSummary = JSON.stringify({
      ProviderType: 'GitHub',
      CommitMessage: 'Fix the checkout total\n\nRounding was off by a cent.',
      AuthorDisplayName: 'Alyssa P. Hacker',
    });
    const { codepipeline, adapter } = pipelines();
    codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves(asSdkOutput<ListPipelineExecutionsCommandOutput>({ pipelineExecutionSummaries: [github] }));

    // Act
    const [execution] = await adapter.executions('web-pipeline', 10);

    // Assess
    expect(execution?.revisions).toEqual([
      {
        id: GITHUB_COMMIT,
        action: 'Checkout',
        message: 'Fix the checkout total',
        author: 'Alyssa P. Hacker',
        url: GITHUB_URL,
        repository: 'https://github.com/aws/dummy-repository',
      },
    ]);
  });

  it('maps one execution’s artifact revisions (GetPipelineExecution)', async () => {
    // Prepare: the user guide's two GetPipelineExecution examples (plain, and GitHub OAuth with a revisionUrl)
    const { codepipeline, adapter } = pipelines();
    codepipeline
      .on(GetPipelineExecutionCommand, { pipelineName: 'MyFirstPipeline' })
      .resolves(
        asSdkOutput<GetPipelineExecutionCommandOutput>(published('codepipeline-GetPipelineExecution-response.json')),
      )
      .on(GetPipelineExecutionCommand, { pipelineName: 'MyApp' })
      .resolves(
        asSdkOutput<GetPipelineExecutionCommandOutput>(
          published('codepipeline-GetPipelineExecution-response.github-oauth-source.json'),
        ),
      );

    // Act
    const plain = await adapter.execution('MyFirstPipeline', '3137f7cb-7cf7-039j-s83l-d7eu3EXAMPLE');
    const github = await adapter.execution('MyApp', '3137f7cb-7cf7-039j-s83l-d7eu3EXAMPLE');

    // Assess
    expect(plain).toEqual({
      id: '3137f7cb-7cf7-039j-s83l-d7eu3EXAMPLE',
      status: 'Succeeded',
      revisions: [{ id: '7636d59f3c461cEXAMPLE8417dbc6371', message: 'Updating the application for feature 12-4820' }],
    });
    // A GitHub (OAuth) source is not a connection: its link is kept, but no repository address is made up.
    expect(github?.revisions).toEqual([
      {
        id: '7636d59f3c461cEXAMPLE8417dbc6371',
        message: 'Updating the application for feature 12-4820',
        url: 'https://api.github.com/repos/anycompany/MyApp/git/commits/7636d59f3c461cEXAMPLE8417dbc6371',
      },
    ]);
    expect(codepipeline.commandCalls(GetPipelineExecutionCommand)[0]?.args[0].input).toEqual({
      pipelineName: 'MyFirstPipeline',
      pipelineExecutionId: '3137f7cb-7cf7-039j-s83l-d7eu3EXAMPLE',
    });
  });

  it('answers nothing for an execution CodePipeline does not have, and names the action it was refused', async () => {
    // Prepare
    const { codepipeline, adapter } = pipelines();
    codepipeline
      .on(GetPipelineExecutionCommand, { pipelineExecutionId: 'gone' })
      .rejects(new PipelineExecutionNotFoundException({ message: 'Pipeline execution not found', $metadata: {} }))
      .on(GetPipelineExecutionCommand, { pipelineExecutionId: 'secret' })
      .rejects(
        new CodePipelineServiceException({
          name: 'AccessDeniedException',
          $fault: 'client',
          message: 'not authorized to perform: codepipeline:GetPipelineExecution',
          $metadata: { httpStatusCode: 400 },
        }),
      );

    // Act
    const missing = await adapter.execution('MyFirstPipeline', 'gone');
    const refused = await adapter.execution('MyFirstPipeline', 'secret').catch((e: unknown) => e);

    // Assess
    expect(missing).toBeUndefined();
    expect(isOpsbotError(refused) && refused.code).toBe('ACCESS_DENIED');
    expect(isOpsbotError(refused) && refused.userMessage).toBe(
      'opsbot is not allowed to call codepipeline:GetPipelineExecution on MyFirstPipeline.',
    );
  });

  it('reads the branch from the Source action’s BranchName output, for that execution only', async () => {
    // Prepare: the AWS CLI ListActionExecutions example (a Deploy action, then a CodeCommit Source on `production`)
    const { codepipeline, adapter } = pipelines();
    codepipeline
      .on(ListActionExecutionsCommand)
      .resolves(
        asSdkOutput<ListActionExecutionsCommandOutput>(published('codepipeline-ListActionExecutions-response.json')),
      );

    // Act
    const branch = await adapter.branch('myPipeline', 'EXAMPLE0-adfc-488e-bf4c-1111111720d3');

    // Assess
    expect(branch).toBe('production');
    expect(codepipeline.commandCalls(ListActionExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      {
        pipelineName: 'myPipeline',
        filter: { pipelineExecutionId: 'EXAMPLE0-adfc-488e-bf4c-1111111720d3' },
        maxResults: 100,
      },
    ]);
  });

  it('has no branch when no Source action reports one (another action’s BranchName does not count)', async () => {
    // Prepare: the same example, the Source's BranchName output removed and one put on the Deploy action instead
    type Details = { actionExecutionDetails: Array<{ output: { outputVariables: Record<string, string> } }> };
    const response = published<Details>('codepipeline-ListActionExecutions-response.json');
    const [deploy, source] = response.actionExecutionDetails;
    (deploy as Details['actionExecutionDetails'][number]).output.outputVariables = { BranchName: 'not-a-source' };
    delete (source as Details['actionExecutionDetails'][number]).output.outputVariables.BranchName;
    const { codepipeline, adapter } = pipelines();
    codepipeline.on(ListActionExecutionsCommand).resolves(asSdkOutput<ListActionExecutionsCommandOutput>(response));

    // Act
    const branch = await adapter.branch('myPipeline', 'EXAMPLE0-adfc-488e-bf4c-1111111720d3');

    // Assess
    expect(branch).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// ECR labels
// ---------------------------------------------------------------------------------------------------------------

/** ECR's stand-in download address: blobs served by path from this machine, each read counted. */
let server: Server;
let base = '';
const blobs = new Map<string, Buffer>();
const reads: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '';
    reads.push(path);
    const blob = blobs.get(path);
    if (blob === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blob);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
});

beforeEach(() => {
  blobs.clear();
  reads.length = 0;
});

const TARGET: ImageTarget = {
  service: 'web',
  environment: 'prod',
  account: { name: 'prod', id: '222222222222' },
  region: 'eu-west-1',
  repositoryUri: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/web',
};

/** The OCI image-spec's example configuration (oci-image-config.json), byte for byte, and its digest. */
const CONFIG = readFileSync(resolve(PUBLISHED, 'oci-image-config.json'));
const CONFIG_DIGEST = sha256(CONFIG);
const CONFIG_LABELS = {
  'com.example.project.git.url': 'https://example.com/project.git',
  'com.example.project.git.commit': '45a939b2999782a3f005621a8d0f29aa387e1d6b',
};

/** The AWS CLI BatchGetImage example's image digest and its manifest's (published) config digest. */
const IMAGE_DIGEST = 'sha256:4a1c6567c38904384ebc64e35b7eeddd8451110c299e3368d2210066487d97e5';
const PUBLISHED_CONFIG_DIGEST = 'sha256:6171c7451a50945f8ddd72f7732cc04d7a0d1f48138a426b2e64387fdeb834ed';
/** The OCI index's (and Docker manifest list's) linux/amd64 and linux/ppc64le entries. */
const AMD64 = 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270';
const PPC64LE = 'sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f';

/**
 * ecr-BatchGetImage-response.json, its manifest's config digest replaced by `configDigest` (the rest of the
 * manifest string as published).
 */
function batchGetImage(configDigest = CONFIG_DIGEST): BatchGetImageCommandOutput {
  const response = published<{ images: Array<{ imageManifest: string }> }>('ecr-BatchGetImage-response.json');
  const image = response.images[0] as { imageManifest: string };
  expect(image.imageManifest).toContain(PUBLISHED_CONFIG_DIGEST);
  image.imageManifest = image.imageManifest.replace(PUBLISHED_CONFIG_DIGEST, configDigest);
  return asSdkOutput<BatchGetImageCommandOutput>(response);
}

/** A BatchGetImage response (the same CLI example) carrying another published document as its manifest. */
function batchGetImageOf(digest: string, manifest: string): BatchGetImageCommandOutput {
  const response = published<{ images: Array<Record<string, unknown>> }>('ecr-BatchGetImage-response.json');
  response.images[0] = {
    ...response.images[0],
    imageId: { imageDigest: digest },
    imageManifest: manifest,
  };
  return asSdkOutput<BatchGetImageCommandOutput>(response);
}

/**
 * ecr-GetDownloadUrlForLayer-response.json, its pre-signed S3 address replaced by the loopback server's (serving
 * `blob` there) and its layerDigest by the one asked for.
 */
function downloadUrl(layerDigest: string, blob: Buffer = CONFIG): GetDownloadUrlForLayerCommandOutput {
  const response = published<{ downloadUrl: string; layerDigest: string }>('ecr-GetDownloadUrlForLayer-response.json');
  const path = `/${layerDigest.replace(':', '-')}?${new URL(response.downloadUrl).search.slice(1)}`;
  blobs.set(path, blob);
  return asSdkOutput<GetDownloadUrlForLayerCommandOutput>({
    downloadUrl: `${base}${path}`,
    layerDigest,
  });
}

function images(target: ImageTarget = TARGET, loopbackHttp = true) {
  const ecr = mockClient(ECRClient);
  const clients: Array<[string, string]> = [];
  const adapter = new EcrImages(
    [target],
    (t, region) => {
      clients.push([t.account.id, region]);
      return new ECRClient({ region });
    },
    async () => {
      throw new Error('the configured repository is used');
    },
    // The configuration is served over plain http on loopback here; in production only https is read.
    { loopbackHttp },
  );
  return { ecr, adapter, clients };
}

describe('image labels from ECR (published manifests, a loopback config blob)', () => {
  it('reads configurations only over https where no test asks otherwise', async () => {
    // Prepare: the adapter as production builds it, and an address over plain http
    const { ecr, adapter } = images(TARGET, false);
    ecr.on(BatchGetImageCommand).resolves(batchGetImage());
    ecr.on(GetDownloadUrlForLayerCommand).resolves(downloadUrl(CONFIG_DIGEST));

    // Act
    const read = await adapter.labels('web', 'prod', IMAGE_DIGEST).catch((error: unknown) => error);

    // Assess
    expect(String(read)).toContain('unexpected configuration address');
    expect(reads).toEqual([]);
  });

  it('reads a single image’s labels from its configuration, checked against the manifest’s config digest', async () => {
    // Prepare
    const { ecr, adapter } = images();
    ecr.on(BatchGetImageCommand).resolves(batchGetImage());
    ecr.on(GetDownloadUrlForLayerCommand).resolves(downloadUrl(CONFIG_DIGEST));

    // Act
    const labels = await adapter.labels('web', 'prod', IMAGE_DIGEST);

    // Assess
    expect(labels).toEqual(CONFIG_LABELS);
    const [get] = ecr.commandCalls(BatchGetImageCommand);
    expect(get?.args[0].input).toEqual({
      repositoryName: 'web',
      registryId: '222222222222',
      imageIds: [{ imageDigest: IMAGE_DIGEST }],
      acceptedMediaTypes: expect.arrayContaining([
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.docker.distribution.manifest.v2+json',
      ]),
    });
    expect(ecr.commandCalls(GetDownloadUrlForLayerCommand).map((c) => c.args[0].input)).toEqual([
      { repositoryName: 'web', registryId: '222222222222', layerDigest: CONFIG_DIGEST },
    ]);
    expect(reads).toHaveLength(1);
  });

  it.each([
    ['an OCI image index', 'oci-image-index.json'],
    ['a Docker manifest list', 'docker-manifest-list-v2-2.json'],
  ])('reads the linux/amd64 image of %s', async (_kind, file) => {
    // Prepare: the index as published; its amd64 entry answered with the OCI example manifest (oci-image-manifest.json),
    // whose config digest is replaced by the served configuration's
    const index = publishedText(file);
    const indexDigest = sha256(index);
    const manifest = publishedText('oci-image-manifest.json').replace(
      'sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7',
      CONFIG_DIGEST,
    );
    const { ecr, adapter } = images();
    ecr
      .on(BatchGetImageCommand, { imageIds: [{ imageDigest: indexDigest }] })
      .resolves(batchGetImageOf(indexDigest, index))
      .on(BatchGetImageCommand, { imageIds: [{ imageDigest: AMD64 }] })
      .resolves(batchGetImageOf(AMD64, manifest))
      .on(BatchGetImageCommand, { imageIds: [{ imageDigest: PPC64LE }] })
      .rejects(new Error('read the ppc64le image'));
    ecr.on(GetDownloadUrlForLayerCommand).resolves(downloadUrl(CONFIG_DIGEST));

    // Act
    const labels = await adapter.labels('web', 'prod', indexDigest);

    // Assess
    expect(labels).toEqual(CONFIG_LABELS);
    expect(ecr.commandCalls(BatchGetImageCommand).map((c) => c.args[0].input.imageIds)).toEqual([
      [{ imageDigest: indexDigest }],
      [{ imageDigest: AMD64 }],
    ]);
    expect(ecr.commandCalls(GetDownloadUrlForLayerCommand)[0]?.args[0].input.layerDigest).toBe(CONFIG_DIGEST);
  });

  it('trusts no labels from a configuration whose digest is not the manifest’s, and reads it again next time', async () => {
    // Prepare: the address serves a configuration whose labels were changed after the manifest named its digest
    const tampered = Buffer.from(
      CONFIG.toString('utf8').replace(
        '45a939b2999782a3f005621a8d0f29aa387e1d6b',
        'ffffffffffffffffffffffffffffffffffffffff',
      ),
    );
    const { ecr, adapter } = images();
    ecr.on(BatchGetImageCommand).resolves(batchGetImage());
    ecr
      .on(GetDownloadUrlForLayerCommand)
      .resolvesOnce(downloadUrl(CONFIG_DIGEST, tampered))
      .resolves(
        asSdkOutput<GetDownloadUrlForLayerCommandOutput>({
          downloadUrl: `${base}/genuine`,
          layerDigest: CONFIG_DIGEST,
        }),
      );
    blobs.set('/genuine', CONFIG);

    // Act
    const failed = await adapter.labels('web', 'prod', IMAGE_DIGEST).catch((e: unknown) => e);
    const later = await adapter.labels('web', 'prod', IMAGE_DIGEST);

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toBe('configuration does not match its digest');
    expect(later).toEqual(CONFIG_LABELS);
    expect(ecr.commandCalls(BatchGetImageCommand)).toHaveLength(2);
  });

  it('has no labels for an image ECR does not have', async () => {
    // Prepare: thrown, and as BatchGetImage reports it (a failure in an otherwise empty response)
    const { ecr, adapter } = images();
    const gone = `sha256:${'0'.repeat(64)}`;
    const unknown = `sha256:${'1'.repeat(64)}`;
    ecr
      .on(BatchGetImageCommand, { imageIds: [{ imageDigest: gone }] })
      .rejects(new ImageNotFoundException({ message: 'The image requested does not exist', $metadata: {} }))
      .on(BatchGetImageCommand, { imageIds: [{ imageDigest: unknown }] })
      .resolves({
        images: [],
        failures: [
          {
            imageId: { imageDigest: unknown },
            failureCode: 'ImageNotFound',
            failureReason: 'Requested image not found',
          },
        ],
      });

    // Act
    const fromException = await adapter.labels('web', 'prod', gone);
    const fromFailure = await adapter.labels('web', 'prod', unknown);

    // Assess
    expect(fromException).toEqual({});
    expect(fromFailure).toEqual({});
    expect(ecr.commandCalls(GetDownloadUrlForLayerCommand)).toHaveLength(0);
    expect(reads).toHaveLength(0);
  });

  it('names the ECR action that was refused', async () => {
    // Prepare
    const denied = (action: string) =>
      new ECRServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: `User: arn:aws:sts::222222222222:assumed-role/opsbot-worker/x is not authorized to perform: ${action}`,
        $metadata: { httpStatusCode: 400 },
      });
    const refusedLayer = `sha256:${'2'.repeat(64)}`;
    const { ecr, adapter } = images();
    ecr
      .on(BatchGetImageCommand, { imageIds: [{ imageDigest: IMAGE_DIGEST }] })
      .resolves(batchGetImage())
      .on(BatchGetImageCommand, { imageIds: [{ imageDigest: refusedLayer }] })
      .rejects(denied('ecr:BatchGetImage'));
    ecr.on(GetDownloadUrlForLayerCommand).rejects(denied('ecr:GetDownloadUrlForLayer'));

    // Act
    const layer = await adapter.labels('web', 'prod', IMAGE_DIGEST).catch((e: unknown) => e);
    const manifest = await adapter.labels('web', 'prod', refusedLayer).catch((e: unknown) => e);

    // Assess
    expect(isOpsbotError(layer) && layer.code).toBe('ACCESS_DENIED');
    expect(isOpsbotError(layer) && layer.userMessage).toBe(
      'opsbot is not allowed to call ecr:GetDownloadUrlForLayer on web (account prod, eu-west-1).',
    );
    expect(isOpsbotError(manifest) && manifest.code).toBe('ACCESS_DENIED');
    expect(isOpsbotError(manifest) && manifest.userMessage).toBe(
      'opsbot is not allowed to call ecr:BatchGetImage on web (account prod, eu-west-1).',
    );
  });

  it('reads a repository in another account from that registry, and keeps the labels it read', async () => {
    // Prepare
    const { ecr, adapter, clients } = images({
      ...TARGET,
      repositoryUri: '333333333333.dkr.ecr.eu-west-1.amazonaws.com/shared/web',
    });
    ecr.on(BatchGetImageCommand).resolves(batchGetImage());
    ecr.on(GetDownloadUrlForLayerCommand).resolves(downloadUrl(CONFIG_DIGEST));

    // Act
    const first = await adapter.labels('web', 'prod', IMAGE_DIGEST);
    const callsAfterFirst = ecr.calls().length;
    const second = await adapter.labels('web', 'prod', IMAGE_DIGEST);

    // Assess
    expect(first).toEqual(CONFIG_LABELS);
    expect(second).toEqual(CONFIG_LABELS);
    expect(callsAfterFirst).toBe(2);
    expect(ecr.calls()).toHaveLength(2);
    expect(reads).toHaveLength(1);
    for (const call of ecr.calls()) {
      expect(call.args[0].input).toEqual(
        expect.objectContaining({ registryId: '333333333333', repositoryName: 'shared/web' }),
      );
    }
    // Through the target's (account 222222222222) client, in the repository's region.
    expect(clients).toEqual([['222222222222', 'eu-west-1']]);
  });
});
