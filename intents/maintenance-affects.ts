import type { MaintenanceNotice } from '../integrations/maintenance.port';
import type { MaintenanceRules } from './define-intent';

/** The opsbot services a notice concerns: by the configured tag on its resources, or listed in `notices.resources`. */
export function affectedServices(
  notice: MaintenanceNotice,
  rules: Pick<MaintenanceRules, 'serviceTag' | 'resources'>,
): string[] {
  const found = new Set<string>();
  for (const resource of notice.resources) {
    const tagged = resource.tags?.[rules.serviceTag];
    if (tagged !== undefined && tagged !== '') found.add(tagged);
    for (const [service, listed] of Object.entries(rules.resources)) {
      if (
        listed.some(
          (r) =>
            r === resource.id || r === resource.name || resource.id.endsWith(`:${r}`) || resource.id.endsWith(`/${r}`),
        )
      ) {
        found.add(service);
      }
    }
  }
  return [...found].sort();
}
