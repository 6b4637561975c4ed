import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { runManifest } from '../../bot/cli/manifest';
import { deployedSlackEnv, invokeAsLambda } from '../support/bundle';
import { signedEvent, slashCommandBody } from '../support/slack';

const ROOT = resolve(__dirname, '..', '..');

/**
 * The README's deploy guide, tried against what `cdk synth` really produces from the example configuration: the
 * stacks it names exist, the outputs it tells people to read are there, and `npm run deploy`'s outputs file gives
 * `npm run manifest` the request URL.
 */
describe('the deploy guide, against the synthesized templates', () => {
  const out = mkdtempSync(join(tmpdir(), 'opsbot-synth-'));
  let synth: ReturnType<typeof spawnSync>;
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const guide = readme.slice(readme.indexOf('## Deploying'), readme.indexOf('## Tests'));
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;

  beforeAll(() => {
    // The command `npm run synth` runs, into a directory of its own: offline, no credentials.
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('AWS_') || key.startsWith('CDK_')) delete env[key];
    synth = spawnSync('npx', ['cdk', 'synth', '--no-notices', '--no-version-reporting', '--quiet', '-o', out], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 240_000,
    });
  }, 250_000);

  const template = (stack: string) =>
    JSON.parse(readFileSync(join(out, `${stack}.template.json`), 'utf8')) as {
      Outputs?: Record<string, { Value: unknown }>;
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };

  it('synthesizes offline, without credentials, warnings or cdk-nag findings', () => {
    expect(synth.status).toBe(0);
    expect(String(synth.stderr)).not.toMatch(/\[Warning|\[Error|AwsSolutions-/);
  });

  it('deploys the stack `npm run deploy` names, with the outputs the guide tells people to read', () => {
    const stack = /cdk deploy (\S+)/.exec(scripts.deploy ?? '')?.[1] as string;
    const outputs = Object.keys(template(stack).Outputs ?? {});
    for (const output of ['SlackRequestUrl', 'SlackBotTokenSecret', 'SlackSigningSecretName']) {
      expect(outputs).toContain(output);
      expect(guide).toContain(output);
    }
  });

  it('has an OpsbotAccess stack for each other account, holding the role the configuration names', () => {
    expect(guide).toContain('npx cdk deploy OpsbotAccess-<name>');
    const roles = Object.values(template('OpsbotAccess-prod').Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles.map((r) => r.Properties?.RoleName)).toContain('opsbot');
  });

  it('packages the slack function as Lambda runs it: its handler, imported from the asset, answers a signed command', async () => {
    // Prepare: the function's code asset as synthesized, and the file its handler setting names
    const [slack] = Object.values(
      template('Opsbot').Resources as Record<
        string,
        { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, string> }
      >,
    ).filter((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.Description).includes('Slack edge'));
    const asset = join(out, slack?.Metadata?.['aws:asset:path'] as string);
    const [file, exported] = String(slack?.Properties?.Handler).split('.');
    const entry = ['mjs', 'js', 'cjs'].map((ext) => join(asset, `${file}.${ext}`)).find((f) => existsSync(f));
    const event = signedEvent(
      slashCommandBody('help', { responseUrl: 'http://127.0.0.1:9/r' }),
      'application/x-www-form-urlencoded',
    );

    // Act: as the runtime would, with the configuration the asset carries
    const run = await invokeAsLambda(
      entry as string,
      event,
      deployedSlackEnv(join(asset, 'opsbot.config.json')),
      exported,
    );

    // Assess
    expect(slack?.Properties?.Runtime).toBe('nodejs24.x');
    expect(entry).toBeDefined();
    expect(run.stderr).toBe('');
    expect(run.result?.statusCode).toBe(200);
    expect(JSON.parse(run.result?.body ?? '{}').blocks[0].text.text).toBe('What opsbot can do');
  });

  it('gives `npm run manifest` the request URL from the outputs file `npm run deploy` writes', () => {
    // Prepare: the outputs file as `cdk deploy --outputs-file` writes it, for the synthesized stack's outputs
    expect(scripts.deploy).toContain('--outputs-file cdk-outputs.json');
    expect(scripts.deploy).toContain('--outputs cdk-outputs.json');
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-deploy-'));
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com/slack/events';
    const values: Record<string, string> = {
      SlackRequestUrl: url,
      SlackBotTokenSecret: 'SlackBotToken-abc',
      SlackSigningSecretName: 'SlackSigningSecret-def',
    };
    const outputs = Object.fromEntries(
      Object.keys(template('Opsbot').Outputs ?? {}).map((name) => [name, values[name] ?? 'x']),
    );
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify({ Opsbot: outputs }));
    const said = new PassThrough();
    let text = '';
    said.on('data', (d) => {
      text += d;
    });

    // Act
    const status = runManifest(['--outputs', 'cdk-outputs.json'], { out: said, err: said, cwd: dir });

    // Assess
    expect(status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'slack', 'manifest.local.json'), 'utf8'));
    expect(manifest.settings.event_subscriptions.request_url).toBe(url);
    expect(manifest.settings.interactivity.request_url).toBe(url);
    expect(manifest.features.slash_commands[0].url).toBe(url);
    expect(text).toContain('SlackBotToken-abc');
  });
});
