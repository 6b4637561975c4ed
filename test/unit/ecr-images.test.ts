import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { EcrImages, type ImageTarget } from '../../integrations/aws/ecr-images.adapter';
import { isOpsbotError } from '../../integrations/errors';

const TARGET: ImageTarget = {
  service: 'web',
  environment: 'prod',
  account: { name: 'prod', id: '222222222222' },
  region: 'eu-west-1',
};
const RUNNING = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/web:v1.8.1';

function setup(target: ImageTarget = TARGET, running = RUNNING) {
  const ecr = mockClient(ECRClient);
  const images = new EcrImages(
    [target],
    () => new ECRClient({ region: 'eu-west-1' }),
    async () => running,
  );
  return { ecr, images };
}

afterEach(() => mockClient(ECRClient).restore());

describe('images in Amazon ECR (aws-sdk-client-mock)', () => {
  it('finds a tag in the repository the service runs from, in that repository’s registry', async () => {
    // Prepare
    const { ecr, images } = setup();
    ecr.on(DescribeImagesCommand).resolves({
      imageDetails: [
        { imageDigest: 'sha256:abc', imageTags: ['v1.8.2'], imagePushedAt: new Date('2026-11-20T08:00:00Z') },
      ],
    });

    // Act
    const found = await images.find('web', 'prod', 'v1.8.2');

    // Assess
    expect(found).toEqual({ tag: 'v1.8.2', digest: 'sha256:abc', pushedAt: Date.parse('2026-11-20T08:00:00Z') });
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      repositoryName: 'team/web',
      registryId: '111111111111',
      imageIds: [{ imageTag: 'v1.8.2' }],
    });
  });

  it('looks a digest up by digest, and answers nothing for what ECR does not hold', async () => {
    // Prepare
    const { ecr, images } = setup();
    ecr
      .on(DescribeImagesCommand, { imageIds: [{ imageDigest: `sha256:${'a'.repeat(64)}` }] })
      .resolves({ imageDetails: [{ imageDigest: `sha256:${'a'.repeat(64)}`, imagePushedAt: new Date(0) }] });
    ecr
      .on(DescribeImagesCommand, { imageIds: [{ imageTag: 'v9.9.9' }] })
      .rejects(Object.assign(new Error('not found'), { name: 'ImageNotFoundException' }));

    // Act
    const byDigest = await images.find('web', 'prod', `sha256:${'a'.repeat(64)}`);
    const missing = await images.find('web', 'prod', 'v9.9.9');

    // Assess
    expect(byDigest).toEqual({ digest: `sha256:${'a'.repeat(64)}`, pushedAt: 0 });
    expect(missing).toBeUndefined();
  });

  it('reads every page of tagged images for the newest tags, one entry per tag, newest first', async () => {
    // Prepare
    const { ecr, images } = setup({ ...TARGET, repositoryUri: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/web' });
    ecr
      .on(DescribeImagesCommand, { nextToken: undefined })
      .resolves({
        imageDetails: [
          { imageDigest: 'sha256:1', imageTags: ['v1.0.0'], imagePushedAt: new Date('2026-11-01T00:00:00Z') },
        ],
        nextToken: 'page-2',
      })
      .on(DescribeImagesCommand, { nextToken: 'page-2' })
      .resolves({
        imageDetails: [
          { imageDigest: 'sha256:3', imageTags: ['v1.2.0', 'latest'], imagePushedAt: new Date('2026-11-20T00:00:00Z') },
          { imageDigest: 'sha256:2', imageTags: ['v1.1.0'], imagePushedAt: new Date('2026-11-10T00:00:00Z') },
        ],
      });

    // Act
    const newest = await images.newest('web', 'prod', 3);

    // Assess
    expect(newest.map((i) => i.tag)).toEqual(['v1.2.0', 'latest', 'v1.1.0']);
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(2);
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual(
      expect.objectContaining({ repositoryName: 'web', registryId: '222222222222', filter: { tagStatus: 'TAGGED' } }),
    );
  });

  it('says plainly when the service does not run from ECR', async () => {
    // Prepare
    const { images } = setup(TARGET, 'docker.io/library/nginx:1.27');

    // Act
    const failed = await images.find('web', 'prod', 'v1.8.2').catch((e: unknown) => e);

    // Assess
    expect(isOpsbotError(failed) && failed.code).toBe('NOT_ECR');
  });
});
