import type { IntentDeclaration } from './define-intent';
import { deployIntent } from './deploys/deploy.intent';
import { deployStatusIntent } from './deploys/deploy-status.intent';
import { lockIntent, lockStatusIntent, unlockIntent } from './deploys/lock.intent';
import { promoteIntent } from './deploys/promote.intent';
import { rollbackIntent } from './deploys/rollback.intent';
import { serviceHealthIntent } from './deploys/service-health.intent';
import { fallbackIntent } from './fallback/fallback.intent';
import { helpIntent } from './help/help.intent';
import { maintenanceNoticesIntent } from './maintenance/maintenance-notices.intent';
import { pipelineStatusIntent } from './pipelines/pipeline-status.intent';

/**
 * Every intent opsbot knows, declared (name, grammar, slots, help), in the order help lists them: what the Slack
 * edge, the local matcher and the Lex bot infra generates read. Their behaviour is in `intents/index.ts`, for the
 * worker; a test keeps the two lists the same intents in the same order.
 */
export const declarations: readonly IntentDeclaration[] = [
  deployIntent,
  promoteIntent,
  rollbackIntent,
  deployStatusIntent,
  serviceHealthIntent,
  lockIntent,
  unlockIntent,
  lockStatusIntent,
  pipelineStatusIntent,
  maintenanceNoticesIntent,
  helpIntent,
  fallbackIntent,
];
