import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../bot/config';
import { readDeployedConfig, renderDeployedConfig } from '../../bot/deployed-config';
import { ConfigError, DEVELOPMENT_SIGNING_SECRET, readSettings } from '../../bot/settings';
import { vocabularyOf } from '../../bot/vocabulary';

const minimal = `
environments:
  dev: {}
services:
  api:
    environments:
      dev: { account: '111111111111', region: eu-west-1 }
`;

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, 'test.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('loads the example world when no config file exists, and says it is the example', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-'));

    // Act
    const loaded = loadConfig(readSettings({}, dir));

    // Assess
    expect(loaded.isExample).toBe(true);
    const vocabulary = vocabularyOf(loaded.config);
    expect(vocabulary.services.map((s) => [s.name, s.aliases])).toEqual([
      ['api', ['backend', 'api-server']],
      ['web', ['frontend', 'website']],
      ['payments', ['billing', 'payment-service']],
      ['worker', ['jobs', 'queue-worker']],
    ]);
    expect(vocabulary.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(loaded.config.environments.prod?.protected).toBe(true);
    expect(vocabulary.pipelines.find((p) => p.name === 'web-pipeline')?.service).toBe('web');
  });

  it('reads OPSBOT_CONFIG and refuses a path that does not exist', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-'));
    writeFileSync(join(dir, 'mine.yaml'), minimal);

    // Act
    const loaded = loadConfig(readSettings({ OPSBOT_CONFIG: 'mine.yaml' }, dir));

    // Assess
    expect(loaded.isExample).toBe(false);
    expect(Object.keys(loaded.config.services)).toEqual(['api']);
    expect(() => loadConfig(readSettings({ OPSBOT_CONFIG: 'missing.yaml' }, dir))).toThrow(/does not exist/);
  });

  it('takes a protected environment whose deployers are everyone, said so', () => {
    expect(
      parseConfig(minimal.replace('dev: {}', 'dev: { protected: true, deployers: everyone }')).environments.dev
        ?.deployers,
    ).toBe('everyone');
  });

  it('takes rollback alarms by name or ARN, and names a bad one', () => {
    // Prepare
    const withAlarms = (list: string) =>
      minimal.replace('region: eu-west-1 }', `region: eu-west-1, rollbackAlarms: ${list} }`);

    // Act
    const config = parseConfig(
      withAlarms('[api-dev-5xx, "arn:aws:cloudwatch:us-east-1:111111111111:alarm:api dev latency"]'),
    );

    // Assess
    expect(config.services.api?.environments.dev?.rollbackAlarms).toEqual([
      'api-dev-5xx',
      'arn:aws:cloudwatch:us-east-1:111111111111:alarm:api dev latency',
    ]);
    expect(problemsOf(withAlarms('[""]'))[0]).toContain(
      'rollbackAlarms[0]: expected a CloudWatch alarm name (without * or ?',
    );
    expect(problemsOf(withAlarms('["web-*"]'))[0]).toContain('without * or ?');
    expect(problemsOf(minimal.replace('region: eu-west-1 }', 'region: eu-west-1, alarms: [x] }'))[0]).toBe(
      'services.api.environments.dev.alarms: renamed: list them under rollbackAlarms (names or ARNs)',
    );
    expect(problemsOf(minimal.replace('region: eu-west-1 }', 'region: eu-west-1, bakeMinutes: 720 }'))[0]).toContain(
      'at most 240 minutes',
    );
  });

  it('fills defaults: unprotected environments, no deployers, fifteen bake minutes', () => {
    // Act
    const config = parseConfig(minimal);

    // Assess
    expect(config.environments.dev).toEqual({
      aliases: [],
      protected: false,
      approval: false,
      freezes: [],
      // Every guard rail warns; no branch is checked until one is named.
      guardRails: {
        untested: 'warn',
        pipelineFailing: 'warn',
        downgrade: 'warn',
        skippedReleases: { max: 10, action: 'warn' },
      },
    });
    expect(config.timeZone).toBe('UTC');
    expect(config.services.api?.environments.dev?.bakeMinutes).toBe(15);
  });

  it.each([
    [
      minimal.replace("'111111111111'", "'1234'"),
      'services.api.environments.dev.account: "1234" is not a configured account (expected one of: none configured, or a 12-digit id)',
    ],
    [
      minimal.replace('eu-west-1', 'Ireland'),
      'services.api.environments.dev.region: expected an AWS region like "eu-west-1"',
    ],
    [minimal.replace('dev: {}', 'dev: { protected: yes please }'), 'environments.dev.protected:'],
    [
      minimal.replace('      dev: {', '      qa: {'),
      'services.api.environments.qa: "qa" is not a configured environment (expected one of: dev)',
    ],
    [`${minimal}    pipeline: api-pipeline\n`, 'services.api.pipeline: "api-pipeline" is not a configured pipeline'],
    [
      minimal.replace('dev: {}', 'dev: { aliases: [api] }'),
      'environments.dev.aliases[0]: "api" already names service "api"',
    ],
    [`${minimal}colour: blue\n`, '(top level): Unrecognized key: "colour"'],
    ['environments: [dev]\n', 'environments: Invalid input: expected record, received array'],
    [
      minimal.replace('dev: {}', 'dev: { protected: true }'),
      'environments.dev.deployers: dev is protected: list who may change it (Slack user or user-group ids), or say `deployers: everyone` if you mean it',
    ],
    [
      minimal.replace('dev: {}', 'dev: { protected: true, deployers: [] }'),
      'environments.dev.deployers: dev is protected',
    ],
    [
      `${minimal}accounts:\n  prod: { id: "222222222222", roleArn: "arn:aws:iam::333333333333:role/opsbot" }\n`,
      'accounts.prod.roleArn: the role must be in the account itself (222222222222)',
    ],
    [
      `${minimal}accounts:\n  prod: { id: "222222222222" }\n`,
      'services.api.environments.dev.account: "111111111111" is not a configured account',
    ],
    ['services: {\n', 'not valid YAML'],
  ])('refuses bad configuration, naming the key path (%#)', (text, expected) => {
    // Act
    const problems = problemsOf(text);

    // Assess
    expect(problems.join('\n')).toContain(expected);
  });

  it('refuses bad environment variables, naming the variable', () => {
    // Act
    const attempt = () => readSettings({ PORT: 'eighty', SLACK_APP_TOKEN: 'xoxb-wrong-kind' });

    // Assess
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const text = (error as ConfigError).problems.join('\n');
      expect(text).toContain('PORT: expected a port number from 0 to 65535, got "eighty"');
      expect(text).toContain('SLACK_APP_TOKEN: expected an app-level token starting with "xapp-"');
    }
  });

  it('uses the documented development signing secret only when none is set', () => {
    // Act
    const local = readSettings({});
    const real = readSettings({ SLACK_SIGNING_SECRET: 'abc' });

    // Assess
    expect(local.signingSecret).toBe(DEVELOPMENT_SIGNING_SECRET);
    expect(local.signingSecretIsDefault).toBe(true);
    expect(real.signingSecret).toBe('abc');
    expect(local.port).toBe(3000);
  });

  it('hands the Lambda functions validated configuration as JSON, and refuses anything else', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-'));
    const config = parseConfig(minimal);
    writeFileSync(join(dir, 'deployed.json'), renderDeployedConfig(config));
    writeFileSync(join(dir, 'raw.json'), JSON.stringify(config));

    // Act
    const deployed = readDeployedConfig({ configPath: join(dir, 'deployed.json') });

    // Assess
    expect(deployed).toEqual(config);
    expect(() => readDeployedConfig({ configPath: join(dir, 'raw.json') })).toThrow(/written by the opsbot build/);
    expect(() => readDeployedConfig({ configPath: join(dir, 'missing.json') })).toThrow(ConfigError);
  });
});
