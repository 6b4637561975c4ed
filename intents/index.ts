import type { IntentDefinition } from './define-intent';
import type { Reaction } from './define-reaction';
import { alarmRollback } from './deploys/alarm-rollback.reaction';
import { deploy } from './deploys/deploy.intent';
import { deployEvents } from './deploys/deploy-events.reaction';
import { deployStatus } from './deploys/deploy-status.intent';
import { lock, lockStatusIntent, unlock } from './deploys/lock.intent';
import { rollback } from './deploys/rollback.intent';

export { unfinishedRuns } from './deploys/run/record';
export { pollRun } from './deploys/run/watch';

import { fallback } from './fallback/fallback.intent';
import { help } from './help/help.intent';
import { healthEvents } from './maintenance/health-events.reaction';
import { maintenanceDigest } from './maintenance/maintenance-digest.reaction';
import { maintenanceNotices } from './maintenance/maintenance-notices.intent';
import { pipelineFailure } from './pipelines/pipeline-failure.reaction';
import { pipelineStatus } from './pipelines/pipeline-status.intent';
import { opsbotHealth } from './self/opsbot-health.reaction';

/** Every intent opsbot knows, in the order help lists them. The registry is this explicit list. */
export const intents: readonly IntentDefinition[] = [
  deploy as IntentDefinition,
  rollback as IntentDefinition,
  deployStatus as IntentDefinition,
  lock as IntentDefinition,
  unlock as IntentDefinition,
  lockStatusIntent as IntentDefinition,
  pipelineStatus as IntentDefinition,
  maintenanceNotices,
  help,
  fallback,
];

/** Every reaction to events opsbot has. The reaction registry is this explicit list. */
export const reactions: readonly Reaction[] = [
  pipelineFailure,
  deployEvents,
  alarmRollback,
  maintenanceDigest,
  healthEvents,
  opsbotHealth,
];
