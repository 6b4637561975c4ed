import { defineIntent } from '../define-intent';
import { changeConfirmation, changeRefusal } from './deploy.policy';
import { rollbackService } from './deployments.handler';

/** Roll a service back to the revision it ran before its latest deploy. */
export const rollback = defineIntent({
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
  ],
  slots: {
    service: { type: 'Service', required: true, prompt: 'Which service should I roll back?' },
    environment: { type: 'Environment', required: true, prompt: 'In which environment?' },
  },
  sideEffects: true,
  check: ({ slots, actor }, ports) => changeRefusal(slots, actor, ports),
  confirmation: (slots, ports) => changeConfirmation('Roll back', slots, ports),
  examples: {
    'roll back billing in production': { service: 'payments', environment: 'prod' },
    'rollback web in prod': { service: 'web', environment: 'prod' },
    'revert the api on staging': { service: 'api', environment: 'staging' },
  },
  async handle({ slots, actor }, ports) {
    const { service, environment } = slots as Required<typeof slots>;
    return rollbackService({ service, environment }, actor, ports);
  },
});
