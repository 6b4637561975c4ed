import type { ReactionDeclaration } from './define-reaction';
import { alarmRollbackReaction } from './deploys/alarm-rollback.reaction';
import { deployEventsReaction } from './deploys/deploy-events.reaction';
import { healthEventsReaction } from './maintenance/health-events.reaction';
import { maintenanceDigestReaction } from './maintenance/maintenance-digest.reaction';
import { pipelineFailureReaction } from './pipelines/pipeline-failure.reaction';
import { opsbotHealthReaction } from './self/opsbot-health.reaction';

/**
 * Every reaction opsbot has, declared (name and the events it claims), in the order of `intents/index.ts`: what
 * infra builds the EventBridge rules from, without loading a handler.
 */
export const reactionDeclarations: readonly ReactionDeclaration[] = [
  pipelineFailureReaction,
  deployEventsReaction,
  alarmRollbackReaction,
  maintenanceDigestReaction,
  healthEventsReaction,
  opsbotHealthReaction,
];
