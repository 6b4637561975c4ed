/** Reading JSON from outside (an EventBridge event's detail) without trusting its shape. */

export type Loose = Record<string, unknown>;

/** An object, or an empty one for anything else (null, arrays, strings). */
export const obj = (v: unknown): Loose =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : {};

/** A string cut to `max` characters; undefined for anything else. */
export const str = (v: unknown, max: number): string | undefined =>
  typeof v === 'string' ? v.slice(0, max) : undefined;

/** A finite number; undefined for anything else. */
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
