import { defineIntent } from '../define-intent';
import { code, strong } from '../reply';
import { changeConfirmation, changeRefusal, pinnedDigest, versionRefusal, whatChanges } from './deploy.policy';
import { rollbackService, rollbackTarget } from './deployments';
import { rollbackIntent } from './rollback.intent';

/** A rollback: its policy, its confirmation card, and the redeploy of the version before. */
export const rollback = defineIntent(rollbackIntent, {
  check: async ({ slots, actor }, ports) =>
    (await changeRefusal(slots, actor, ports)) ??
    (slots.version !== undefined ? await versionRefusal(slots, ports) : undefined),
  confirmation: async (slots, ports) => {
    const text = await changeConfirmation('Roll back', slots, ports, 'rollback');
    if (slots.version === undefined) {
      // What going back takes out, to the version before the last deploy.
      const target =
        slots.service !== undefined && slots.environment !== undefined
          ? await rollbackTarget(slots.service, slots.environment, ports).catch(() => undefined)
          : undefined;
      if (target === undefined) return text;
      const { changes } = await whatChanges('rollback', { ...slots, ...target }, ports);
      return { ...text, details: ['Back to ', code(target.version), ', what ran before the last deploy.'], changes };
    }
    return {
      ...text,
      action: [
        'Roll back ',
        strong(slots.service ?? ''),
        ' in ',
        strong(slots.environment ?? ''),
        ' to ',
        code(slots.version),
      ],
    };
  },
  async handle({ slots, actor }, ports) {
    const { service, environment, version } = slots;
    const digest = pinnedDigest(slots);
    return rollbackService(
      {
        service: service as string,
        environment: environment as string,
        ...(version !== undefined && { version }),
        ...(version !== undefined && digest !== undefined && { digest }),
      },
      actor,
      ports,
    );
  },
});
