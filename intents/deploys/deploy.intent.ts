import { defineIntent } from '../define-intent';
import { changeConfirmation, changeRefusal, offeredVersions, pinnedDigest, versionRefusal } from './deploy.policy';
import { freezeRefusal, frozen, overrideInForce, overrideOf } from './freeze';
import { holdRefusal } from './locks';
import { lockRefusal } from './run/lock';
import { startRun } from './run/start';

/** Deploy an image tag of a service to an environment (blue/green through CodeDeploy). */
export const deploy = defineIntent({
  name: 'Deploy',
  description: 'Deploy a version of a service to an environment (blue/green, with confirmation)',
  usage: '/deploy <service> <environment> <version>',
  utterances: [
    'deploy',
    'deploy {service}',
    'deploy to {environment}',
    'deploy {service} to {environment}',
    'deploy {service} {environment} {version}',
    'deploy {service} {version} to {environment}',
    'deploy {version} of {service} to {environment}',
    'deploy version {version} of {service} to {environment}',
    'deploy {service} to {environment} with {version}',
    'deploy {service} on {environment} using tag {version}',
    'ship {service} to {environment}',
    'ship {version} of {service} to {environment}',
    'ship it {service} {environment}',
    'release {service} to {environment}',
    'release {service} {version} to {environment}',
    'push {service} to {environment}',
    'push {version} of {service} to {environment}',
    'roll out {service} to {environment}',
    'rollout {service} {version} to {environment}',
    'start a deploy of {service} to {environment}',
    'start a deployment',
    'new deployment',
    'kick off a deployment of {service} to {environment}',
    'can you deploy {service} to {environment}',
    'please deploy {service} {version} in {environment}',
    'promote {service} to {environment}',
    'promote {service} {version} to {environment}',
    'put {service} {version} on {environment}',
    'update {service} in {environment} to {version}',
    'upgrade {service} in {environment} to {version}',
    'i want to deploy {service}',
    'deploy {service} please',
  ],
  slots: {
    service: { type: 'Service', required: true, prompt: 'Which service should I deploy?' },
    environment: { type: 'Environment', required: true, prompt: 'Which environment should I deploy to?' },
    version: {
      type: 'Version',
      required: true,
      prompt: 'Which version (image tag or sha256 digest) should I deploy? Pick one, or reply with the tag.',
    },
  },
  sideEffects: true,
  check: async ({ slots, actor }, ports) =>
    (await changeRefusal(slots, actor, ports)) ??
    (await freezeRefusal(
      { ...slots, ...(overrideOf(slots) !== undefined && { override: overrideOf(slots) }) },
      actor,
      ports,
    )) ??
    (slots.service !== undefined && slots.environment !== undefined
      ? ((await lockRefusal(slots.service, slots.environment, ports)) ??
        (await holdRefusal(slots.service, slots.environment, actor, ports)))
      : undefined) ??
    (await versionRefusal(slots, ports)),
  // Busy or locked is said as soon as the service and environment are known, before a version is asked for.
  checkEarly: async ({ slots, actor }, ports) =>
    slots.service !== undefined && slots.environment !== undefined
      ? ((await lockRefusal(slots.service, slots.environment, ports)) ??
        (await holdRefusal(slots.service, slots.environment, actor, ports)))
      : undefined,
  confirmation: async (slots, ports) => {
    const text = await changeConfirmation('Deploy', slots, ports);
    // An admin's override of a freeze is said on the card the channel sees, and kept with the deploy.
    const override = overrideOf(slots);
    return override === undefined || slots.environment === undefined || !(await frozen(slots.environment, ports))
      ? text
      : { ...text, warning: ['Deploying into a freeze, overridden by an admin: ', override], danger: true };
  },
  choices: async (slot, slots, ports) =>
    slot === 'version' && slots.service !== undefined && slots.environment !== undefined
      ? offeredVersions(slots.service, slots.environment, ports)
      : undefined,
  examples: {
    'deploy web to prod': { service: 'web', environment: 'prod' },
    'deploy api v1.2.3 to staging': { service: 'api', environment: 'staging', version: 'v1.2.3' },
    'ship billing to production': { service: 'payments', environment: 'prod' },
    'release frontend 2.0.0 to stg': { service: 'web', environment: 'staging', version: '2.0.0' },
  },
  async handle({ slots, actor }, ports) {
    const { service, environment, version } = slots as Required<typeof slots>;
    const override = await overrideInForce(slots, actor, ports);
    const digest = pinnedDigest(slots);
    return startRun(
      {
        kind: 'deploy',
        service,
        environment,
        version,
        ...(digest !== undefined && { digest }),
        ...(override !== undefined && { override }),
      },
      actor,
      ports,
    );
  },
});
