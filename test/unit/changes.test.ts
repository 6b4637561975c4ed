import { createHash } from 'node:crypto';
import { parseConfig } from '../../bot/config';
import { promotionOrder, rulesFrom } from '../../bot/rules';
import { renderReply } from '../../bot/views/render';
import { OpsbotError } from '../../integrations/errors';
import { REVISION_LABEL, SOURCE_LABEL } from '../../integrations/images.port';
import type { PipelineExecution } from '../../integrations/pipelines.port';
import type { IntentPorts } from '../../intents/define-intent';
import { CHANGES_WAIT_MS, changeLines, compareUrl, readChanges, webRepository } from '../../intents/deploys/changes';
import { whatChanges } from '../../intents/deploys/deploy.policy';
import { plainText } from '../../intents/reply';
import { exampleConfig, sandboxPorts } from '../support/ports';

const sha = (n: number) => createHash('sha1').update(`commit ${n}`).digest('hex');
const run = (n: number, extra: Partial<PipelineExecution> = {}): PipelineExecution => ({
  id: `0000000${n}-aaaa-4aaa-aaaa-aaaaaaaaaaaa`,
  status: 'Succeeded',
  startedAt: n * 1000,
  revisions: [{ id: sha(n), message: `change ${n}`, url: `https://github.com/acme/web/commit/${sha(n)}` }],
  ...extra,
});

/** Ports whose images carry the given labels (by digest) and whose pipeline lists the given runs, newest first. */
function portsWith(
  labels: Record<string, Record<string, string>>,
  runs: PipelineExecution[],
  extra: { pipeline?: string | undefined; failing?: 'images' | 'pipelines'; byId?: PipelineExecution } = {},
): Pick<IntentPorts, 'images' | 'pipelines' | 'rules'> {
  const pipeline = 'pipeline' in extra ? extra.pipeline : 'web-pipeline';
  const denied = () =>
    new OpsbotError('ACCESS_DENIED', 'opsbot is not allowed to call ecr:BatchGetImage on web.', 'Ask.');
  return {
    images: {
      labels: async (_s: string, _e: string, digest: string) => {
        if (extra.failing === 'images') throw denied();
        return labels[digest] ?? {};
      },
    } as unknown as IntentPorts['images'],
    pipelines: {
      executions: async () => {
        if (extra.failing === 'pipelines') throw new OpsbotError('THROTTLED', 'CodePipeline is throttling.', 'Wait.');
        return runs;
      },
      execution: async (_name: string, id: string) => (extra.byId?.id === id ? extra.byId : undefined),
    } as unknown as IntentPorts['pipelines'],
    rules: { ...rulesFrom(exampleConfig()), pipelineOf: () => pipeline },
  };
}

const image = (version: string, digest: string) => ({ version, digest });
const text = (lines: ReturnType<typeof changeLines>) => lines.map((l) => plainText(l)).join('\n');

