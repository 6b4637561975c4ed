import { defineIntent } from '../define-intent';
import { code, strong } from '../reply';
import { changeConfirmation, changeRefusal, pinnedDigest, versionRefusal } from './deploy.policy';
import { rollbackService } from './deployments';
import { rollbackIntent } from './rollback.intent';

/** A rollback: its policy, its confirmation card, and the redeploy of the version before. */
export const rollback = defineIntent(rollbackIntent, {
  check: async ({ slots, actor }, ports) =>
    (await changeRefusal(slots, actor, ports)) ??
    (slots.version !== undefined ? await versionRefusal(slots, ports) : undefined),
  confirmation: async (slots, ports) => {
    const text = await changeConfirmation('Roll back', slots, ports);
    return slots.version === undefined
      ? text
      : {
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
