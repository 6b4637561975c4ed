import { defineIntent } from '../define-intent';
import { upcomingMaintenance } from './maintenance.handler';

/** Upcoming AWS scheduled maintenance across the configured accounts and regions. */
export const maintenanceNotices = defineIntent({
  name: 'MaintenanceNotices',
  description: 'List upcoming AWS scheduled maintenance (Health, EC2 events, RDS windows)',
  usage: '/deploy maintenance',
  utterances: [
    'maintenance',
    'show maintenance',
    'upcoming maintenance',
    'aws maintenance',
    'maintenance notices',
    'any aws maintenance coming up',
    'any scheduled maintenance',
    'scheduled maintenance this week',
    'maintenance events this week',
    'what maintenance is planned',
    'any scheduled events',
    'are any ec2 instances scheduled for reboot',
    'are there any scheduled reboots',
    'any instance retirements',
    'rds maintenance windows',
    'is there database maintenance coming',
    'aws health events',
    'any aws health notifications',
    'planned aws changes',
    'scheduled changes next week',
    'any patching scheduled',
  ],
  slots: {},
  sideEffects: false,
  examples: {
    'any aws maintenance coming up?': {},
    'are any ec2 instances scheduled for reboot': {},
  },
  async handle(_request, ports) {
    return upcomingMaintenance(ports);
  },
});
