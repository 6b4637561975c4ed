import type { IntentPorts } from '../../define-intent';
import { type Line, link, strong } from '../../reply';
import { within } from '../../within';
import { CHANGES_LISTED, CHANGES_SHOWN, CHANGES_WAIT_MS, changeLine, readChanges } from '../changes';
import type { DeployRun } from './record';
import { errorNote } from './record';
import { tellStory } from './story';

/**
 * Every change a deploy brings (or a downgrade takes out), in its thread once it starts, when its Confirm card had
 * room for only the newest few: at most 50 lines, the compare link for the rest.
 */
export async function tellChanges(run: DeployRun, ports: IntentPorts): Promise<void> {
  const { service, environment } = run;
  const [before, after] = await Promise.all([
    run.previousDigest === undefined ? ports.images.find(service, environment, run.previousVersion) : undefined,
    run.digest === undefined ? ports.images.find(service, environment, run.version) : undefined,
  ]);
  const runningDigest = run.previousDigest ?? before?.digest;
  const targetDigest = run.digest ?? after?.digest;
  const reading = await readChanges(
    service,
    environment,
    { version: run.previousVersion, ...(runningDigest !== undefined && { digest: runningDigest }) },
    { version: run.version, ...(targetDigest !== undefined && { digest: targetDigest }) },
    ports,
  );
  const list = reading.list;
  if ((list.kind !== 'forward' && list.kind !== 'back') || list.changes.length <= CHANGES_SHOWN) return;
  const n = list.changes.length;
  const heading: Line = [
    list.kind === 'forward' ? 'All ' : 'Taken out: all ',
    strong(`${n} changes`),
    ', the newest first',
    ...(n > CHANGES_LISTED ? [` (the newest ${CHANGES_LISTED} here)`] : []),
    ...(list.compare !== undefined ? [' · ', link(list.compare, 'compare')] : []),
  ];
  await tellStory(
    run,
    'changes',
    heading,
    ports,
    list.changes.slice(0, CHANGES_LISTED).map((c) => ['• ', ...changeLine(c)]),
  );
}

/** `tellChanges` within a few seconds, a failure logged: the deploy goes on without its list. */
export async function tellChangesSafely(run: DeployRun, ports: IntentPorts): Promise<void> {
  await within(tellChanges(run, ports), CHANGES_WAIT_MS, 'change list').catch((error: unknown) =>
    ports.log.warn('deploy.changes_unread', { runId: run.id, error: errorNote(error) }),
  );
}
