import { ConfigError } from '../settings';
import { printAudit } from './audit';
import { classifyLines } from './classify';
import { shownInTerminal } from './terminal';

const USAGE = `usage: opsbot <command>

commands:
  classify   read utterances from stdin, one per line; write one JSON object per line:
             {"text","intent","slots","confidence"} (uses OPSBOT_CONFIG, or the example world)
  audit      print the audit trail, newest first: [--since 7d] [--service api] [--environment prod] [--json]
             (the DynamoDB table in OPSBOT_TABLE, or the local data directory of \`npm start\`)
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'classify':
      return classifyLines(process.stdin, process.stdout, process.stderr);
    case 'audit':
      return printAudit(argv.slice(1), process.stdout, process.stderr);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`opsbot: unknown command "${shownInTerminal(String(command))}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Line by line: the message's own lines stay lines, what it quotes from outside is shown escaped.
    const message = error instanceof ConfigError ? error.message : String(error);
    process.stderr.write(`opsbot: ${message.split('\n').map(shownInTerminal).join('\n')}\n`);
    process.exitCode = 1;
  },
);
