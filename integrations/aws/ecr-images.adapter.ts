import { DescribeImagesCommand, type ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
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

/** Pages of DescribeImages read for the newest tags: enough for a busy repository's recent releases. */
const MAX_PAGES = 10;

/**
 * Images in Amazon ECR (`ecr:DescribeImages`): whether a tag or digest exists before anything is confirmed, and the
 * newest tags to offer. The repository is the configured one, or the one the service's container runs from (read
 * through `currentImage`); each target through its own account's and region's client.
 */
export class EcrImages implements Images {
  constructor(
    private readonly targets: readonly ImageTarget[],
    /** The ECR client for a target, in the repository's region (a repository may live in another region). */
    private readonly client: (target: ImageTarget, region: string) => ECRClient,
    private readonly currentImage: (service: string, environment: string) => Promise<string>,
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

function translate(error: unknown, target: ImageTarget, repository: string): unknown {
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
      `opsbot is not allowed to call ecr:DescribeImages on ${repository} (account ${target.account.name}, ${target.region}).`,
      "Ask whoever runs opsbot to allow ecr:DescribeImages on that repository for opsbot's role.",
      { cause: error },
    );
  }
  return error;
}
