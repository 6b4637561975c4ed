import type { OpsbotConfig } from '../config';
import { createDeps, type DepsOverrides } from '../deps';
import type { Settings } from '../settings';
import { slackHandlerOver } from './slack-edge';

/**
 * The Slack request URL's handler with opsbot whole behind it: the same edge as the slack function's
 * (`slack-edge.ts`), over the composition that also builds the worker, so a job runs in this process unless a
 * worker function is configured. Tests build it with overrides (a memory store, a local Slack stand-in); the slack
 * Lambda function never loads this module.
 */
export function createSlackHandler(settings: Settings, config: OpsbotConfig, overrides: DepsOverrides = {}) {
  const deps = createDeps(settings, config, overrides);
  return { handler: slackHandlerOver(deps.edge, settings, config), deps };
}
