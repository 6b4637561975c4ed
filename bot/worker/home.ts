import type { Chat } from '../../integrations/chat.port';
import type { Log } from '../../integrations/log.port';
import type { Store } from '../../integrations/store.port';
import type { IntentPorts } from '../../intents/define-intent';
import { readEstate } from '../../intents/deploys/estate';
import { estateReply } from '../../intents/deploys/estate-reply';
import type { IssuedButtons } from '../cards';
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

interface Viewer {
  readonly userId: string;
  readonly teamId?: string;
  readonly channel: string;
  readonly openedAt: number;
}

const viewerKey = (userId: string) => `home-viewer:${userId}`;

/**
 * A person's Home tab: what runs where, read now (see `readEstate`), with buttons to deploy or roll back that answer in
 * their DM with opsbot, published with `views.publish`. Whoever opens it is remembered for a day, so that a change
 * refreshes their Home too ({@link refreshHomes}).
 */
export async function publishHome(job: Omit<HomeJob, 'kind'>, deps: HomeDeps): Promise<void> {
  const now = deps.ports.clock.now();
  const viewer: Viewer = {
    userId: job.userId,
    channel: job.channel,
    openedAt: now,
    ...(job.teamId !== undefined && { teamId: job.teamId }),
  };
  await deps.store.put(viewerKey(job.userId), viewer, VIEWER_TTL_SECONDS, {
    collection: VIEWERS,
    order: new Date(now).toISOString(),
  });
  await publishFor(job, deps);
}

async function publishFor(job: Omit<HomeJob, 'kind'>, deps: HomeDeps): Promise<void> {
  const estate = await readEstate(deps.ports);
  const reply = estateReply(estate, { title: 'What runs where', buttons: true, timeZone: deps.ports.rules.timeZone });
  const view = await deps.buttons.renderHome(reply, {
    homeOf: job.userId,
    channel: job.channel,
    ...(job.teamId !== undefined && { team: job.teamId }),
  });
  await deps.chat.publishHome(job.userId, view);
  deps.log.info('home.published', { user: job.userId, places: estate.places.length });
}

/**
 * After something may have changed (a deploy asked, confirmed, cancelled, ended; a lock; an alarm; a retried stage),
 * the Home tabs of those who opened theirs in the last hour are published again, never in the way of the work that
 * changed it: a failure is logged.
 */
export async function refreshHomes(deps: HomeDeps): Promise<void> {
  try {
    const since = new Date(deps.ports.clock.now() - VIEWER_TTL_SECONDS * 1000).toISOString();
    const viewers = await deps.store.list<Viewer>(VIEWERS, { from: since });
    if (viewers.length === 0) return;
    const latest = new Map(viewers.map((v) => [v.userId, v]));
    for (const viewer of latest.values()) await publishFor(viewer, deps);
  } catch (error) {
    deps.log.warn('home.refresh_failed', { error: String((error as { name?: unknown }).name ?? error) });
  }
}
