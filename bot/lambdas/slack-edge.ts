import { AwsLambdaReceiver } from '@slack/bolt';
import { asCaller } from '../../integrations/aws/call-ledger';
import { boltLogger, createApp } from '../app';
import type { OpsbotConfig } from '../config';
import { type BoltLambdaHandler, slackLambdaEdge } from '../edge/lambda-edge';
import { auditRefusedWorkspace } from '../edge/payload';
import { createEdgeDeps, type EdgeDeps } from '../edge-deps';
import { ConfigError, type Settings } from '../settings';

/**
 * The Slack request URL's Lambda handler over an edge: opsbot's checks before Bolt, then Bolt's Lambda receiver and
 * the listeners. What the edge cannot answer in the acknowledgement it hands to the worker as a job.
 */
export function slackHandlerOver(edge: EdgeDeps, settings: Settings, config: OpsbotConfig) {
  refuseDevelopmentSecret(settings);
  const log = edge.log;
  const receiver = new AwsLambdaReceiver({ signingSecret: settings.signingSecret, logger: boltLogger(log) });
  createApp(edge, {
    receiver,
    botToken: settings.botToken,
    ...(settings.slackApiUrl !== undefined && { slackApiUrl: settings.slackApiUrl }),
  });
  const handler = slackLambdaEdge({
    signingSecret: () => settings.signingSecret,
    bolt: receiver.toHandler() as unknown as BoltLambdaHandler,
    command: edge.command,
    ...(config.slack?.teams !== undefined && { teams: config.slack.teams }),
    onRejected: (reason) => log.warn('slack.request_rejected', { reason }),
    onRefusedWorkspace: (from) => auditRefusedWorkspace(edge.audit, from),
    onIgnored: (reason) => log.debug('slack.payload_ignored', { reason }),
  });
  // What the edge calls in AWS (the Store, the hand-over) is the slack function's; a job it starts in this process
  // (locally, in tests) runs as the worker's.
  const labelled: typeof handler = (event, context) => asCaller('slack', () => handler(event, context));
  return labelled;
}

/**
 * The slack function as deployed: the edge alone, its jobs handed to the worker function. It loads the intents'
 * declarations and nothing of their behaviour, of the accounts' adapters or of the worker.
 */
export function createSlackEdgeHandler(settings: Settings, config: OpsbotConfig) {
  return slackHandlerOver(createEdgeDeps(settings, config), settings, config);
}

/**
 * The development signing secret is public: whatever the environment says this function is, the edge that checks
 * signatures on AWS refuses it.
 */
function refuseDevelopmentSecret(settings: Settings): void {
  if (settings.backend === 'aws' && settings.signingSecretIsDefault) {
    throw new ConfigError('environment', [
      'SLACK_SIGNING_SECRET: the development default is refused on AWS; set SLACK_SIGNING_SECRET_ARN to the secret holding the Slack app signing secret (the CDK stack does)',
    ]);
  }
}
