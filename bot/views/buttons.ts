import type { ButtonPayload, Button as ReplyButton } from '../../intents/reply';

/** The action id of each kind of button; a button's own id adds its position, so ids stay unique in a message. */
export const ACTIONS = {
  choose: 'opsbot.choose',
  confirm: 'opsbot.confirm',
  cancel: 'opsbot.cancel',
  'retry-stage': 'opsbot.retry',
} as const satisfies Record<ButtonPayload['kind'], string>;

/** Matches the action ids of one kind of button (`opsbot.confirm`, `opsbot.confirm.1`). */
export function actionPattern(kind: ButtonPayload['kind']): RegExp {
  return new RegExp(`^${ACTIONS[kind].replace(/\./g, '\\.')}(\\.\\d+)?$`);
}

export function actionId(button: ReplyButton, position: number): string {
  return position === 0 ? ACTIONS[button.payload.kind] : `${ACTIONS[button.payload.kind]}.${position}`;
}

const isString = (value: unknown): value is string => typeof value === 'string';

function slotsOf(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.every(([, v]) => isString(v)) ? (Object.fromEntries(entries) as Record<string, string>) : undefined;
}

/**
 * Reads a clicked button's value back as the payload opsbot gave it; undefined when it is not one opsbot made (an
 * older version's button, or a value altered on the way). What it asks is checked again before anything happens.
 */
export function readPayload<K extends ButtonPayload['kind']>(
  kind: K,
  value: string | undefined,
): Extract<ButtonPayload, { kind: K }> | undefined {
  let parsed: Record<string, unknown>;
  try {
    const json = JSON.parse(value ?? '') as unknown;
    if (typeof json !== 'object' || json === null) return undefined;
    parsed = json as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (parsed.kind !== kind) return undefined;
  let payload: ButtonPayload | undefined;
  switch (kind) {
    case 'choose': {
      const slots = slotsOf(parsed.slots);
      if (isString(parsed.intent) && isString(parsed.userId) && slots !== undefined)
        payload = { kind: 'choose', intent: parsed.intent, slots, userId: parsed.userId };
      break;
    }
    case 'confirm':
    case 'cancel': {
      const slots = slotsOf(parsed.slots);
      if (isString(parsed.intent) && isString(parsed.userId) && isString(parsed.nonce) && slots !== undefined) {
        const decision = { intent: parsed.intent, slots, userId: parsed.userId, nonce: parsed.nonce };
        payload = kind === 'confirm' ? { kind: 'confirm', ...decision } : { kind: 'cancel', ...decision };
      }
      break;
    }
    case 'retry-stage':
      if (isString(parsed.pipeline) && isString(parsed.stage) && isString(parsed.executionId))
        payload = {
          kind: 'retry-stage',
          pipeline: parsed.pipeline,
          stage: parsed.stage,
          executionId: parsed.executionId,
        };
      break;
  }
  return payload as Extract<ButtonPayload, { kind: K }> | undefined;
}
