import { declareIntent } from '../define-intent';

/** Roll a service back to the revision it ran before its latest deploy. */
export const rollbackIntent = declareIntent({
  name: 'Rollback',
  description: 'Roll a service back to its previous revision',
  usage: '/deploy rollback <service> <environment>',
  utterances: [
    'rollback',
    'roll back',
    'rollback {service}',
    'rollback {service} {environment}',
    'rollback {service} in {environment}',
    'roll back {service} in {environment}',
    'roll back {service} on {environment}',
    'roll {service} back in {environment}',
    'revert {service} in {environment}',
    'revert {service} on {environment}',
    'revert the last deploy',
    'revert the last deploy of {service} in {environment}',
    'undo deploy',
    'undo the {service} deploy in {environment}',
    'undo the last release of {service} on {environment}',
    'rollback the {service} deploy',
    'rollback the {service} deployment in {environment}',
    'go back to the previous version of {service} in {environment}',
    'restore the previous {service} release in {environment}',
    'put the old version of {service} back on {environment}',
    'abort and roll back {service} in {environment}',
    'roll back {service} in {environment} to {version}',
    'rollback {service} {environment} {version}',
    'rollback {service} in {environment} to {version}',
    'revert {service} in {environment} to {version}',
    'go back to {version} of {service} in {environment}',
  ],
  slots: {
    service: { type: 'Service', required: true, prompt: 'Which service should I roll back?' },
    environment: { type: 'Environment', required: true, prompt: 'In which environment?' },
    /** An earlier version to go back to; without it, the one before the last deploy. */
    version: { type: 'Version', required: false, prompt: 'Which earlier version?' },
  },
  sideEffects: true,
  examples: {
    'roll back billing in production': { service: 'payments', environment: 'prod' },
    'rollback web in prod': { service: 'web', environment: 'prod' },
    'revert the api on staging': { service: 'api', environment: 'staging' },
    'roll back api in prod to v1.7.0': { service: 'api', environment: 'prod', version: 'v1.7.0' },
  },
});
