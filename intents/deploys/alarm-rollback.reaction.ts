import { declareReaction } from '../define-reaction';

/** Rollback alarms changing state, in the configured accounts and regions. */
export const alarmRollbackReaction = declareReaction({
  name: 'AlarmRollback',
  description: 'Roll back when a service’s rollback alarm goes to ALARM during or just after a deploy',
  events: [
    {
      source: 'aws.cloudwatch',
      detailType: 'CloudWatch Alarm State Change',
      configured: { alarmField: 'alarmName' },
      purpose: 'rollback alarms changing state',
    },
  ],
});
