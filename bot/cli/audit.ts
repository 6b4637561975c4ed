import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { AuditRecord } from '../../integrations/audit.port';
import { FileStore } from '../../integrations/sandbox/file-store';
import type { Store } from '../../integrations/store.port';
import { StoreAudit } from '../../integrations/store-audit';
import { readSettings } from '../settings';
import { jsonForTerminal, shownInTerminal } from './terminal';

const USAGE = 'usage: opsbot audit [--since 7d|24h|30m|2026-11-01] [--service <name>] [--environment <name>] [--json]';

/** `7d`, `24h`, `30m`, or a date/time: the instant that far back (or that instant). */
export function sinceOf(text: string, now: number): number | undefined {
  const relative = /^(\d{1,4})([dhm])$/.exec(text);
  if (relative !== null) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm'];
    return now - Number(relative[1]) * unit;
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

/** One record as a line: when, what, who, how it ended, the AWS deployment. */
export function auditText(r: AuditRecord): string {
  const target = Object.entries(r.target)
    .filter(([k]) => k !== 'override')
    .map(([, v]) => v)
    .join(' ');
  const line = [
    r.at.slice(0, 16).replace('T', ' '),
    r.action.padEnd(10),
    target.padEnd(28),
    `by ${r.actor.userId}`,
    r.outcome + (r.reason !== undefined ? ` (${r.reason})` : ''),
    ...(r.approvedBy !== undefined ? [`approved by ${r.approvedBy}`] : []),
    ...(r.endedBy !== undefined ? [`ended by ${r.endedBy}`] : []),
    ...(r.deploymentId !== undefined ? [r.deploymentId] : []),
    ...(r.note !== undefined ? [`— ${r.note}`] : []),
  ].join('  ');
  // Every field but the time came from outside at some point (a reason, a note, a name): shown, never obeyed.
  return shownInTerminal(line);
}

/** The Store the deployed or local opsbot writes: DynamoDB with `OPSBOT_TABLE`, else the local data directory. */
async function openStore(): Promise<Store> {
  const settings = readSettings();
  if (settings.tableName !== undefined) {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDbStore } = await import('../../integrations/aws/dynamodb-store.adapter');
    const { recordCalls } = await import('../../integrations/aws/call-ledger');
    return new DynamoDbStore(recordCalls(new DynamoDBClient({}), { caller: 'cli' }), settings.tableName);
  }
  // Read only: the running opsbot owns the journal (appends, compaction); the CLI never rewrites it under it.
  return new FileStore(join(settings.dataDir, 'store.jsonl'), Date.now, { readOnly: true });
}

/** `opsbot audit`: the audit trail outside Slack, newest first; `--json` for one JSON array. */
export async function printAudit(
  args: readonly string[],
  out: Writable,
  err: Writable,
  store?: Store,
  now: number = Date.now(),
): Promise<number> {
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--json') options.set('json', true);
    else if (/^--(since|service|environment)$/.test(arg) && args[i + 1] !== undefined)
      options.set(arg.slice(2), args[++i] as string);
    else {
      err.write(`opsbot audit: unexpected "${shownInTerminal(arg)}"\n${USAGE}\n`);
      return 2;
    }
  }
  const since = sinceOf(String(options.get('since') ?? '7d'), now);
  if (since === undefined) {
    err.write(`opsbot audit: --since takes 7d, 24h, 30m or a date like 2026-11-01\n${USAGE}\n`);
    return 2;
  }
  const service = options.get('service');
  const environment = options.get('environment');
  const audit = new StoreAudit(store ?? (await openStore()), { warn: () => undefined });
  const records = await audit.list({
    since,
    ...(typeof service === 'string' && { service }),
    ...(typeof environment === 'string' && { environment }),
  });
  if (options.get('json') === true) out.write(`${jsonForTerminal(records, 2)}\n`);
  else if (records.length === 0) out.write(`No audit records since ${new Date(since).toISOString()}.\n`);
  else out.write(`${records.map(auditText).join('\n')}\n`);
  return 0;
}