describe('what a change brings, read from its images and its pipeline', () => {
  const runs = [run(9), run(8), run(7), run(6), run(5), run(4), run(3), run(2), run(1)];
  const labelled = (n: number) => ({ [REVISION_LABEL]: sha(n), [SOURCE_LABEL]: 'https://github.com/acme/web.git' });

  it('lists the runs after the running image’s up to the new one’s, newest first, with a compare link', async () => {
    // Prepare: v1 was built by run 2, v2 by run 8
    const ports = portsWith({ 'sha256:a': labelled(2), 'sha256:b': labelled(8) }, runs);

    // Act
    const reading = await readChanges('web', 'prod', image('v1', 'sha256:a'), image('v2', 'sha256:b'), ports);

    // Assess
    expect(reading.list).toEqual({
      kind: 'forward',
      changes: [8, 7, 6, 5, 4, 3].map((n) => runs[9 - n]?.revisions[0]),
      compare: `https://github.com/acme/web/compare/${sha(2)}...${sha(8)}`,
    });
    const lines = text(changeLines(reading, image('v1', 'sha256:a'), image('v2', 'sha256:b')));
    expect(lines).toContain('6 changes since v1, the newest first:');
    expect(lines).toContain('and 1 more, listed in the deploy’s thread once it starts');
    expect(lines).not.toContain('change 3');
  });

  it('says what a downgrade takes out, and a rebuild of the same commit', async () => {
    // Prepare
    const ports = portsWith({ 'sha256:a': labelled(6), 'sha256:b': labelled(4), 'sha256:c': labelled(6) }, runs);

    // Act
    const back = await readChanges('web', 'prod', image('v6', 'sha256:a'), image('v4', 'sha256:b'), ports);
    const same = await readChanges('web', 'prod', image('v6', 'sha256:a'), image('v6b', 'sha256:c'), ports);

    // Assess
    expect(back.list.kind).toBe('back');
    expect(text(changeLines(back, image('v6', 'sha256:a'), image('v4', 'sha256:b')))).toContain(
      'Takes out 2 changes made since v4:',
    );
    expect(same.list).toEqual({ kind: 'same', revision: sha(6) });
  });

  it('places images without labels by a tag naming their commit or the run that built them', async () => {
    // Prepare: no labels; one tag is a short commit, the other the id of a run older than those listed
    const old = run(1);
    const ports = portsWith({}, runs.slice(0, 5), { byId: old });

    // Act
    const byCommit = await readChanges(
      'web',
      'prod',
      image(sha(5).slice(0, 12), 'sha256:a'),
      image(sha(8).slice(0, 8), 'sha256:b'),
      ports,
    );
    const byRun = await readChanges(
      'web',
      'prod',
      image(old.id, 'sha256:c'),
      image(sha(8).slice(0, 8), 'sha256:b'),
      ports,
    );

    // Assess
    expect(byCommit.list.kind).toBe('forward');
    expect(byCommit.target.revision).toBe(sha(8));
    expect(byRun.running.execution).toEqual(old);
    // Run 1 is not among the listed runs: the changes between cannot be listed, and the card says why.
    expect(byRun.list.kind).toBe('unknown');
  });

  it('says why it cannot tell: no pipeline, a commit no listed run read, or a read AWS refused', async () => {
    // Prepare
    const images = { 'sha256:a': labelled(2), 'sha256:b': labelled(30) };

    // Act
    const none = await readChanges(
      'web',
      'prod',
      image('v1', 'sha256:a'),
      image('v2', 'sha256:b'),
      portsWith(images, runs, { pipeline: undefined }),
    );
    const unlisted = await readChanges(
      'web',
      'prod',
      image('v1', 'sha256:a'),
      image('v2', 'sha256:b'),
      portsWith(images, runs),
    );
    const refused = await readChanges(
      'web',
      'prod',
      image('v1', 'sha256:a'),
      image('v2', 'sha256:b'),
      portsWith(images, runs, { failing: 'images' }),
    );

    // Assess
    const said = (r: typeof none) => text(changeLines(r, image('v1', 'sha256:a'), image('v2', 'sha256:b')));
    expect(said(none)).toContain('web has no pipeline configured (services.web.pipeline)');
    expect(said(none)).toContain('Compare the two commits');
    expect(said(unlisted)).toContain(
      `v2 was built from ${sha(30).slice(0, 12)}, which none of the last 200 runs of web-pipeline read`,
    );
    expect(said(refused)).toContain('opsbot is not allowed to call ecr:BatchGetImage on web.');
  });

  it('goes without the change list, saying so, when AWS does not answer in time', async () => {
    // Prepare: the sandbox, its pipeline never answering
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const { ports } = sandboxPorts();
    const real = ports.pipelines;
    const silent: IntentPorts = {
      ...ports,
      pipelines: {
        list: () => real.list(),
        get: (name) => real.get(name),
        retryStage: (name, stage, id) => real.retryStage(name, stage, id),
        executions: () => new Promise(() => undefined),
        execution: () => new Promise(() => undefined),
        branch: () => new Promise(() => undefined),
      },
    };

    // Act
    const said = whatChanges('deploy', { service: 'web', environment: 'prod', version: 'v1.1.0' }, silent);
    await jest.advanceTimersByTimeAsync(CHANGES_WAIT_MS + 1);
    const { changes, warnings } = await said;
    jest.useRealTimers();

    // Assess
    expect(changes.map((l) => plainText(l))).toEqual(['What changes: I can’t tell — AWS did not answer within 5 s.']);
    expect(warnings.map((l) => plainText(l))).toEqual(['The guard rails could not be checked in time either.']);
  });

  it('shows commit messages, authors and links from outside as inert text', async () => {
    // Prepare: a commit whose message, author and link try to ping the channel and hide a link
    const hostile = run(8, {
      revisions: [
        {
          id: sha(8),
          message: '<!channel> fix <https://evil.example|your bank>',
          author: '<@U0ADMIN01>',
          url: 'javascript:alert(1)',
        },
      ],
    });
    const ports = portsWith({ 'sha256:a': labelled(2), 'sha256:b': labelled(8) }, [hostile, ...runs.slice(2)]);
    const reading = await readChanges('web', 'prod', image('v1', 'sha256:a'), image('v2', 'sha256:b'), ports);

    // Act
    const rendered = JSON.stringify(
      renderReply({
        summary: 'changes',
        sections: [changeLines(reading, image('v1', 'sha256:a'), image('v2', 'sha256:b'))],
      }),
    );

    // Assess
    expect(rendered).toContain('&lt;!channel&gt; fix &lt;https://evil.example|your bank&gt;');
    expect(rendered).toContain('&lt;@U0ADMIN01&gt;');
    expect(rendered).not.toContain('<!channel>');
    expect(rendered).not.toContain('javascript:');
  });

  it.each([
    ['https://github.com/acme/web.git', 'https://github.com/acme/web/compare/a1b2c3d...e4f5a6b'],
    ['git@github.com:acme/web.git', 'https://github.com/acme/web/compare/a1b2c3d...e4f5a6b'],
    ['https://gitlab.com/acme/platform/web', 'https://gitlab.com/acme/platform/web/-/compare/a1b2c3d...e4f5a6b'],
    ['https://bitbucket.org/acme/web/', 'https://bitbucket.org/acme/web/branches/compare/e4f5a6b%0Da1b2c3d'],
    ['https://git.example.com/acme/web', undefined],
    ['http://github.com/acme/web', undefined],
    ['https://user:token@github.com/acme/web', undefined],
  ])('links two commits of %s where the host is known', (source, expected) => {
    // Act
    const repository = webRepository(source);
    const url = repository === undefined ? undefined : compareUrl(repository, 'a1b2c3d', 'e4f5a6b');

    // Assess
    expect(url).toBe(expected);
  });
});

