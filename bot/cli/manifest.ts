import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import {
  botScopes,
  EVENT_SUBSCRIPTIONS,
  type ManifestOptions,
  PLACEHOLDER_REQUEST_URL,
  SLASH_COMMAND,
  slackManifest,
} from '../slack-app';

/** The stack whose outputs name the request URL (infra/app.ts), and the output's name. */
const STACK = 'Opsbot';
const REQUEST_URL_OUTPUT = 'SlackRequestUrl';

/** Where each kind of manifest is written unless `--out` says otherwise. */
export const MANIFEST_FILES = {
  /** Committed: the placeholder request URL. */
  placeholder: 'slack/manifest.json',
  /** Committed: Socket Mode, no request URLs. */
  socket: 'slack/manifest.socket.json',
  /** One deployment's request URL: not committed (.gitignore). */
  deployed: 'slack/manifest.local.json',
} as const;

const USAGE = `usage: npm run manifest -- [--outputs cdk-outputs.json | --url https://… | --socket] [--out FILE]

  (nothing)            ${MANIFEST_FILES.placeholder}, with a placeholder request URL
  --outputs FILE       the request URL from \`npx cdk deploy --outputs-file FILE\` (${STACK}.${REQUEST_URL_OUTPUT})
  --url URL            that request URL (https)
  --socket             Socket Mode: no request URLs (${MANIFEST_FILES.socket})
  --out FILE           write there instead
`;

/** A problem with what was asked: told in one line, exit code 1, no stack trace. */
class UsageError extends Error {}

interface Request {
  readonly kind: keyof typeof MANIFEST_FILES;
  readonly requestUrl?: string;
  /** The stack's other outputs, for the next steps (secret names). */
  readonly outputs?: Readonly<Record<string, unknown>>;
  readonly out?: string;
}

/**
 * `npm run manifest`: writes the Slack app manifest generated from `bot/slack-app.ts`, and says what to do with it.
 * @returns the exit code: 0 written, 1 bad input, 2 usage.
 */
