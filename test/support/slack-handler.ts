import type { OpsbotConfig } from '../../bot/config';
import { createDeps, type DepsOverrides } from '../../bot/deps';
import { slackHandlerOver } from '../../bot/lambdas/slack-edge';
import type { Settings } from '../../bot/settings';

/**
 * The Slack request URL's handler with opsbot whole behind it, for tests and the benchmark: the same edge as the
 * slack function's (`bot/lambdas/slack-edge.ts`), over the composition that also builds the worker, so a job runs in
 * this process unless a worker function is configured. Built with overrides (a memory store, a local Slack
 * stand-in).
 */
export function createSlackHandler(settings: Settings, config: OpsbotConfig, overrides: DepsOverrides = {}) {
  const deps = createDeps(settings, config, overrides);
  return { handler: slackHandlerOver(deps.edge, settings, config), deps };
}
