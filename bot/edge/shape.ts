/**
 * The few checks the Slack edge needs to validate a payload: small enough to cost nothing on a cold start, where the
 * schema library the configuration uses took ~5 ms of CPU and ~18 KB of code to build the same checks. Each is a
 * plain function returning a type guard; none throws on any value JSON or a form can produce, and none looks past
 * the fields it is given.
 * @example
 * const user = looseObject({ id: string({ pattern: /^U[A-Z0-9]+$/ }), name: optional(string({ max: 80 })) });
 * if (user(JSON.parse(body))) …
 */

/** A check of a value of unknown type; when it passes, the value has type `T`. */
export type Check<T> = (value: unknown) => value is T;

type Checked<C> = C extends Check<infer T> ? T : never;

/**
 * A string (a primitive, never a `String` object), at most `max` and at least `min` UTF-16 code units long, that
 * `pattern` matches. Lengths are checked first, so a huge string never reaches the regular expression.
 */
export function string(rules: { readonly pattern?: RegExp; readonly min?: number; readonly max?: number } = {}) {
  const { pattern, min = 0, max = Number.POSITIVE_INFINITY } = rules;
  return (value: unknown): value is string => {
    if (typeof value !== 'string' || value.length < min || value.length > max) return false;
    if (pattern === undefined) return true;
    // A global or sticky pattern remembers where it stopped: every test starts from the beginning.
    pattern.lastIndex = 0;
    return pattern.test(value);
  };
}

/** Exactly one of these values (a literal, when there is one). */
export function oneOf<const T extends readonly string[]>(...values: T) {
  return (value: unknown): value is T[number] => typeof value === 'string' && values.includes(value);
}

/** `undefined` (a missing field) or what `check` accepts. */
export function optional<T>(check: Check<T>) {
  return (value: unknown): value is T | undefined => value === undefined || check(value);
}

/** `null` or what `check` accepts. */
export function nullable<T>(check: Check<T>) {
  return (value: unknown): value is T | null => value === null || check(value);
}

/**
 * An object (not null, not an array) whose fields pass their checks; fields not named are allowed and left
 * unchecked. A field is read as `value[key]`, so a missing one is `undefined` and passes only when `optional`.
 */
export function looseObject<const S extends Readonly<Record<string, Check<unknown>>>>(fields: S) {
  const entries = Object.entries(fields);
  return (value: unknown): value is { readonly [K in keyof S]: Checked<S[K]> } & Readonly<Record<string, unknown>> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const record = value as Record<string, unknown>;
    for (const [key, check] of entries) if (!check(record[key])) return false;
    return true;
  };
}

/** An array of `min` to `max` items, each passing `item`. The length is checked before any item is. */
export function array<T>(item: Check<T>, rules: { readonly min?: number; readonly max?: number } = {}) {
  const { min = 0, max = Number.POSITIVE_INFINITY } = rules;
  return (value: unknown): value is readonly T[] => {
    if (!Array.isArray(value) || value.length < min || value.length > max) return false;
    for (let i = 0; i < value.length; i++) if (!item(value[i])) return false;
    return true;
  };
}
