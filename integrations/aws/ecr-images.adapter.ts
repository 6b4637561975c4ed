import { createHash } from 'node:crypto';
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  type ECRClient,
  GetDownloadUrlForLayerCommand,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import { OpsbotError, unknownTarget } from '../errors';
import type { Images, ImageVersion } from '../images.port';
import { awsError, retryRead } from './aws-calls';
import type { AwsAccount } from './clients';
import { ecrRepositoryName, parseImage } from './task-definition';

/** Where a service's images are, per environment: the repository, configured or read from what runs. */
export interface ImageTarget {
  readonly service: string;
  readonly environment: string;
  readonly account: AwsAccount;
  readonly region: string;
  /** The repository's URI when configured. */
  readonly repositoryUri?: string;
}

/** The manifest types opsbot reads: OCI and Docker, single images and indexes (several platforms). */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
/** An image's configuration is a few KiB; anything past this is not read. */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** How long the configuration's download may take. */
const CONFIG_READ_MS = 3_000;
/** Labels kept by digest (an image's never change), at most this many. */
const LABELS_KEPT = 500;

/** Pages of DescribeImages read for the newest tags: enough for a busy repository's recent releases. */
const MAX_PAGES = 10;

/**
 * Images in Amazon ECR (`ecr:DescribeImages`): whether a tag or digest exists before anything is confirmed, and the
 * newest tags to offer. The repository is the configured one, or the one the service's container runs from (read
 * through `currentImage`); each target through its own account's and region's client.
 */
export class EcrImages implements Images {
  /** Labels by repository and digest: an image's configuration never changes. */
  private readonly labelsKept = new Map<string, Readonly<Record<string, string>>>();

  constructor(
    private readonly targets: readonly ImageTarget[],
    /** The ECR client for a target, in the repository's region (a repository may live in another region). */
    private readonly client: (target: ImageTarget, region: string) => ECRClient,
    private readonly currentImage: (service: string, environment: string) => Promise<string>,
    /** Plain http to 127.0.0.1 for image configurations: a test's stand-in of ECR's download addresses only. */
    private readonly options: { readonly loopbackHttp?: boolean } = {},
  ) {}

  async repository(service: string, environment: string): Promise<string> {
    const target = this.target(service, environment);
    if (target.repositoryUri !== undefined) return target.repositoryUri;
    return parseImage(await this.currentImage(service, environment)).repositoryUri;
  }

  async find(service: string, environment: string, version: string): Promise<ImageVersion | undefined> {
    const { target, name, registryId, region } = await this.place(service, environment);
    try {
      const found = await retryRead(() =>
        this.client(target, region).send(
          new DescribeImagesCommand({
            repositoryName: name,
            registryId,
            imageIds: [version.startsWith('sha256:') ? { imageDigest: version } : { imageTag: version }],
          }),
        ),
      );
      const image = found.imageDetails?.[0];
      if (image?.imageDigest === undefined) return undefined;
      return {
        ...(version.startsWith('sha256:') ? {} : { tag: version }),
        digest: image.imageDigest,
        pushedAt: image.imagePushedAt?.getTime() ?? 0,
      };
    } catch (error) {
      if (awsError(error)?.name === 'ImageNotFoundException') return undefined;
      throw translate(error, target, name);
    }
  }

  async newest(service: string, environment: string, limit: number): Promise<ImageVersion[]> {
    const { target, name, registryId, region } = await this.place(service, environment);
    const images: ImageDetail[] = [];
    let nextToken: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await retryRead(() =>
          this.client(target, region).send(
            new DescribeImagesCommand({
              repositoryName: name,
              registryId,
              filter: { tagStatus: 'TAGGED' },
              maxResults: 1000,
              ...(nextToken !== undefined && { nextToken }),
            }),
          ),
        );
        images.push(...(result.imageDetails ?? []));
        nextToken = result.nextToken;
        if (nextToken === undefined) break;
      }
    } catch (error) {
      throw translate(error, target, name);
    }
    return images
      .flatMap((image) =>
        (image.imageTags ?? []).map((tag) => ({
          tag,
          digest: image.imageDigest as string,
          pushedAt: image.imagePushedAt?.getTime() ?? 0,
        })),
      )
      .sort((a, b) => b.pushedAt - a.pushedAt || (b.tag < a.tag ? -1 : 1))
      .slice(0, limit);
  }

  /**
   * The image's labels, from its configuration: `BatchGetImage` for its manifest (an index's linux/amd64 image, or
   * its first), then `GetDownloadUrlForLayer` for the configuration blob, read from the address ECR gives and checked
   * against its digest. An image ECR does not have, or whose configuration is gone, has none.
   */
  async labels(service: string, environment: string, digest: string): Promise<Readonly<Record<string, string>>> {
    const { target, name, registryId, region } = await this.place(service, environment);
    const key = `${registryId}/${region}/${name}@${digest}`;
    const kept = this.labelsKept.get(key);
    if (kept !== undefined) return kept;
    const client = this.client(target, region);
    const manifestOf = async (imageDigest: string) => {
      const found = await retryRead(() =>
        client.send(
          new BatchGetImageCommand({
            repositoryName: name,
            registryId,
            imageIds: [{ imageDigest }],
            acceptedMediaTypes: MANIFEST_TYPES,
          }),
        ),
      );
      const text = found.images?.[0]?.imageManifest;
      return text === undefined ? undefined : (JSON.parse(text) as Manifest);
    };
    let labels: Readonly<Record<string, string>>;
    let step = 'ecr:BatchGetImage';
    try {
      let manifest = await manifestOf(digest);
      const platform = manifest !== undefined ? platformImage(manifest) : undefined;
      if (platform !== undefined) manifest = await manifestOf(platform);
      const config = manifest?.config?.digest;
      // No manifest (BatchGetImage's `failures`: not there yet, not replicated yet) or no configuration: none now,
      // and asked again next time.
      if (config === undefined || !/^sha256:[0-9a-f]{64}$/.test(config)) return {};
      step = 'ecr:GetDownloadUrlForLayer';
      const url = await retryRead(() =>
        client.send(new GetDownloadUrlForLayerCommand({ repositoryName: name, registryId, layerDigest: config })),
      );
      if (url.downloadUrl === undefined) return {};
      labels = labelsOf(await readBlob(url.downloadUrl, config, this.options.loopbackHttp === true));
    } catch (error) {
      const e = awsError(error);
      if (
        e?.name === 'ImageNotFoundException' ||
        e?.name === 'LayersNotFoundException' ||
        e?.name === 'LayerInaccessibleException'
      )
        return {};
      throw translate(error, target, name, step);
    }
    if (this.labelsKept.size >= LABELS_KEPT) this.labelsKept.delete(this.labelsKept.keys().next().value as string);
    this.labelsKept.set(key, labels);
    return labels;
  }

  private target(service: string, environment: string): ImageTarget {
    const target = this.targets.find((t) => t.service === service && t.environment === environment);
    if (target === undefined) {
      throw unknownTarget(service, environment);
    }
    return target;
  }

  /** The repository's name and registry (account) in ECR. */
  private async place(service: string, environment: string) {
    const target = this.target(service, environment);
    const uri = await this.repository(service, environment);
    const name = ecrRepositoryName(uri);
    if (name === undefined) {
      throw new OpsbotError(
        'NOT_ECR',
        `${service} in ${environment} runs images from ${uri}, which is not an Amazon ECR repository, so I can't check versions there.`,
        `Set \`repository\` under services.${service}.environments.${environment} to its ECR repository.`,
      );
    }
    const region = /\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/.exec(uri)?.[1] ?? target.region;
    return { target, name, registryId: uri.split('.')[0] as string, region };
  }
}

