import type { IntentDefinition } from './define-intent';
import { deploy } from './deploy.intent';
import { deployStatus } from './deploy-status.intent';
import { fallback } from './fallback.intent';
import { help } from './help.intent';
import { maintenanceNotices } from './maintenance-notices.intent';
import { pipelineStatus } from './pipeline-status.intent';
import { rollback } from './rollback.intent';

/** Every intent opsbot knows, in the order help lists them. The registry is this explicit list. */
export const intents: readonly IntentDefinition[] = [
  deploy as IntentDefinition,
  rollback as IntentDefinition,
  deployStatus as IntentDefinition,
  pipelineStatus as IntentDefinition,
  maintenanceNotices,
  help,
  fallback,
];
