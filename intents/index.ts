import type { IntentDefinition } from './define-intent';
import type { Reaction } from './define-reaction';
import { alarmRollback } from './deploys/alarm-rollback.handler';
import { deploy } from './deploys/deploy.handler';
import { deployEvents } from './deploys/deploy-events.handler';
import { deployStatus } from './deploys/deploy-status.handler';
import { lock, lockStatus, unlock } from './deploys/lock.handler';
import { promote } from './deploys/promote.handler';
import { rollback } from './deploys/rollback.handler';
import { serviceHealth } from './deploys/service-health.handler';

export { unfinishedRuns } from './deploys/run/record';
export { pollRun } from './deploys/run/watch';

import { fallback } from './fallback/fallback.handler';
import { help } from './help/help.handler';
import { healthEvents } from './maintenance/health-events.handler';
import { maintenanceDigest } from './maintenance/maintenance-digest.handler';
import { maintenanceNotices } from './maintenance/maintenance-notices.handler';
import { pipelineFailure } from './pipelines/pipeline-failure.handler';
import { pipelineStatus } from './pipelines/pipeline-status.handler';
import { opsbotHealth } from './self/opsbot-health.handler';

/**
 * Every intent opsbot knows, with its behaviour, in the order of `declarations.ts`: the worker's registry is this
 * explicit list. The Slack edge never imports it (a dependency-cruiser rule and the bundle test keep it so).
 */
export const intents: readonly IntentDefinition[] = [
  deploy,
  promote,
  rollback,
  deployStatus,
  serviceHealth,
  lock,
  unlock,
  lockStatus,
  pipelineStatus,
  maintenanceNotices,
  help,
  fallback,
];

/**
 * Every reaction to events opsbot has, with its handler, in the order of `reactionDeclarations`: the worker's
 * reaction registry is this explicit list.
 */
export const reactions: readonly Reaction[] = [
  pipelineFailure,
  deployEvents,
  alarmRollback,
  maintenanceDigest,
  healthEvents,
  opsbotHealth,
];