export function runManifest(
  argv: readonly string[],
  io: { readonly out: NodeJS.WritableStream; readonly err: NodeJS.WritableStream; readonly cwd: string },
): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(USAGE);
    return 0;
  }
  let request: Request;
  try {
    request = parseArgs(argv, io.cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err.write(`manifest: ${error.message}\n`);
    return 1;
  }
  const options: ManifestOptions =
    request.kind === 'socket' ? { socketMode: true } : { requestUrl: request.requestUrl ?? PLACEHOLDER_REQUEST_URL };
  const file = resolve(io.cwd, request.out ?? MANIFEST_FILES[request.kind]);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, manifestText(options));
  } catch (error) {
    io.err.write(`manifest: could not write ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  io.out.write(summary(request, relative(io.cwd, file) || file));
  return 0;
}

/** The manifest as the file holds it: JSON laid out as the repository's formatter (Biome) lays it out. */
export function manifestText(options: ManifestOptions): string {
  return `${formatJson(slackManifest(options), '', 0)}\n`;
}

/** Biome's line width (biome.json). */
const LINE_WIDTH = 120;

/**
 * JSON as Biome formats it: objects one member a line; an array of plain values on one line when it fits, else one
 * value a line. `column` is where the value starts on its line.
 */
function formatJson(value: unknown, indent: string, column: number): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const inline = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
      // The closing comma a member may carry counts towards the line.
      if (column + inline.length + 1 <= LINE_WIDTH) return inline;
    }
    return `[\n${value.map((v) => inner + formatJson(v, inner, inner.length)).join(',\n')}\n${indent}]`;
  }
  if (isRecord(value)) {
    const members = Object.entries(value).filter(([, v]) => v !== undefined);
    if (members.length === 0) return '{}';
    const lines = members.map(([k, v]) => {
      const key = `${inner}${JSON.stringify(k)}: `;
      return key + formatJson(v, inner, key.length);
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function parseArgs(argv: readonly string[], cwd: string): Request {
  let outputsFile: string | undefined;
  let url: string | undefined;
  let socket = false;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--outputs':
        outputsFile = value();
        break;
      case '--url':
        url = value();
        break;
      case '--socket':
        socket = true;
        break;
      case '--out':
        out = value();
        break;
      default:
        throw new UsageError(`unknown argument "${arg}"\n${USAGE}`);
    }
  }
  if ([outputsFile !== undefined, url !== undefined, socket].filter(Boolean).length > 1) {
    throw new UsageError('give one of --outputs, --url and --socket (Socket Mode has no request URL)');
  }
  const base = out === undefined ? {} : { out };
  if (socket) return { kind: 'socket', ...base };
  if (url !== undefined) return { kind: 'deployed', requestUrl: checkUrl(url, '--url'), ...base };
  if (outputsFile !== undefined) {
    const outputs = readOutputs(resolve(cwd, outputsFile), outputsFile);
    const requestUrl = checkUrl(String(outputs[REQUEST_URL_OUTPUT]), `${outputsFile} (${REQUEST_URL_OUTPUT})`);
    return { kind: 'deployed', requestUrl, outputs, ...base };
  }
  return { kind: 'placeholder', ...base };
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}

/** The outputs of opsbot's stack in a `cdk deploy --outputs-file` file: `{"Opsbot": {"SlackRequestUrl": …}}`. */
function readOutputs(path: string, shown: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(
      missing
        ? `${shown} does not exist. Write it with: npx cdk deploy --outputs-file ${shown}`
        : `cannot read ${shown}: ${(error as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${shown} is not JSON; expected what \`npx cdk deploy --outputs-file ${shown}\` writes`);
  }
  const stacks = isRecord(parsed) ? parsed : {};
  const named = stacks[STACK];
  if (isRecord(named) && REQUEST_URL_OUTPUT in named) return named;
  // A stack deployed under another name: taken when it is the only one with the output.
  const withUrl = Object.values(stacks).filter((s) => isRecord(s) && REQUEST_URL_OUTPUT in s);
  if (withUrl.length === 1) return withUrl[0] as Record<string, unknown>;
  const names = Object.keys(stacks);
  throw new UsageError(
    `${shown} has no ${STACK}.${REQUEST_URL_OUTPUT} output (stacks in it: ${names.length > 0 ? names.join(', ') : 'none'}). ` +
      `Deploy opsbot's stack with: npx cdk deploy ${STACK} --outputs-file ${shown}`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Slack takes only https request URLs. */
function checkUrl(value: string, from: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || /\s/.test(value)) {
    throw new UsageError(`${from}: "${value}" is not a URL; expected https://…/slack/events`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`${from}: Slack needs an https:// request URL, got "${value}"`);
  if (url.username !== '' || url.password !== '') throw new UsageError(`${from}: a request URL carries no credentials`);
  return value;
}

function summary(request: Request, file: string): string {
  const events = [...new Set(EVENT_SUBSCRIPTIONS.map((e) => e.subscription))].join(', ');
  const what = `slash command ${SLASH_COMMAND.command}; events ${events}; buttons; bot scopes ${botScopes().join(', ')}`;
  const secret = (name: string, fallback: string) => {
    const v = request.outputs?.[name];
    return typeof v === 'string' && v !== '' ? v : fallback;
  };
  const create = `Create the app: https://api.slack.com/apps › Create New App › From a manifest › pick the workspace › paste ${file}\n     (an existing app: Features › App Manifest › paste it › Save), then Install to Workspace.`;
  switch (request.kind) {
    case 'placeholder':
      return [
        `Wrote ${file} (request URL: the placeholder ${PLACEHOLDER_REQUEST_URL}).`,
        `  ${what}`,
        'Next:',
        `  - deployed: npx cdk deploy --outputs-file cdk-outputs.json, then npm run manifest -- --outputs cdk-outputs.json`,
        '  - local development against a workspace: npm run manifest -- --socket, then npm run socket',
        '',
      ].join('\n');
    case 'socket':
      return [
        `Wrote ${file} (Socket Mode: no request URLs).`,
        `  ${what}`,
        'Next:',
        `  1. ${create}`,
        '  2. Basic Information › App-Level Tokens › Generate Token and Scopes, with the scope connections:write: that',
        '     is SLACK_APP_TOKEN (xapp-…). OAuth & Permissions › Bot User OAuth Token is SLACK_BOT_TOKEN (xoxb-…).',
        '  3. SLACK_APP_TOKEN=xapp-… SLACK_BOT_TOKEN=xoxb-… npm run socket, and /invite @opsbot to a channel to try it.',
        '',
      ].join('\n');
    case 'deployed':
      return [
        `Wrote ${file} (request URL ${request.requestUrl}).`,
        `  ${what}`,
        'Next:',
        `  1. ${create}`,
        "  2. Give the stack the app's secrets (OAuth & Permissions › Bot User OAuth Token; Basic Information › Signing Secret):",
        `     aws secretsmanager put-secret-value --secret-id ${secret('SlackBotTokenSecret', '<SlackBotTokenSecret output>')} --secret-string xoxb-…`,
        `     aws secretsmanager put-secret-value --secret-id ${secret('SlackSigningSecretName', '<SlackSigningSecretName output>')} --secret-string …`,
        '  3. Verify the request URL (Event Subscriptions › Retry): Slack signs its challenge, so opsbot answers it once it',
        '     has the signing secret, which it reads again within five minutes.',
        '  4. /invite @opsbot to the channels named under slack.channels in opsbot.config.yaml.',
        '',
      ].join('\n');
  }
}

if (require.main === module) {
  try {
    process.exitCode = runManifest(process.argv.slice(2), {
      out: process.stdout,
      err: process.stderr,
      cwd: process.cwd(),
    });
  } catch (error) {
    process.stderr.write(`manifest: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
