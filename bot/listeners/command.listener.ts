import type { App, RespondArguments } from '@slack/bolt';
import { lockDetails, takeOverride } from '../../intents/deploys/request-words';
import { helpReply } from '../../intents/help/help-reply';
import { FALLBACK_INTENT } from '../../intents/matcher/local-matcher';
import { code, notice, type Reply, status } from '../../intents/reply';
import { MAX_UNDERSTOOD_CHARACTERS, tooLong } from '../conversation';
import type { EdgeDeps } from '../edge-deps';
import { renderReply, type SlackMessage } from '../views/render';

/**
 * The slash command's grammar: its first word names the command, and the rest is that command's data (a lock's reason
 * that says "deploy" or "rollback" is still a lock's reason). A first word that names no command starts a deploy
 * (`/deploy web prod v1.2.3`); a question (`/deploy who holds the lock on api prod?`) is read as words are.
 */
export const COMMANDS: Readonly<Record<string, string>> = {
  help: 'Help',
  usage: 'Help',
  deploy: 'Deploy',
  promote: 'Promote',
  rollback: 'Rollback',
  revert: 'Rollback',
  undo: 'Rollback',
  lock: 'Lock',
  unlock: 'Unlock',
  locks: 'LockStatus',
  status: 'DeployStatus',
  deploys: 'DeployStatus',
  deployments: 'DeployStatus',
  history: 'DeployStatus',
  pipelines: 'PipelineStatus',
  pipeline: 'PipelineStatus',
  builds: 'PipelineStatus',
  build: 'PipelineStatus',
  ci: 'PipelineStatus',
  maintenance: 'MaintenanceNotices',
  notices: 'MaintenanceNotices',
  health: 'MaintenanceNotices',
};

/** First words of a question, which is read as any message to opsbot is. */
const QUESTION = /^(what|which|who|whose|when|where|why|how|is|are|was|were|any|did|does|do|can|could|show|list)$/i;

/** What a slash command's text asks for: the command its first word names and that command's data, or a question. */
export type CommandReading =
  | { readonly kind: 'command'; readonly intent: string; readonly data: string }
  | { readonly kind: 'question'; readonly text: string };

export function readCommand(text: string): CommandReading {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'command', intent: 'Help', data: '' };
  const [first = '', second = ''] = trimmed.split(/\s+/, 2);
  const word = first.toLowerCase().replace(/[?!.,:;]+$/, '');
  const after = (n: number) => trimmed.split(/\s+/).slice(n).join(' ');
  if (word === 'roll' && second.toLowerCase() === 'back')
    return { kind: 'command', intent: 'Rollback', data: after(2) };
  const intent = COMMANDS[word];
  if (intent !== undefined) return { kind: 'command', intent, data: after(1) };
  if (QUESTION.test(word)) return { kind: 'question', text: trimmed };
  return { kind: 'command', intent: 'Deploy', data: trimmed };
}

/** A lock's names come first (`lock web prod`), then its reason: only those leading words are read for its slots. */
function leadingNames(data: string, isName: (word: string) => boolean): string {
  const words = data.trim().split(/\s+/);
  let n = 0;
  while (n < words.length && (isName(words[n] as string) || /^(in|on|of|the)$/i.test(words[n] as string))) n++;
  return words.slice(0, n).join(' ');
}

/** An acknowledgement that carries a reply; its buttons, if any, are issued (stored) first. */
function ephemeral(reply: Reply, message: SlackMessage = renderReply(reply)): RespondArguments {
  return { response_type: reply.visibility === 'channel' ? 'in_channel' : 'ephemeral', ...message } as RespondArguments;
}

/** "Working on `/deploy …`…": the acknowledgement of work handed to the worker, replaced by its answer. */
export function workingNotice(commandName: string, text: string): Reply {
  const working = ['Working on ', code(`${commandName} ${text.trim()}`), '…'];
  return { summary: working, sections: [[[status('waiting'), ' ', ...working]]], visibility: 'private' };
}

