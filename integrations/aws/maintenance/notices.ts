import type { NoticeAccount } from '../../maintenance.port';
import type { AwsAccount } from '../clients';

/*
 * What every maintenance source shares: how a call is made (read only, retried by the adapter's options), and how
 * AWS's answers become notice fields (the account, plain text of bounded length, dates as epoch milliseconds).
 */

/** A read, retried when throttled or when AWS fails on its side. */
export type Call = <T>(fn: () => Promise<T>) => Promise<T>;

const MAX_TEXT = 2_000;

export const accountOf = (account: AwsAccount): NoticeAccount => ({ id: account.id, name: account.name });
export const text = (v: string | undefined) => (v ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
export const ms = (d: Date | undefined) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.getTime() : undefined);
