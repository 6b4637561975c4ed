import { declareReaction } from '../define-reaction';

/** The schedule of the daily maintenance digest. */
export const maintenanceDigestReaction = declareReaction({
  name: 'MaintenanceDigest',
  description: 'Post the daily digest of AWS scheduled maintenance',
  events: [
    {
      source: 'opsbot.scheduler',
      detailType: 'Maintenance Digest',
      scheduled: true,
      purpose: 'the daily maintenance digest',
    },
  ],
});
