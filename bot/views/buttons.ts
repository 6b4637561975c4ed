import type { ButtonPayload, Button as ReplyButton } from '../../intents/reply';

/** The action id of each kind of button; a button's own id adds its position, so ids stay unique in a message. */
export const ACTIONS = {
  choose: 'opsbot.choose',
  confirm: 'opsbot.confirm',
  cancel: 'opsbot.cancel',
  'retry-stage': 'opsbot.retry',
  request: 'opsbot.request',
  'deploy-cancel': 'opsbot.deploy-cancel',
  approve: 'opsbot.approve',
  reject: 'opsbot.reject',
  gate: 'opsbot.gate',
} as const satisfies Record<ButtonPayload['kind'], string>;

/** Matches the action ids of one kind of button (`opsbot.confirm`, `opsbot.confirm.1`). */
export function actionPattern(kind: ButtonPayload['kind']): RegExp {
  return new RegExp(`^${ACTIONS[kind].replace(/\./g, '\\.')}(\\.\\d+)?$`);
}

export function actionId(button: ReplyButton, position: number): string {
  return position === 0 ? ACTIONS[button.payload.kind] : `${ACTIONS[button.payload.kind]}.${position}`;
}
