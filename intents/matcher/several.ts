import type { LocalMatcher } from './local-matcher';
import { tokenize } from './normalize';

/** The most targets one message may ask for: beyond it, opsbot asks for fewer rather than post a wall of cards. */
export const MAX_TARGETS = 6;

/**
 * A request that names several services or environments ("deploy web and api to staging", "roll back web in staging
 * and prod"): one slot set per service and environment, in the order they were named, each service with the version
 * said after it (before the next service). Undefined when it names one of each at most. An environment after `from`,
 * or a promotion's `source`, is where something comes from, not a target; each target keeps that source.
 */
export function severalTargets(
  matcher: Pick<LocalMatcher, 'resolver'>,
  text: string,
  source?: string,
): Array<Record<string, string>> | undefined {
  const tokens = tokenize(text);
  const entities = matcher.resolver.extract(tokens);
  const services = entities.filter((e) => e.type === 'Service');
  const environments = entities.filter(
    (e) => e.type === 'Environment' && tokens[e.start - 1]?.word !== 'from' && e.value !== source,
  );
  const serviceNames = [...new Set(services.map((e) => e.value))];
  const environmentNames = [...new Set(environments.map((e) => e.value))];
  if (serviceNames.length <= 1 && environmentNames.length <= 1) return undefined;
  const versions = entities.filter((e) => e.type === 'Version');
  const versionOf = (name: string): string | undefined => {
    const at = services.find((s) => s.value === name) as (typeof services)[number];
    const next = services.find((s) => s.start > at.start && s.value !== name)?.start ?? Number.POSITIVE_INFINITY;
    return versions.find((v) => v.start > at.end - 1 && v.start < next)?.value;
  };
  const targets: Array<Record<string, string>> = [];
  for (const service of serviceNames.length > 0 ? serviceNames : [undefined]) {
    for (const environment of environmentNames.length > 0 ? environmentNames : [undefined]) {
      const version = service !== undefined ? versionOf(service) : versions[0]?.value;
      targets.push({
        ...(service !== undefined && { service }),
        ...(environment !== undefined && { environment }),
        ...(version !== undefined && { version }),
        ...(source !== undefined && { source }),
      });
    }
  }
  return targets;
}
