import { Resolver } from 'node:dns/promises';

/**
 * AWS Health's API runs active-passive in two regions (us-east-1 active, us-east-2 passive), and its global name
 * `global.health.amazonaws.com` points at the active one: AWS's guidance is to look it up and call that region's
 * endpoint, signing for its region. The answer is kept for five minutes; when it cannot be read (no DNS, a timeout),
 * the default active region is used.
 */
export const HEALTH_GLOBAL_NAME = 'global.health.amazonaws.com';
export const HEALTH_DEFAULT_REGION = 'us-east-1';
const KEEP_MS = 5 * 60_000;

/**
 * The region of AWS Health's active endpoint, looked up at most every five minutes.
 * @example
 * const region = await activeHealthRegion()(); // 'us-east-1', or 'us-east-2' while Health has failed over
 */
export function activeHealthRegion(
  options: { readonly resolveCname?: (name: string) => Promise<string[]>; readonly now?: () => number } = {},
): () => Promise<string> {
  const resolveCname =
    options.resolveCname ??
    ((name: string) => {
      // One quick try: an unreachable resolver must not hold a digest up.
      const resolver = new Resolver({ timeout: 500, tries: 1 });
      return resolver.resolveCname(name);
    });
  const now = options.now ?? Date.now;
  let known: { region: Promise<string>; at: number } | undefined;
  return () => {
    if (known === undefined || now() - known.at > KEEP_MS) {
      known = {
        at: now(),
        region: resolveCname(HEALTH_GLOBAL_NAME).then(
          (names) =>
            names
              .map((n) => /^health\.([a-z0-9-]+)\.amazonaws\.com\.?$/.exec(n)?.[1])
              .find((r): r is string => r !== undefined) ?? HEALTH_DEFAULT_REGION,
          () => HEALTH_DEFAULT_REGION,
        ),
      };
    }
    return known.region;
  };
}