/**
 * The slash command. Commands have a fixed grammar, so the local matcher reads them right here: help, unknown
 * names and the missing slots of questions are answered in the acknowledgement itself. A change (deploy, roll
 * back) and work that calls AWS go to the worker with the command's response_url: a change's policy reads the
 * account and Slack, which the acknowledgement must not wait for.
 */
export function registerCommand(app: App, deps: EdgeDeps): void {
  app.command(deps.command, async ({ command, ack }) => {
    const actor = { userId: command.user_id, teamId: command.team_id, channelId: command.channel_id };
    const text = typeof command.text === 'string' ? command.text : '';
    if (text.length > MAX_UNDERSTOOD_CHARACTERS) {
      await ack(ephemeral(tooLong()));
      return;
    }
    // `override: <why>` (an admin deploying into a freeze) is said after the request, not read as part of it.
    const { text: request, override } = takeOverride(text);
    const reading = readCommand(request);
    const isName = (word: string) => deps.matcher.namesAnything(word);
    const classified =
      reading.kind === 'question'
        ? deps.matcher.classify(reading.text)
        : deps.matcher.classifyAs(
            reading.intent,
            reading.intent === 'Lock' ? leadingNames(reading.data, isName) : reading.data,
          );
    const lock = classified.intent === 'Lock' && reading.kind === 'command';
    const result = {
      ...classified,
      slots: {
        ...classified.slots,
        ...(override !== undefined && { override }),
        ...(lock && lockDetails(`lock ${reading.data}`, isName)),
        ...(classified.intent === 'Lock' && !lock && lockDetails(request, isName)),
      },
    };
    if (result.intent === 'Help') {
      // Help asked by command is for the person who asked, not the channel.
      await ack(ephemeral({ ...helpReply(deps.registry.all), visibility: 'private' }));
      return;
    }
    // A question the matcher placed only loosely as a change ("/deploy is web v1.2.3 on prod?"): the acknowledgement
    // cannot ask it back, so it says it could not read it rather than start a change.
    const looseChange = classified.loose === true && deps.registry.get(result.intent)?.sideEffects === true;
    if (result.intent === FALLBACK_INTENT || looseChange) {
      await ack(
        ephemeral(
          notice(
            'none',
            ["I couldn't read ", code(`${deps.command} ${text.trim()}`), '.'],
            [
              'Try ',
              code(`${deps.command} help`),
              ' for the commands, or ',
              code(`${deps.command} web staging v1.2.3`),
              ' to deploy.',
            ],
          ),
        ),
      );
      return;
    }
    // The acknowledgement's planner answers what needs no account (a name it does not know, a question's missing
    // detail) and hands a change over: its policy reads the account (the version in ECR, what runs now, the newest
    // tags) and Slack (who is asking), which the acknowledgement path neither may nor should wait for.
    const step = await deps.planner.plan({
      intent: result.intent,
      slots: result.slots,
      actor,
      confirmed: false,
      ...(result.unresolved !== undefined && { unresolved: result.unresolved }),
    });
    // The planner makes several steps only of a message's words (the worker's), never of a slash command.
    if (step.kind !== 'run' && step.kind !== 'handover' && step.kind !== 'several') {
      await ack(
        ephemeral(
          step.reply,
          await deps.buttons.renderOne(step.reply, {
            channel: command.channel_id,
            ...(typeof command.team_id === 'string' && { team: command.team_id }),
          }),
        ),
      );
      return;
    }
    try {
      await deps.jobs.send({
        kind: 'fulfil',
        intent: result.intent,
        slots: result.slots,
        actor,
        confirmed: false,
        // The answer replaces the "Working on…" notice below.
        replyTo: {
          channel: command.channel_id,
          ...(typeof command.team_id === 'string' && { team: command.team_id }),
          responseUrl: command.response_url,
          replaceOriginal: true,
        },
      });
    } catch (error) {
      deps.log.error('command.dispatch_failed', { error: (error as Error).message });
      await ack(ephemeral(notice('error', 'I could not start that, so nothing was done.', 'Try again in a minute.')));
      return;
    }
    await ack(ephemeral(workingNotice(deps.command, text)));
  });
}
