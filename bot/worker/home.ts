import type { Chat } from '../../integrations/chat.port';
import type { Log } from '../../integrations/log.port';
import type { Store } from '../../integrations/store.port';
import type { IntentPorts } from '../../intents/define-intent';
import { readEstate } from '../../intents/deploys/estate';
import { estateReply } from '../../intents/deploys/estate-reply';
import { type HomeViewer, homeViewerKey, type IssuedButtons } from '../cards';
import type { HomeJob } from '../jobs';

/** What publishing a Home tab takes of the worker. */
export interface HomeDeps {
  readonly store: Store;
  readonly chat: Chat;
  readonly buttons: IssuedButtons;
  readonly ports: IntentPorts;
  readonly log: Log;
}

/**
 * Who opened opsbot's Home tab in the last hour: their Home is published again when something on it changes (each
 * time, every account is read again, so it is kept to those who look).
 */
const VIEWERS = 'home-viewers';
const VIEWER_TTL_SECONDS = 60 * 60;

/**
 * A person's Home tab: what runs where, read now (see `readEstate`), with buttons to deploy or roll back that answer in
 * their DM with opsbot, published with `views.publish`. Whoever opens it is remembered for an hour, so that a change
 * refreshes their Home too ({@link refreshHomes}).
 */
export async function publishHome(job: Omit<HomeJob, 'kind'>, deps: HomeDeps): Promise<void> {
  const now = deps.ports.clock.now();
  const viewer: HomeViewer = {
    userId: job.userId,
    channel: job.channel,
    openedAt: now,
    ...(job.teamId !== undefined && { teamId: job.teamId }),
  };
  await deps.store.put(homeViewerKey(job.userId), viewer, VIEWER_TTL_SECONDS, {
    collection: VIEWERS,
    order: new Date(now).toISOString(),
  });
  await publishAll([job], deps, (error) => {
    throw error;
  });
}

/**
 * The estate read once, and each person's Home tab published with it (their own buttons, answered in their DM); one
 * that cannot be published goes to `failed`.
 */
async function publishAll(
  viewers: ReadonlyArray<Omit<HomeJob, 'kind'>>,
  deps: HomeDeps,
  failed: (error: unknown, userId: string) => void,
): Promise<void> {
  const estate = await readEstate(deps.ports);
  const reply = estateReply(estate, { title: 'What runs where', buttons: true, timeZone: deps.ports.rules.timeZone });
  for (const viewer of viewers) {
    try {
      const view = await deps.buttons.renderHome(reply, {
        homeOf: viewer.userId,
        channel: viewer.channel,
        ...(viewer.teamId !== undefined && { team: viewer.teamId }),
      });
      await deps.chat.publishHome(viewer.userId, view);
      deps.log.info('home.published', { user: viewer.userId, places: estate.places.length });
    } catch (error) {
      failed(error, viewer.userId);
    }
  }
}

/**
 * After something changed (a deploy or rollback asked for and run, a lock, a button on a deploy, a retried stage, an
 * event from AWS), the Home tabs of those who opened theirs in the last hour are published again — the estate read
 * once for all of them — never in the way of the work that changed it: a failure is logged.
 */
export async function refreshHomes(deps: HomeDeps): Promise<void> {
  try {
    const since = new Date(deps.ports.clock.now() - VIEWER_TTL_SECONDS * 1000).toISOString();
    const viewers = await deps.store.list<HomeViewer>(VIEWERS, { from: since });
    if (viewers.length === 0) return;
    // One Home that cannot be published (Slack refusing it for that person) leaves the others refreshed.
    await publishAll([...new Map(viewers.map((v) => [v.userId, v])).values()], deps, (error, user) =>
      deps.log.warn('home.refresh_failed', { user, error: String((error as { name?: unknown }).name ?? error) }),
    );
  } catch (error) {
    deps.log.warn('home.refresh_failed', { error: String((error as { name?: unknown }).name ?? error) });
  }
}
