import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Slack syntax a file could write: a mention, a link, mrkdwn emphasis, an emoji code, an action id. */
const SLACK_SYNTAX: ReadonlyArray<[string, RegExp]> = [
  ['a mention', /<@/],
  ['a special mention', /<!(channel|here|everyone|subteam)/],
  ['a link', /<\$\{[^}]*\}\|/],
  ['emphasis', /\*\$\{[^}]*\}\*/],
  ['an emoji code', /:[a-z]+(_[a-z]+)+:/],
  ['an action id', /action_id/],
];

describe('only bot/ writes Slack syntax', () => {
  it('intents and integrations return structured content (the matcher only reads Slack text, the Slack adapters speak it)', () => {
    // Prepare
    const files = [...sources(join(root, 'intents')), ...sources(join(root, 'integrations'))]
      .map((f) => relative(root, f))
      .filter((f) => !f.startsWith('intents/matcher/') && !f.startsWith('integrations/slack/'));

    // Act
    const found = files.flatMap((file) => {
      const code = readFileSync(join(root, file), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\*|\/\/|\/\*\*)/.test(line));
      return SLACK_SYNTAX.flatMap(([what, pattern]) =>
        code.filter((line) => pattern.test(line)).map((line) => `${file}: ${what}: ${line.trim()}`),
      );
    });

    // Assess
    expect(files.length).toBeGreaterThan(20);
    expect(found).toEqual([]);
  });
});
