import { OpsbotError } from '../integrations/errors';

/**
 * The answer of a capability whose AWS side is not built yet: says what was understood,
 * so a person can check the bot read them right, and that nothing was changed.
 */
export function notConnected(understood: string): never {
  throw new OpsbotError(
    'NOT_CONNECTED',
    `I understood: ${understood}. This opsbot is not connected to an AWS account yet, so nothing was done.`,
    'Try `/deploy help` to see what I can do.',
  );
}
