import type { IntentDeclaration, IntentLanguages } from './define-intent';
import { deployLanguages } from './deploys/deploy.languages';
import { deployStatusLanguages } from './deploys/deploy-status.languages';
import { lockLanguages, lockStatusLanguages, unlockLanguages } from './deploys/lock.languages';
import { promoteLanguages } from './deploys/promote.languages';
import { rollbackLanguages } from './deploys/rollback.languages';
import { serviceHealthLanguages } from './deploys/service-health.languages';
import { helpLanguages } from './help/help.languages';
import { maintenanceNoticesLanguages } from './maintenance/maintenance-notices.languages';
import { pipelineStatusLanguages } from './pipelines/pipeline-status.languages';

/**
 * Each intent's sample utterances in the other languages opsbot reads (Korean, Spanish, German), kept apart from the
 * declarations: the worker's matcher and the Lex bot read them, the Slack acknowledgement (whose slash command is
 * English) does not carry them.
 */
export const OTHER_LANGUAGE_UTTERANCES: Readonly<Record<string, IntentLanguages>> = {
  DeployStatus: deployStatusLanguages,
  ServiceHealth: serviceHealthLanguages,
  Deploy: deployLanguages,
  Promote: promoteLanguages,
  Lock: lockLanguages,
  Unlock: unlockLanguages,
  LockStatus: lockStatusLanguages,
  Rollback: rollbackLanguages,
  Help: helpLanguages,
  MaintenanceNotices: maintenanceNoticesLanguages,
  PipelineStatus: pipelineStatusLanguages,
};

/** Declarations with their sample utterances in every language opsbot reads. */
export function inEveryLanguage<T extends IntentDeclaration>(intents: readonly T[]): T[] {
  return intents.map((intent) => {
    const languages = OTHER_LANGUAGE_UTTERANCES[intent.name];
    return languages === undefined ? intent : { ...intent, languages };
  });
}
