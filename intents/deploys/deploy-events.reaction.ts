import { declareReaction } from '../define-reaction';

/** CodeDeploy and ECS saying a deployment changed state. */
export const deployEventsReaction = declareReaction({
  name: 'DeployEvents',
  description: 'Show a deploy’s end as soon as CodeDeploy or ECS says it changed state',
  events: [
    {
      source: 'aws.codedeploy',
      detailType: 'CodeDeploy Deployment State-change Notification',
      detail: { state: ['SUCCESS', 'FAILURE', 'STOP', 'READY'] },
      purpose: 'CodeDeploy deployment state changes',
    },
    {
      source: 'aws.ecs',
      detailType: 'ECS Deployment State Change',
      purpose: 'ECS service deployment state changes',
    },
  ],
});
