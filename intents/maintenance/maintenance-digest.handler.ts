import { defineReaction } from '../define-reaction';
import { localDay, runDigest } from './digest';
import { maintenanceDigestReaction } from './maintenance-digest.reaction';

/**
 * The daily digest, delivered by an EventBridge Scheduler schedule at `notices.at` in the team's time zone. The
 * schedule's time names the day, so a redelivery of the same schedule posts nothing more.
 */
export const maintenanceDigest = defineReaction({
  ...maintenanceDigestReaction,
  async handle(event, ports) {
    const at = Date.parse(String(event.time));
    await runDigest(ports, { day: localDay(Number.isNaN(at) ? ports.clock.now() : at, ports.rules.timeZone) });
  },
});
