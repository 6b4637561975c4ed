import fc from 'fast-check';
import { COMMANDS, readCommand } from '../../bot/listeners/command.listener';
import { vocabularyOf } from '../../bot/vocabulary';
import { intents } from '../../intents';
import { LocalMatcher } from '../../intents/matcher/local-matcher';
import { exampleConfig } from '../support/ports';

/**
 * The slash command's grammar, as property tests: every command word, followed by any arguments drawn from the names
 * opsbot knows, versions, reasons that say other commands, and hostile text, reaches the command its first word names
 * and no other.
 */
const config = exampleConfig();
const matcher = new LocalMatcher(intents, vocabularyOf(config));

const names = [
  ...Object.entries(config.services).flatMap(([name, s]) => [name, ...s.aliases]),
  ...Object.entries(config.environments).flatMap(([name, e]) => [name, ...e.aliases]),
];
const word = fc.oneof(
  fc.constantFrom(...names),
  fc.constantFrom(...Object.keys(COMMANDS), 'roll', 'back', 'rollback', 'deploy', 'ship', 'release', 'undo', 'later'),
  fc.constantFrom('v1.2.3', 'v2.0.0-rc.1', `sha256:${'a'.repeat(64)}`, 'latest', 'until', '15:00', 'because', 'for'),
  fc.constantFrom(
    '<!channel>',
    '<@U0BOB00001>',
    '*bold*',
    '`code`',
    '&lt;',
    'ünïcödé',
    '배포해줘',
    '🚀',
    '\u0007',
    '\u001b[2J',
  ),
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/\s/.test(s)),
);
const args = fc.array(word, { maxLength: 8 }).map((words) => words.join(' '));

/** What the slash command reads `text` as: the intent it reaches (a question is read as words are). */
function reached(text: string): string {
  const reading = readCommand(text);
  return reading.kind === 'question'
    ? matcher.classify(reading.text).intent
    : matcher.classifyAs(reading.intent, reading.data).intent;
}

describe('the slash command’s grammar', () => {
  it('reaches the command its first word names, whatever follows', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(COMMANDS)), args, (command, rest) => {
        // Act
        const intent = reached(`${command} ${rest}`);

        // Assess
        expect(intent).toBe(COMMANDS[command]);
      }),
      { numRuns: 3000, seed: 25 },
    );
  });

  it('reads `roll back` as a rollback, whatever follows', () => {
    fc.assert(
      fc.property(args, (rest) => {
        expect(reached(`roll back ${rest}`)).toBe('Rollback');
      }),
      { numRuns: 500, seed: 26 },
    );
  });

  it('reads anything that starts with no command word and no question word as a deploy of it', () => {
    fc.assert(
      fc.property(
        args.filter((rest) => {
          const first =
            rest
              .trim()
              .split(/\s+/)[0]
              ?.toLowerCase()
              .replace(/[?!.,:;]+$/, '') ?? '';
          return (
            rest.trim() !== '' &&
            readCommand(rest).kind === 'command' &&
            COMMANDS[first] === undefined &&
            first !== 'roll'
          );
        }),
        (rest) => {
          expect(reached(rest)).toBe('Deploy');
        },
      ),
      { numRuns: 2000, seed: 27 },
    );
  });

  it('takes the words after a command as its data: a lock’s reason is never read for another command’s slots', () => {
    // Act
    const lock = readCommand('lock web prod deploy v1.2.3 later');
    const locks = readCommand('locks api prod');

    // Assess
    expect(lock).toEqual({ kind: 'command', intent: 'Lock', data: 'web prod deploy v1.2.3 later' });
    expect(locks).toEqual({ kind: 'command', intent: 'LockStatus', data: 'api prod' });
    expect(readCommand('  ')).toEqual({ kind: 'command', intent: 'Help', data: '' });
    expect(readCommand('who holds the lock on api prod?')).toEqual({
      kind: 'question',
      text: 'who holds the lock on api prod?',
    });
  });
});
