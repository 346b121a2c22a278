/** The drift report as a person reads it (a table and a summary line) and as a pipeline reads it (one JSON document). */
import { terminalText } from '../terminal-text';
import { DriftEntry, DriftStatus, STATUSES } from './drift';
import { RepairRecord } from './repair';
import { table } from './text-table';
import { Fields } from './vendors/view';

/** Counts of the writes a run made besides the statuses: grants brought back (or expired ones revoked), and removals. */
export const REPAIR_COUNTS = ['fixed', 'pruned'] as const;

/** true / false, or "unknown" when drift's own plan could not run (`pendingApplyReason` says why). */
export type PendingApply = boolean | 'unknown';

export interface DriftDocument {
  summary: Record<DriftStatus | typeof REPAIR_COUNTS[number], number>;
  pendingApply: PendingApply;
  pendingApplyReason?: string;
  grants: DriftEntry[];
  /** Every write --fix and --prune made or skipped, in order. */
  repairs: RepairRecord[];
}

export function driftDocument(entries: DriftEntry[], pendingApply: PendingApply, repairs: RepairRecord[] = [], pendingApplyReason?: string): DriftDocument {
  const summary = Object.fromEntries([...STATUSES, ...REPAIR_COUNTS].map((s) => [s, 0])) as DriftDocument['summary'];
  for (const e of entries) {
    summary[e.status]++;
    // Counted from the read after the repairs: a write the vendor answered but did not keep is not a fix.
    if (e.fixed) summary.fixed++;
  }
  for (const r of repairs) if (r.outcome === 'done' && r.action === 'prune') summary.pruned++;
  return { summary, pendingApply, ...(pendingApplyReason ? { pendingApplyReason } : {}), grants: entries, repairs };
}

/** Managed fields in a few words: permissions, presence, or each action with its roles (ids shortened). */
export function describeFields(fields: Fields | null, unread = false): string {
  if (fields === null) return unread ? '(not read)' : '(nothing)';
  if (Array.isArray(fields.permissions)) return fields.permissions.join(',');
  if (Array.isArray(fields.users)) return `users ${fields.users.join(',')}`;
  if (fields.present === true) return 'present';
  if (fields.actions && typeof fields.actions === 'object') {
    const actions = Object.entries(fields.actions as Record<string, string[]>);
    return actions.length === 0 ? '(no action held)' : actions.map(([a, roles]) => `${a}: ${roles.map((r) => r.slice(0, 8)).join(',')}`).join('; ');
  }
  return JSON.stringify(fields);
}

export function describeIdentity(identity: Fields): string {
  return Object.values(identity).filter((v) => v !== null && v !== undefined).join(' / ');
}

export function summaryLine(doc: DriftDocument, lookedForUnmanaged: boolean): string {
  const s = doc.summary;
  const parts = [`${s['in-sync']} in sync`, `${s.missing} missing`, `${s.changed} changed`, `${s.unknown} unknown`];
  if (s.expired > 0) parts.push(`${s.expired} expired`);
  parts.push(lookedForUnmanaged ? `${s.unmanaged} unmanaged` : 'unmanaged not looked for (--unmanaged)');
  const grants = doc.grants.length - s.unmanaged;
  const repaired = doc.repairs.length > 0 ? ` Repairs: ${s.fixed} fixed, ${s.pruned} pruned.` : '';
  return `${grants} grant${grants === 1 ? '' : 's'} in state: ${parts.join(', ')}.${repaired}`;
}

/** One line per write, as printed when it happens. */
export function repairLine(r: RepairRecord): string {
  const what = `${r.vendor} ${r.provider ?? '-'} ${r.construct ?? '-'} ${describeIdentity(r.identity)}`;
  const verb = { done: { fix: 'fixed', 'revoke-expired': 'revoked (expired)', prune: 'pruned' }[r.action], failed: `${r.action} failed`, skipped: `${r.action} skipped` }[r.outcome];
  return terminalText(`${verb}: ${what}: ${describeFields(r.before)} -> ${describeFields(r.after)}. ${r.detail}`);
}

export function driftTable(doc: DriftDocument, lookedForUnmanaged: boolean): string {
  const rows = [['STATUS', 'VENDOR', 'PROVIDER', 'CONSTRUCT', 'GRANT', 'DECLARED', 'VENDOR HOLDS']];
  for (const e of doc.grants) {
    rows.push([
      e.status + (e.fixed ? ' (fixed)' : ''), e.vendor, e.provider ?? '-', e.construct ?? '-', describeIdentity(e.identity),
      e.declared ? describeFields(e.declared) : '-', describeFields(e.actual, e.status === 'unknown'),
    ]);
  }
  const noted = (e: DriftEntry) => e.status === 'unknown' || e.status === 'expired' || (e.status === 'unmanaged' && e.prunable === false) ||
    (e.status !== 'in-sync' && e.status !== 'unmanaged' && /failed/.test(e.detail));
  const lines = [table(rows), ''];
  // Loops, not push(...spread): a spread of a large array overflows the call stack.
  let notes = 0;
  for (const e of doc.grants) {
    if (!noted(e)) continue;
    lines.push(`  ${terminalText(e.construct ?? describeIdentity(e.identity))}: ${terminalText(e.detail)}`);
    notes++;
  }
  if (notes > 0) lines.push('');
  if (doc.repairs.length > 0) {
    lines.push('Repairs:');
    for (const r of doc.repairs) lines.push(`  ${repairLine(r)}`);
    lines.push('');
  }
  if (doc.pendingApply === true) lines.push('The synthesized stack differs from what was last applied: this report compares the vendors with the last apply.');
  if (doc.pendingApply === 'unknown') lines.push(`Whether the synthesized stack differs from the last apply is unknown: ${terminalText(doc.pendingApplyReason ?? '')}`);
  lines.push(summaryLine(doc, lookedForUnmanaged));
  return `${lines.join('\n')}\n`;
}
