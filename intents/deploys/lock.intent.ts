import { declareIntent } from '../define-intent';

/** Lock a service in an environment by hand, with a reason: deploys by anyone else wait. */
export const lockIntent = declareIntent({
  name: 'Lock',
  description: 'Lock a service in an environment, with a reason: deploys by anyone else wait',
  usage: '/deploy lock <service> <environment> [reason] [until HH:MM]',
  utterances: [
    'freeze {service}',
    'freeze {service} in {environment}',
    'freeze deploys to {service} in {environment}',
    'freeze deploys of {service}',
    'code freeze on {environment}',
    'deploy freeze for {service}',
    'hold {service} in {environment}',
    'hold {service} on {environment}',
    'block {service} in {environment}',
    'lock {environment}',
    'lock {service} in {environment} for a migration',
    'lock {service}',
    'lock {service} {environment}',
    'lock {service} in {environment}',
    'lock {service} on {environment}',
    'lock deploys of {service} in {environment}',
    'hold deploys of {service} in {environment}',
    'put a lock on {service} in {environment}',
    'block deploys to {service} in {environment}',
  ],
  slots: {
    service: { type: 'Service', required: true, prompt: 'Which service should I lock?' },
    environment: { type: 'Environment', required: true, prompt: 'In which environment?' },
  },
  // Planned by the worker (its rules ask Slack who the person is) but not confirmed: a lock changes nothing in AWS.
  sideEffects: true,
  confirm: false,
  examples: {
    'lock api prod': { service: 'api', environment: 'prod' },
    'lock payments in production': { service: 'payments', environment: 'prod' },
  },
});

/** Lift a hand lock: its holder, or an admin. */
export const unlockIntent = declareIntent({
  name: 'Unlock',
  description: 'Lift the lock on a service in an environment (its holder, or an admin)',
  usage: '/deploy unlock <service> <environment>',
  utterances: [
    'unfreeze {service}',
    'unfreeze {environment}',
    'unfreeze {service} in {environment}',
    'end the freeze on {service} in {environment}',
    'take the lock off {service} in {environment}',
    'clear the lock on {service}',
    'clear the deploy lock on {service} in {environment}',
    'drop the lock on {service} in {environment}',
    'drop my lock on {service}',
    'unlock {service}',
    'unlock {service} {environment}',
    'unlock {service} in {environment}',
    'unlock {service} on {environment}',
    'release the lock on {service} in {environment}',
    'remove the lock on {service} in {environment}',
    'lift the lock on {service} in {environment}',
  ],
  slots: {
    service: { type: 'Service', required: true, prompt: 'Which service should I unlock?' },
    environment: { type: 'Environment', required: true, prompt: 'In which environment?' },
  },
  sideEffects: true,
  confirm: false,
  examples: {
    'unlock api prod': { service: 'api', environment: 'prod' },
    'release the lock on web in staging': { service: 'web', environment: 'staging' },
  },
});

/** Who holds a lock: deploys in progress and hand locks. */
export const lockStatusIntent = declareIntent({
  name: 'LockStatus',
  description: 'Show who holds a lock on a service: deploys in progress and hand locks',
  usage: '/deploy locks [service] [environment]',
  utterances: [
    'show all locks',
    'lock status',
    'lock status of {service}',
    'is {environment} frozen',
    'is {service} frozen in {environment}',
    'any deploy freezes',
    'are there any freezes',
    'when does the lock on {service} in {environment} expire',
    'who is holding {service} in {environment}',
    'locks',
    'show locks',
    'list locks',
    'who holds the lock on {service}',
    'who holds the lock on {service} in {environment}',
    'who has the lock on {service}',
    'who locked {service}',
    'who locked {service} in {environment}',
    'is {service} locked',
    'is {service} locked in {environment}',
    'why is {service} locked',
    'locks on {service}',
  ],
  slots: {
    service: { type: 'Service', required: false, prompt: 'Which service?' },
    environment: { type: 'Environment', required: false, prompt: 'Which environment?' },
  },
  sideEffects: false,
  examples: {
    'who holds the lock on api?': { service: 'api' },
    'is payments locked in prod': { service: 'payments', environment: 'prod' },
    'show locks': {},
  },
});
