import { declareReaction, type EventBridgeEvent } from '../define-reaction';
import { obj } from '../loose';
import { readOwnAlarmName } from './own-alarms';

/** True for a state change of one of opsbot's own alarms (`<stack>-self-watch-<kind>`); never throws. */
export function isOwnAlarmEvent(event: EventBridgeEvent): boolean {
  return readOwnAlarmName(obj(event.detail).alarmName) !== undefined;
}

/** opsbot’s own alarms changing state. */
export const opsbotHealthReaction = declareReaction({
  name: 'OpsbotHealth',
  description: 'Tell the alerts channel when opsbot itself is failing (its own alarms), and when it recovers',
  events: [
    {
      source: 'aws.cloudwatch',
      detailType: 'CloudWatch Alarm State Change',
      configured: { ownAlarmField: 'alarmName' },
      only: isOwnAlarmEvent,
      purpose: 'opsbot’s own alarms changing state',
    },
  ],
});