describe('promotion order and guard rails, from configuration', () => {
  const config = (extra: string) =>
    parseConfig(`
environments:
  production: {}
  qa: {}
  staging: { aliases: [stg] }
  preview: {}
  dev: {}
${extra}
services:
  api:
    environments:
      dev: { account: '111111111111', region: eu-west-1 }
`);

  it('orders environments by their usual names, the others where they are written, unless configured', () => {
    // Act
    const usual = promotionOrder(config(''));
    const configured = promotionOrder(config('promotion: { order: [dev, preview, production] }'));

    // Assess
    expect(usual).toEqual(['dev', 'qa', 'staging', 'preview', 'production']);
    expect(configured).toEqual(['dev', 'preview', 'production']);
    expect(rulesFrom(config('')).promotedFrom('production')).toBe('preview');
    expect(rulesFrom(config('')).promotedFrom('dev')).toBeUndefined();
  });

  it('refuses an order naming an environment that is not configured, or one twice', () => {
    // Act
    const attempt = () => config('promotion: { order: [dev, uat, dev] }');

    // Assess
    expect(attempt).toThrow(/"uat" is not a configured environment[\s\S]*"dev" is listed twice/);
  });

  it('reads guard rails per environment: warnings by default, a branch or branches when named', () => {
    // Prepare
    const rules = rulesFrom(
      parseConfig(`
environments:
  dev: {}
  prod:
    guardRails: { untested: refuse, skippedReleases: { max: 3 }, branch: { name: [main, release], action: refuse } }
services:
  api:
    environments:
      dev: { account: '111111111111', region: eu-west-1 }
`),
    );

    // Assess
    expect(rules.guardRails('prod')).toEqual({
      untested: 'refuse',
      pipelineFailing: 'warn',
      downgrade: 'warn',
      skippedReleases: { max: 3, action: 'warn' },
      branch: { names: ['main', 'release'], action: 'refuse' },
    });
    expect(rules.guardRails('dev').branch).toBeUndefined();
  });
});
