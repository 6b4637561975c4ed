import { defineIntent } from '../define-intent';
import { maintenanceNoticesIntent } from './maintenance-notices.intent';
import { upcomingMaintenance } from './upcoming';

/** The maintenance coming up, as asked. */
export const maintenanceNotices = defineIntent(maintenanceNoticesIntent, {
  async handle({ slots }, ports) {
    return upcomingMaintenance(ports, slots);
  },
});
