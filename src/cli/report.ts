/** The drift report as a person reads it (a table and a summary line) and as a pipeline reads it (one JSON document). */
import { terminalText } from '../terminal-text';
import { DriftEntry, DriftStatus, STATUSES } from './drift';
import { table } from './text-table';
import { Fields } from './vendors/view';

export interface DriftDocument {
  summary: Record<DriftStatus, number>;
  pendingApply: boolean;
  grants: DriftEntry[];
}

export function driftDocument(entries: DriftEntry[], pendingApply: boolean): DriftDocument {
  const summary = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<DriftStatus, number>;
  for (const e of entries) summary[e.status]++;
  return { summary, pendingApply, grants: entries };
}

/** Managed fields in a few words: permissions, presence, or each action with its roles (ids shortened). */
export function describeFields(fields: Fields | null): string {
  if (fields === null) return '(nothing)';
  if (Array.isArray(fields.permissions)) return fields.permissions.join(',');
  if (Array.isArray(fields.users)) return `users ${fields.users.join(',')}`;
  if (fields.present === true) return 'present';
  if (fields.actions && typeof fields.actions === 'object') {
    const actions = Object.entries(fields.actions as Record<string, string[]>);
    return actions.length === 0 ? '(no action held)' : actions.map(([a, roles]) => `${a}: ${roles.map((r) => r.slice(0, 8)).join(',')}`).join('; ');
  }
  return JSON.stringify(fields);
}

function describeIdentity(identity: Fields): string {
  return Object.values(identity).filter((v) => v !== null && v !== undefined).join(' / ');
}

export function summaryLine(doc: DriftDocument, lookedForUnmanaged: boolean): string {
  const s = doc.summary;
  const parts = [`${s['in-sync']} in sync`, `${s.missing} missing`, `${s.changed} changed`, `${s.unknown} unknown`];
  if (s.expired > 0) parts.push(`${s.expired} expired`);
  parts.push(lookedForUnmanaged ? `${s.unmanaged} unmanaged` : 'unmanaged not looked for (--unmanaged)');
  const grants = doc.grants.length - s.unmanaged;
  return `${grants} grant${grants === 1 ? '' : 's'} in state: ${parts.join(', ')}.`;
}

export function driftTable(doc: DriftDocument, lookedForUnmanaged: boolean): string {
  const rows = [['STATUS', 'VENDOR', 'CONSTRUCT', 'GRANT', 'DECLARED', 'VENDOR HOLDS']];
  for (const e of doc.grants) {
    rows.push([e.status + (e.fixed ? ' (fixed)' : ''), e.vendor, e.construct ?? '-', describeIdentity(e.identity), e.declared ? describeFields(e.declared) : '-', describeFields(e.actual)]);
  }
  const notes = doc.grants.filter((e) => e.status === 'unknown' || e.status === 'expired' || (e.status !== 'in-sync' && e.status !== 'unmanaged' && /failed/.test(e.detail)))
    .map((e) => `  ${terminalText(e.construct ?? describeIdentity(e.identity))}: ${terminalText(e.detail)}`);
  const lines = [table(rows), ''];
  if (notes.length > 0) lines.push(...notes, '');
  if (doc.pendingApply) lines.push('The synthesized stack differs from what was last applied: this report compares the vendors with the last apply.');
  lines.push(summaryLine(doc, lookedForUnmanaged));
  return `${lines.join('\n')}\n`;
}
