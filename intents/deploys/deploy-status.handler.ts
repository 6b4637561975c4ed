import { defineIntent } from '../define-intent';
import { code, type Line, strong } from '../reply';
import { deployStatusIntent } from './deploy-status.intent';
import { deployStatusReply } from './deployments';
import { readEstate } from './estate';
import { estateReply } from './estate-reply';

/**
 * What runs where, and the deploys asked about. Asked of no one service ("what's running in prod?") or of a version
 * ("where is web v1.9.3?"), the answer carries the estate's table too — the Home tab's, with its buttons.
 */
export const deployStatus = defineIntent(deployStatusIntent, {
  async handle({ slots }, ports) {
    if (slots.service !== undefined && slots.version === undefined) return deployStatusReply(slots, ports);
    const estate = await readEstate(ports, {
      ...(slots.service !== undefined && { service: slots.service }),
      ...(slots.environment !== undefined && { environment: slots.environment }),
    });
    // The versions the estate read are the status's too: ECS is asked again only where the estate could not read it.
    const read = new Map(
      estate.places.flatMap((p) => (p.running.ok ? [[`${p.service}:${p.environment}`, p.running.value] as const] : [])),
    );
    const deployments = new Proxy(ports.deployments, {
      get: (target, property) =>
        property === 'current'
          ? async (service: string, environment: string) =>
              read.get(`${service}:${environment}`) ?? target.current(service, environment)
          : Reflect.get(target, property),
    });
    const reply = await deployStatusReply(slots, { ...ports, deployments });
    const table = estateReply(estate, { title: '', buttons: true, timeZone: ports.rules.timeZone });
    const where: Line[] =
      slots.service !== undefined && slots.version !== undefined
        ? [whereItRuns(slots.service, slots.version, estate.places)]
        : [];
    // What the tables cannot say: environments folded into a line, accounts that could not be read.
    const [, ...estateLines] = table.sections?.[0] ?? [];
    return {
      ...reply,
      ...(where.length > 0 && { summary: where[0] as Line }),
      sections: [
        ...(where.length > 0 ? [where] : []),
        ...(reply.sections ?? []),
        ...(estateLines.length > 0 ? [estateLines] : []),
      ],
      ...(table.tables !== undefined && { tables: table.tables }),
    };
  },
});

/** "web v1.9.3 runs in staging; not in dev (v1.8.0), prod (v1.8.2)". */
function whereItRuns(
  service: string,
  version: string,
  places: ReadonlyArray<{ environment: string; running: { ok: boolean; value?: { version: string } } }>,
): Line {
  const wanted = version.toLowerCase();
  const runs = places.filter((p) => p.running.ok && p.running.value?.version.toLowerCase() === wanted);
  const elsewhere = places.filter((p) => !runs.includes(p));
  const other = elsewhere
    .map((p) => `${p.environment} (${p.running.ok ? p.running.value?.version : 'unreadable'})`)
    .join(', ');
  if (runs.length === 0)
    return [strong(service), ' ', code(version), ` runs nowhere${other !== '' ? `: ${other}` : ''}.`];
  return [
    strong(service),
    ' ',
    code(version),
    ` runs in ${runs.map((p) => p.environment).join(', ')}`,
    ...(other !== '' ? [`; not in ${other}`] : []),
    '.',
  ];
}
