import type { App } from '@slack/bolt';
import type { EdgeDeps } from '../edge-deps';

/**
 * Someone opened opsbot's Home tab (`app_home_opened`, tab `home`): the worker reads what runs where and publishes it
 * for them. Slack acknowledges the event at once; the Messages tab's openings are not this listener's.
 */
export function registerHome(app: App, deps: EdgeDeps): void {
  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home' || typeof event.user !== 'string' || typeof event.channel !== 'string') return;
    const team = (body as { team_id?: unknown }).team_id;
    await deps.jobs.send({
      kind: 'home',
      userId: event.user,
      channel: event.channel,
      ...(typeof team === 'string' && { teamId: team }),
    });
  });
}
