import { ECS_TAG_LIMIT, imageReference, parseImage, revisionTags } from '../../integrations/aws/task-definition';

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

describe('the tags of a new revision', () => {
  const opsbot = [
    { key: 'opsbot:requested-by', value: 'U0ANA00001' },
    { key: 'opsbot:version', value: 'v1.8.2' },
    { key: 'opsbot:previous-version', value: 'v1.8.1' },
  ];

  it('leave out the keys AWS reserves, in any case, and replace opsbot’s own', () => {
    // Act
    const { tags, leftOut } = revisionTags(
      [
        { key: 'team', value: 'storefront' },
        { key: 'aws:cloudformation:stack-name', value: 'web' },
        { key: 'AWS:Custom', value: 'x' },
        { key: 'opsbot:version', value: 'v1.8.1' },
      ],
      opsbot,
    );

    // Assess
    expect(tags).toEqual([{ key: 'team', value: 'storefront' }, ...opsbot]);
    expect(leftOut).toEqual(['aws:cloudformation:stack-name', 'AWS:Custom']);
  });

  it('keep within ECS’s 50, opsbot’s first, and name what gave way', () => {
    // Prepare: a revision with 49 tags of its own
    const running = Array.from({ length: 49 }, (_, i) => ({ key: `t${i + 1}`, value: String(i + 1) }));

    // Act
    const { tags, leftOut } = revisionTags(running, opsbot);

    // Assess
    expect(tags).toHaveLength(ECS_TAG_LIMIT);
    expect(tags.slice(-3)).toEqual(opsbot);
    expect(leftOut).toEqual(['t48', 't49']);
  });
});
