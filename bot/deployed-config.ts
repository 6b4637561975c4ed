import { readFileSync } from 'node:fs';
import type { OpsbotConfig } from './config';
import { ConfigError, type Settings } from './settings';

/** Marks configuration JSON written by {@link renderDeployedConfig} after validation. */
const DEPLOYED_MARK = 'opsbot-validated-config/1';

/** Configuration as the Lambda functions read it: validated YAML, written as JSON at synth time. */
export function renderDeployedConfig(config: OpsbotConfig): string {
  return JSON.stringify({ format: DEPLOYED_MARK, config });
}

/**
 * Reads the configuration a deployment carries (`OPSBOT_CONFIG`, a JSON file written at synth time from the
 * validated YAML), without loading the schema. Refuses anything else, so an unvalidated file never runs.
 */
export function readDeployedConfig(settings: Pick<Settings, 'configPath'>): OpsbotConfig {
  let parsed: { format?: unknown; config?: unknown };
  try {
    parsed = JSON.parse(readFileSync(settings.configPath, 'utf8'));
  } catch (error) {
    throw new ConfigError(settings.configPath, [`cannot read the deployed configuration: ${(error as Error).message}`]);
  }
  if (parsed.format !== DEPLOYED_MARK || typeof parsed.config !== 'object' || parsed.config === null) {
    throw new ConfigError(settings.configPath, [
      'expected configuration written by the opsbot build (validated YAML as JSON); redeploy with `npx cdk deploy`',
    ]);
  }
  return parsed.config as OpsbotConfig;
}
