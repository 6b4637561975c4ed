import { defineReaction, type EventBridgeEvent } from '../define-reaction';
import { deployEventsReaction } from './deploy-events.reaction';
import { runningRuns } from './run/record';
import { pollRun } from './run/watch';

/**
 * CodeDeploy's and ECS's own word that a deployment changed state: the deploys it may concern are polled at once, so
 * their messages show the end without waiting for the watcher's next poll (a change short of the end still waits for
 * the 10 s between updates). ECS documents no event for a lifecycle hook that waits (EventBridge's event reference for
 * aws.ecs lists container instance, task, service action and deployment state changes only): a PAUSE hook at a gate
 * is found by the watcher's poll, within 10 s. Polling is idempotent (a poll after the end changes nothing), so a repeated or late
 * event does no harm.
 */
export const deployEvents = defineReaction({
  ...deployEventsReaction,
  async handle(event: EventBridgeEvent, ports) {
    const detail = (typeof event.detail === 'object' && event.detail !== null ? event.detail : {}) as Record<
      string,
      unknown
    >;
    const runs = await runningRuns(ports);
    // CodeDeploy names its deployment; ECS names the service in `resources` (its event's deployment id is not the
    // service deployment ARN opsbot keeps).
    const services = new Set(event.resources ?? []);
    const concerned =
      event.source === 'aws.codedeploy'
        ? runs.filter((r) => r.deploymentId === detail.deploymentId)
        : runs.filter((r) => services.has(serviceArnOf(r.deploymentId ?? '')));
    for (const run of concerned) {
      try {
        await pollRun(run.id, ports);
      } catch (error) {
        // The watcher polls it again shortly; one failing deploy does not hold up the others.
        ports.log.warn('deploy.event_poll_failed', { runId: run.id, error: (error as Error).name });
      }
    }
  },
});

/**
 * The ECS service a service deployment belongs to, as ECS's events name it in `resources`:
 * `arn:aws:ecs:r:a:service-deployment/cluster/service/id` → `arn:aws:ecs:r:a:service/cluster/service`.
 */
export function serviceArnOf(serviceDeploymentArn: string): string {
  const match = /^(arn:[^:]+:ecs:[^:]*:[^:]*:)service-deployment\/([^/]+)\/([^/]+)\/[^/]+$/.exec(serviceDeploymentArn);
  return match === null ? '' : `${match[1]}service/${match[2]}/${match[3]}`;
}
