import { defineIntent } from '../define-intent';
import { upcomingMaintenance } from './maintenance.handler';
import { maintenanceNoticesIntent } from './maintenance-notices.intent';

/** The maintenance coming up, as asked. */
export const maintenanceNotices = defineIntent(maintenanceNoticesIntent, {
  async handle({ slots }, ports) {
    return upcomingMaintenance(ports, slots);
  },
});
