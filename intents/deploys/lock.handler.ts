import { defineIntent } from '../define-intent';
import { changeRefusal } from './deploy.policy';
import { lockIntent, lockStatusIntent, unlockIntent } from './lock.intent';
import { lockService, lockStatusReply, unlockService } from './locks';

/** A hand lock, taken by those who may change the environment. */
export const lock = defineIntent(lockIntent, {
  check: ({ slots, actor }, ports) => changeRefusal(slots, actor, ports),
  async handle({ slots, actor }, ports) {
    const all = slots as Readonly<Record<string, string | undefined>>;
    return lockService(
      {
        service: all.service as string,
        environment: all.environment as string,
        ...(all.note !== undefined && { note: all.note }),
        ...(all.until !== undefined && { until: all.until }),
      },
      actor,
      ports,
    );
  },
});

/** A hand lock lifted. */
export const unlock = defineIntent(unlockIntent, {
  async handle({ slots, actor }, ports) {
    return unlockService({ service: slots.service as string, environment: slots.environment as string }, actor, ports);
  },
});

/** Who holds the locks asked about. */
export const lockStatus = defineIntent(lockStatusIntent, {
  async handle({ slots }, ports) {
    return lockStatusReply(slots, ports);
  },
});
