import { defineIntent } from '../define-intent';
import { deployIntent } from './deploy.intent';
import {
  busyRefusal,
  changeConfirmation,
  deployIntoRefusal,
  guardRailRefusal,
  offeredVersions,
  pinnedDigest,
  versionRefusal,
} from './deploy.policy';
import { frozen, overrideInForce, overrideOf } from './freeze';
import { startRun } from './run/start';

/** A deploy: its policy (rules, freeze, lock, version), its confirmation card, the versions it offers, and the run it starts. */
export const deploy = defineIntent(deployIntent, {
  check: async ({ slots, actor }, ports) =>
    (await deployIntoRefusal(slots, actor, ports)) ??
    (await versionRefusal(slots, ports)) ??
    (await guardRailRefusal(
      'deploy',
      { ...slots, ...(pinnedDigest(slots) !== undefined && { digest: pinnedDigest(slots) }) },
      ports,
    )),
  // Busy or locked is said as soon as the service and environment are known, before a version is asked for.
  checkEarly: ({ slots, actor }, ports) => busyRefusal(slots, actor, ports),
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
