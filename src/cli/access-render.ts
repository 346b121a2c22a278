/**
 * The access review as a person reads it in a terminal (a table), as a pipeline reads it (JSON), as a spreadsheet
 * opens it (CSV, with cells a spreadsheet would run as a formula escaped), and as an auditor opens it (HTML, see
 * access-html.ts).
 */
import { stringify } from 'csv-stringify/sync';
import type { AccessFormat, AccessReport, AccessRow } from './access';
import { accessHtml } from './access-html';
import { table } from './text-table';

export const CSV_COLUMNS: ReadonlyArray<keyof AccessRow> = ['vendor', 'provider', 'scope', 'principal', 'holds', 'kind', 'status', 'construct', 'expiresAt', 'readAt'];

/**
 * CSV (RFC 4180 quoting). A cell starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe:
 * vendor text (a user or group name) must not become a formula when the file is opened in a spreadsheet.
 */
export function accessCsv(report: AccessReport): string {
  const rows = report.rows.map((r) => CSV_COLUMNS.map((c) => r[c] ?? ''));
  return stringify([CSV_COLUMNS as string[], ...rows], { escape_formulas: true, record_delimiter: 'windows' });
}

export function summaryText(report: AccessReport): string {
  const s = report.summary;
  const principals = new Set(report.rows.map((r) => `${r.vendor} ${r.principal}`)).size;
  const scopes = new Set(report.rows.map((r) => `${r.vendor} ${r.provider} ${r.scope}`)).size;
  return `${report.rows.length} holdings of ${principals} principals in ${scopes} scopes, read at ${report.readAt}: ` +
    `${s.declared} declared, ${s.expiring} expiring, ${s.expired} expired, ${s.unmanaged} unmanaged, ${s['not-held']} not held, ${s.unreadable} unreadable.`;
}

export function accessTable(report: AccessReport): string {
  if (report.rows.length === 0) return `No grants in state in ${report.stackDir}: nothing to review (apply the stack first).\n`;
  const rows = [['VENDOR', 'SCOPE', 'PRINCIPAL', 'HOLDS', 'STATUS']];
  for (const r of report.rows) rows.push([r.vendor, r.scope, r.principal, r.holds || '-', r.status]);
  const lines = [table(rows), ''];
  for (const u of report.unreadable) lines.push(`Could not read ${u.vendor} ${u.scope}: ${u.reason}`);
  if (report.unreadable.length > 0) lines.push('');
  lines.push(summaryText(report));
  return `${lines.join('\n')}\n`;
}

export function renderAccess(report: AccessReport, format: AccessFormat): string {
  switch (format) {
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv': return accessCsv(report);
    case 'html': return accessHtml(report);
    default: return accessTable(report);
  }
}
