import type { App, RespondArguments } from '@slack/bolt';
import { takeOverride } from '../../intents/deploys/freeze';
import { lockDetails } from '../../intents/deploys/locks';
import { helpReply } from '../../intents/help/help.intent';
import { FALLBACK_INTENT } from '../../intents/matcher/local-matcher';
import { code, notice, type Reply, status } from '../../intents/reply';
import type { EdgeDeps } from '../edge-deps';
import { renderReply, type SlackMessage } from '../views/render';
import { MAX_UNDERSTOOD_CHARACTERS, tooLong } from '../worker/interpreter';

/** First words that name a subcommand; anything else is read as `deploy …`. */
const SUBCOMMANDS =
  /^(help|usage|rollback|roll|revert|undo|lock|locks|unlock|status|deploys|deployments|pipelines?|builds?|ci|maintenance|notices|health|what|which|who|when|how|is|are|any|did|show|list)\b/i;

/** `/deploy api prod v1.2.3` reads as "deploy api prod v1.2.3"; `/deploy rollback api prod` as it is. */
export function commandUtterance(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return 'help';
  return SUBCOMMANDS.test(trimmed) ? trimmed : `deploy ${trimmed}`;
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
    const classified = deps.matcher.classify(commandUtterance(request));
    const result = {
      ...classified,
      slots: {
        ...classified.slots,
        ...(override !== undefined && { override }),
        ...(classified.intent === 'Lock' && lockDetails(request, (word) => deps.matcher.namesAnything(word))),
      },
    };
    if (result.intent === 'Help') {
      // Help asked by command is for the person who asked, not the channel.
      await ack(ephemeral({ ...helpReply(deps.registry.all), visibility: 'private' }));
      return;
    }
    if (result.intent === FALLBACK_INTENT) {
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
    // A change is planned by the worker: its policy reads the account (the version in ECR, what runs now, the
    // newest tags) and Slack (who is asking), which the acknowledgement path neither may nor should wait for.
    const change = deps.registry.require(result.intent).sideEffects && result.unresolved === undefined;
    const step = change
      ? undefined
      : await deps.planner.plan({
          intent: result.intent,
          slots: result.slots,
          actor,
          confirmed: false,
          ...(result.unresolved !== undefined && { unresolved: result.unresolved }),
        });
    if (step !== undefined && step.kind !== 'run') {
      await ack(ephemeral(step.reply, await deps.buttons.renderOne(step.reply)));
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
        replyTo: { channel: command.channel_id, responseUrl: command.response_url, replaceOriginal: true },
      });
    } catch (error) {
      deps.log.error('command.dispatch_failed', { error: (error as Error).message });
      await ack(ephemeral(notice('error', 'I could not start that, so nothing was done.', 'Try again in a minute.')));
      return;
    }
    await ack(ephemeral(workingNotice(deps.command, text)));
  });
}
