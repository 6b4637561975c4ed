/** Time, as opsbot reads it: real in production; controllable in the sandbox and in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
