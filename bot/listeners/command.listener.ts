import type { App, RespondArguments } from '@slack/bolt';
import type { Reply } from '../../intents/define-intent';
import { helpReply } from '../../intents/help.intent';
import { FALLBACK_INTENT } from '../../intents/matcher/local-matcher';
import type { EdgeDeps } from '../edge-deps';
import { renderReply } from '../views/reply.view';

/** First words that name a subcommand; anything else is read as `deploy …`. */
const SUBCOMMANDS =
  /^(help|usage|rollback|roll|revert|undo|status|deploys|deployments|pipelines?|builds?|ci|maintenance|notices|health|what|which|who|when|how|is|are|any|did|show|list)\b/i;

/** `/deploy api prod v1.2.3` reads as "deploy api prod v1.2.3"; `/deploy rollback api prod` as it is. */
export function commandUtterance(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return 'help';
  return SUBCOMMANDS.test(trimmed) ? trimmed : `deploy ${trimmed}`;
}

function ephemeral(reply: Reply): RespondArguments {
  const message = renderReply(reply);
  return { response_type: reply.visibility === 'channel' ? 'in_channel' : 'ephemeral', ...message } as RespondArguments;
}

/**
 * The slash command. Commands have a fixed grammar, so the local matcher reads them right here: help, unknown
 * names, missing slots, refusals and confirmations are answered in the acknowledgement itself; work that calls
 * AWS goes to the worker with the command's response_url.
 */
export function registerCommand(app: App, deps: EdgeDeps): void {
  app.command(deps.command, async ({ command, ack }) => {
    const actor = { userId: command.user_id, teamId: command.team_id, channelId: command.channel_id };
    const result = deps.matcher.classify(commandUtterance(command.text));
    if (result.intent === 'Help') {
      await ack(ephemeral(helpReply(deps.registry.all)));
      return;
    }
    if (result.intent === FALLBACK_INTENT) {
      await ack(
        ephemeral({
          text: `I couldn't read \`${deps.command} ${command.text}\`.`,
          sections: [`I couldn't read \`${deps.command} ${command.text.trim()}\`.`],
          context: [
            `Try \`${deps.command} help\` for the commands, or \`${deps.command} web staging v1.2.3\` to deploy.`,
          ],
          visibility: 'private',
        }),
      );
      return;
    }
    const step = deps.planner.plan({
      intent: result.intent,
      slots: result.slots,
      actor,
      confirmed: false,
      ...(result.unresolved !== undefined && { unresolved: result.unresolved }),
    });
    if (step.kind !== 'run') {
      await ack(ephemeral(step.reply));
      return;
    }
    try {
      await deps.jobs.send({
        kind: 'fulfil',
        intent: result.intent,
        slots: result.slots,
        actor,
        confirmed: false,
        replyTo: { channel: command.channel_id, responseUrl: command.response_url },
      });
    } catch (error) {
      deps.log.error('command.dispatch_failed', { error: (error as Error).message });
      await ack(
        ephemeral({
          text: 'I could not start that, so nothing was done.',
          sections: [':x: I could not start that, so nothing was done.'],
          context: ['Try again in a minute.'],
          visibility: 'private',
        }),
      );
      return;
    }
    await ack(
      ephemeral({
        text: `:hourglass_flowing_sand: Working on \`${deps.command} ${command.text.trim()}\`…`,
        visibility: 'private',
      }),
    );
  });
}
