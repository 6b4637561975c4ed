import { AwsLambdaReceiver } from '@slack/bolt';
import { asCaller } from '../../integrations/aws/call-ledger';
import { boltLogger, createApp } from '../app';
import type { OpsbotConfig } from '../config';
import { createDeps, type Deps, type DepsOverrides } from '../deps';
import { type BoltLambdaHandler, slackLambdaEdge } from '../edge/lambda-edge';
import { auditRefusedWorkspace } from '../edge/payload';
import { ConfigError, type Settings } from '../settings';

/**
 * The Slack request URL's Lambda handler: the edge checks, then Bolt's Lambda receiver and opsbot's listeners.
 * Tests build it with overrides (a memory store, a local Slack stand-in); production with nothing overridden.
 */
export function createSlackHandler(settings: Settings, config: OpsbotConfig, overrides: DepsOverrides = {}) {
  // The development signing secret is public: whatever the environment says this function is, the edge that checks
  // signatures on AWS refuses it.
  if (settings.backend === 'aws' && settings.signingSecretIsDefault) {
    throw new ConfigError('environment', [
      'SLACK_SIGNING_SECRET: the development default is refused on AWS; set SLACK_SIGNING_SECRET_ARN to the secret holding the Slack app signing secret (the CDK stack does)',
    ]);
  }
  const deps: Deps = createDeps(settings, config, overrides);
  const log = deps.edge.log;
  const receiver = new AwsLambdaReceiver({ signingSecret: settings.signingSecret, logger: boltLogger(log) });
  createApp(deps.edge, {
    receiver,
    botToken: settings.botToken,
    ...(settings.slackApiUrl !== undefined && { slackApiUrl: settings.slackApiUrl }),
  });
  const edge = slackLambdaEdge({
    signingSecret: () => settings.signingSecret,
    bolt: receiver.toHandler() as unknown as BoltLambdaHandler,
    command: deps.edge.command,
    ...(config.slack?.teams !== undefined && { teams: config.slack.teams }),
    onRejected: (reason) => log.warn('slack.request_rejected', { reason }),
    onRefusedWorkspace: (from) => auditRefusedWorkspace(deps.edge.audit, from),
    onIgnored: (reason) => log.debug('slack.payload_ignored', { reason }),
  });
  // What the edge calls in AWS (the Store, the hand-over) is the slack function's; a job it starts in this process
  // (locally, in tests) runs as the worker's.
  const handler: typeof edge = (event, context) => asCaller('slack', () => edge(event, context));
  return { handler, deps };
}
