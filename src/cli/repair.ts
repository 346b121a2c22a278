/**
 * What `drift --prune` and `drift --fix` write, and the record of each write: printed as it happens, listed in the
 * report, and appended to the audit log (`--audit-log`) as one JSON line. Prune runs outside Terraform (what it
 * removes is in no state), so it re-reads the state and the vendor just before writing, and writes only what is
 * still held and still declared by nothing.
 */
import * as fs from 'fs';
import pLimit from 'p-limit';
import { redact } from '../errors';
import { VENDOR_CLIENTS } from '../vendors';
import type { DriftEntry, ProviderSessions, UnmanagedGrant } from './drift';
import { StateGrant, grantsFromState, providerKey, readState } from './stack';
import { VENDOR_VIEWS } from './vendors';
import { Fields } from './vendors/view';

export type RepairAction = 'fix' | 'prune' | 'revoke-expired';
/** done: the vendor answered as documented; failed: it did not (the detail says why); skipped: nothing was sent. */
export type RepairOutcome = 'done' | 'failed' | 'skipped';

export interface RepairRecord {
  action: RepairAction;
  vendor: string;
  provider: string | null;
  construct: string | null;
  address: string | null;
  identity: Fields;
  before: Fields | null;
  after: Fields | null;
  outcome: RepairOutcome;
  detail: string;
  /** When the write ended (or was skipped), ISO 8601. */
  at: string;
}

/** Receives each record as it is made: prints it, appends it to the audit log. */
export type RecordSink = (record: RepairRecord) => void;

export function repairRecord(
  action: RepairAction, entry: DriftEntry, after: Fields | null, outcome: RepairOutcome, detail: string,
): RepairRecord {
  return {
    action, vendor: entry.vendor, provider: entry.provider, construct: entry.construct, address: entry.address, identity: entry.identity,
    before: entry.actual, after, outcome, detail, at: new Date().toISOString(),
  };
}

/**
 * A sink that appends each record to `file` as one JSON line (created if absent, never truncated, so one file can
 * collect every run), and calls `next`. Records of writes skipped before any call are not written: the log holds
 * what was sent to a vendor.
 */
export function auditSink(file: string | undefined, next: RecordSink): RecordSink {
  if (file) fs.appendFileSync(file, '');
  return (record) => {
    if (file && record.outcome !== 'skipped') fs.appendFileSync(file, `${JSON.stringify(record)}\n`);
    next(record);
  };
}

const sameIdentity = (a: Fields, b: Fields) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Removes the prunable unmanaged grants. Per scope, just before writing: the state is read again (a deploy may now
 * declare the grant) and so is the vendor (it may be gone, or held by another grant); only what is still unmanaged
 * is revoked, with the calls a revoke makes.
 */
export async function pruneUnmanaged(
  dir: string, unmanaged: readonly UnmanagedGrant[], sessions: ProviderSessions, secrets: string[], sink: RecordSink,
): Promise<RepairRecord[]> {
  const records: RepairRecord[] = [];
  const emit = (r: RepairRecord) => { records.push(r); sink(r); };
  for (const u of unmanaged) if (!u.entry.prunable) emit(repairRecord('prune', u.entry, u.held.actual, 'skipped', u.entry.detail));
  const chosen = unmanaged.filter((u) => u.entry.prunable);
  if (chosen.length === 0) return records;
  const fresh = grantsFromState(await readState(dir));
  const scopeKey = (vendor: StateGrant['vendor'], providerId: string, scope: unknown) => `${providerKey(vendor, providerId)} ${VENDOR_CLIENTS[vendor].scopeKey(scope)}`;
  const groups = new Map<string, UnmanagedGrant[]>();
  for (const u of chosen) {
    const key = scopeKey(u.provider.vendor, u.provider.providerId, u.scope);
    const group = groups.get(key) ?? [];
    group.push(u);
    groups.set(key, group);
  }
  const limit = pLimit(8);
  await Promise.all([...groups.entries()].map(([key, group]) => limit(async () => {
    const { provider, scope } = group[0];
    const client = VENDOR_CLIENTS[provider.vendor];
    const declared = fresh.filter((g) => g.vendor === provider.vendor && scopeKey(g.vendor, g.providerId, client.scopeOf(g.resource)) === key).map((g) => g.resource);
    let stillUnmanaged: Fields[];
    try {
      const session = await sessions.get(providerKey(provider.vendor, provider.providerId))!.open();
      const read = await client.read(scope, session);
      stillUnmanaged = read.exists ? VENDOR_VIEWS[provider.vendor].unmanaged(scope, read.held, declared).map((h) => h.identity) : [];
    } catch (error) {
      const reason = redact((error as Error).message, secrets);
      for (const u of group) emit(repairRecord('prune', u.entry, u.held.actual, 'skipped', `Not removed: the scope could not be read again just before: ${reason}`));
      return;
    }
    for (const u of group) {
      if (!stillUnmanaged.some((i) => sameIdentity(i, u.entry.identity))) {
        emit(repairRecord('prune', u.entry, u.held.actual, 'skipped', 'Not removed: read again just before, it is now declared in state or no longer held.'));
        continue;
      }
      try {
        const session = await sessions.get(providerKey(provider.vendor, provider.providerId))!.open();
        await client.revoke(u.held.resource, session);
        emit(repairRecord('prune', u.entry, null, 'done', 'Removed at the vendor.'));
      } catch (error) {
        emit(repairRecord('prune', u.entry, u.held.actual, 'failed', `The removal failed: ${redact((error as Error).message, secrets)}`));
      }
    }
  })));
  return records;
}
