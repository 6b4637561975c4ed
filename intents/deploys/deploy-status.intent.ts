import { defineIntent } from '../define-intent';
import { deployStatusReply } from './deployments.handler';

/** What is deployed where, and how running deploys are going. */
export const deployStatus = defineIntent({
  name: 'DeployStatus',
  description: 'Show what is deployed where and how running deploys are going',
  usage: '/deploy status [service] [environment]',
  utterances: [
    'status',
    'deploy status',
    'deployment status',
    'deploy progress',
    'deploy status of {service}',
    'deploy status of {service} in {environment}',
    'status of the {service} deploy',
    '{service} status in {environment}',
    'how is the {service} deploy going',
    'how is the {service} deployment going',
    'how is the deploy going',
    'is the {service} deploy done',
    'is the {service} deploy finished',
    'did the {service} deploy finish',
    'did the {service} deploy succeed',
    'what version of {service} is in {environment}',
    'what version of {service} is running in {environment}',
    'what version is {service} on in {environment}',
    'which version is running in {environment}',
    'what is deployed in {environment}',
    'what is deployed',
    'what is running in {environment}',
    'is {service} deployed to {environment}',
    'who deployed {service} to {environment}',
    'when was {service} last deployed to {environment}',
    'any deploys in progress',
    'are there any deployments running',
    'what is deploying right now',
    'show deploys',
    'show recent deploys',
    'list deployments',
    'current deploys',
  ],
  slots: {
    service: { type: 'Service', required: false, prompt: 'Which service?' },
    environment: { type: 'Environment', required: false, prompt: 'Which environment?' },
  },
  sideEffects: false,
  examples: {
    'how is the web deploy going': { service: 'web' },
    'what version of payments is in prod': { service: 'payments', environment: 'prod' },
    'any deploys in progress?': {},
  },
  async handle({ slots }, ports) {
    return deployStatusReply(slots, ports);
  },
});
