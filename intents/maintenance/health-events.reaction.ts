import { declareReaction } from '../define-reaction';

/** AWS Health announcing a scheduled change. */
export const healthEventsReaction = declareReaction({
  name: 'HealthEvents',
  description: 'Tell AWS Health scheduled changes that need action, or start within a day, as they are announced',
  events: [
    {
      source: 'aws.health',
      detailType: 'AWS Health Event',
      detail: { eventTypeCategory: ['scheduledChange'] },
      purpose: 'AWS Health scheduled changes',
    },
  ],
});
