import { declareIntent } from '../define-intent';

/** How a service is doing in an environment: its tasks, its revision and image, its rollback alarms and their chart. */
export const serviceHealthIntent = declareIntent({
  name: 'ServiceHealth',
  description: 'Show how a service is doing in an environment: tasks, revision, image, rollback alarms and their graph',
  usage: '/deploy how is <service> doing in <environment>',
  utterances: [
    'how is {service} doing in {environment}',
    'how is {service} doing on {environment}',
    'how is {service} doing',
    'how is {service} holding up in {environment}',
    'how healthy is {service} in {environment}',
    'is {service} healthy in {environment}',
    'health of {service} in {environment}',
    '{service} health in {environment}',
    'how are the {service} tasks in {environment}',
    'how many tasks is {service} running in {environment}',
    'are the {service} alarms ok in {environment}',
    'show the {service} alarms in {environment}',
  ],
  slots: {
    service: { type: 'Service', required: true, prompt: 'Which service?' },
    environment: { type: 'Environment', required: true, prompt: 'In which environment?' },
  },
  sideEffects: false,
  examples: {
    'how is api doing in prod?': { service: 'api', environment: 'prod' },
    'is web healthy in staging': { service: 'web', environment: 'staging' },
  },
});