/** The parts of an image manifest or index opsbot reads. */
interface Manifest {
  readonly mediaType?: string;
  readonly config?: { readonly digest?: string };
  readonly manifests?: ReadonlyArray<{
    readonly digest?: string;
    readonly platform?: { readonly os?: string; readonly architecture?: string };
  }>;
}

/** For an index, the image to read: linux/amd64's, or the first with a platform that is not `unknown` (attestations). */
function platformImage(manifest: Manifest): string | undefined {
  if (!Array.isArray(manifest.manifests)) return undefined;
  const images = manifest.manifests.filter(
    (m) => typeof m.digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(m.digest) && m.platform?.os !== 'unknown',
  );
  return (images.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? images[0])?.digest;
}

/** Reads an image's configuration from the address ECR gave, at most 1 MiB and 3 s, and checks its digest. */
async function readBlob(url: string, digest: string, loopbackHttp: boolean): Promise<unknown> {
  const address = new URL(url);
  // ECR's addresses are https; plain http only to this machine, and only where a test asks for it.
  const loopback = loopbackHttp && address.protocol === 'http:' && address.hostname === '127.0.0.1';
  if (address.protocol !== 'https:' && !loopback) throw new Error('unexpected configuration address');
  // A pre-signed address does not redirect: one that does is not followed past the check above.
  const response = await fetch(address, { signal: AbortSignal.timeout(CONFIG_READ_MS), redirect: 'error' });
  if (!response.ok) throw new Error(`configuration read failed: ${response.status}`);
  if (Number(response.headers.get('content-length') ?? 0) > MAX_CONFIG_BYTES)
    throw new Error('configuration too large');
  // Read as it arrives, and given up past the cap, whatever the length said.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).length;
    if (size > MAX_CONFIG_BYTES) throw new Error('configuration too large');
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  const body = Buffer.concat(chunks);
  if (`sha256:${createHash('sha256').update(body).digest('hex')}` !== digest)
    throw new Error('configuration does not match its digest');
  return JSON.parse(body.toString('utf8')) as unknown;
}

/** `config.Labels` of an image configuration (OCI and Docker alike), strings only. */
function labelsOf(configuration: unknown): Record<string, string> {
  const labels = (configuration as { config?: { Labels?: unknown } } | null)?.config?.Labels;
  if (labels === null || typeof labels !== 'object') return {};
  return Object.fromEntries(
    Object.entries(labels as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].length <= 2048,
    ),
  );
}

function translate(error: unknown, target: ImageTarget, repository: string, action = 'ecr:DescribeImages'): unknown {
  const e = awsError(error);
  if (e === undefined) return error;
  if (e.name === 'RepositoryNotFoundException') {
    return new OpsbotError(
      'REPOSITORY_NOT_FOUND',
      `There is no ECR repository ${repository} for ${target.service} in ${target.environment} (account ${target.account.name}, ${target.region}).`,
      `Check \`repository\` under services.${target.service}.environments.${target.environment}.`,
      { cause: error },
    );
  }
  if (e.name === 'AccessDeniedException' || e.status === 403) {
    return new OpsbotError(
      'ACCESS_DENIED',
      `opsbot is not allowed to call ${action} on ${repository} (account ${target.account.name}, ${target.region}).`,
      `Ask whoever runs opsbot to allow ${action} on that repository for opsbot's role (and, for a repository in another account, in the repository's policy).`,
      { cause: error },
    );
  }
  return error;
}
