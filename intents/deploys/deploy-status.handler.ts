import { defineIntent } from '../define-intent';
import { deployStatusIntent } from './deploy-status.intent';
import { deployStatusReply } from './deployments';

/** What runs where, and the deploys asked about. */
export const deployStatus = defineIntent(deployStatusIntent, {
  async handle({ slots }, ports) {
    return deployStatusReply(slots, ports);
  },
});
