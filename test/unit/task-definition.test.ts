import { imageReference, parseImage } from '../../integrations/aws/task-definition';

describe('image references', () => {
  it.each([
    [
      '111111111111.dkr.ecr.eu-west-1.amazonaws.com/web:v1.8.2',
      '111111111111.dkr.ecr.eu-west-1.amazonaws.com/web',
      'v1.8.2',
    ],
    [
      `111111111111.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:${'a'.repeat(64)}`,
      '111111111111.dkr.ecr.eu-west-1.amazonaws.com/web',
      `sha256:${'a'.repeat(64)}`,
    ],
    [
      `111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/web:v1.8.2@sha256:${'b'.repeat(64)}`,
      '111111111111.dkr.ecr.eu-west-1.amazonaws.com/team/web',
      `sha256:${'b'.repeat(64)}`,
    ],
    ['localhost:5000/web', 'localhost:5000/web', undefined],
    ['localhost:5000/web:v2', 'localhost:5000/web', 'v2'],
  ])('reads %s', (image, repositoryUri, version) => {
    expect(parseImage(image)).toEqual({ repositoryUri, ...(version !== undefined && { version }) });
  });

  it('writes a tag after a colon and a digest after an at sign', () => {
    expect(imageReference('r/web', 'v1')).toBe('r/web:v1');
    expect(imageReference('r/web', `sha256:${'c'.repeat(64)}`)).toBe(`r/web@sha256:${'c'.repeat(64)}`);
  });
});
