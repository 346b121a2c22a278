/**
 * The access review as one self-contained HTML file an auditor can open anywhere: inline CSS and script, a content
 * security policy that forbids every network load, every vendor text escaped. A matrix of principals (rows) by
 * scopes (columns) with the status in each cell, then every holding as a list; both sort by a click on a header.
 */
import escapeHtml from 'escape-html';
import type { AccessKind, AccessReport, AccessRow } from './access';
import { summaryText } from './access-render';

const LABELS: Record<AccessKind, string> = {
  declared: 'declared', expiring: 'expiring', expired: 'expired', unmanaged: 'unmanaged', 'not-held': 'not held', unreadable: 'unreadable',
};

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1b1f24; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #57606a; margin: 0 0 12px; } code { font-size: 13px; }
.alert { background: #ffebe9; border: 1px solid #cf222e; padding: 8px 12px; margin: 8px 0; }
table { border-collapse: collapse; margin-bottom: 8px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; cursor: pointer; user-select: none; white-space: nowrap; }
thead th[aria-sort="ascending"]::after { content: " \\25B2"; } thead th[aria-sort="descending"]::after { content: " \\25BC"; }
tbody th { font-weight: normal; white-space: nowrap; }
#matrix thead th { white-space: normal; min-width: 7em; max-width: 13em; }
td small { display: block; color: #57606a; }
.k-declared { background: #dafbe1; } .k-expiring { background: #fff8c5; } .k-expired { background: #ffcecb; }
.k-unmanaged { background: #ffd8b5; } .k-not-held { background: #eaeef2; } .k-unreadable { background: #d0d7de; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border: 1px solid #d0d7de; }
`;

// Sorts a table's body rows by the clicked column's text (numbers in order), toggling the direction.
const SCRIPT = `
document.querySelectorAll('table.sortable').forEach(function (table) {
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (th, index) {
    th.addEventListener('click', function () {
      var descending = th.getAttribute('aria-sort') === 'ascending';
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var order = a.cells[index].textContent.localeCompare(b.cells[index].textContent, undefined, { numeric: true });
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
`;

const e = (value: unknown) => escapeHtml(value === null || value === undefined ? '' : String(value));

/** Vendors with more than one provider in the report: their scopes and principals name the provider too. */
function multiProvider(rows: readonly AccessRow[]): Set<string> {
  const providers = new Map<string, Set<string | null>>();
  for (const r of rows) providers.set(r.vendor, (providers.get(r.vendor) ?? new Set()).add(r.provider));
  return new Set([...providers].filter(([, p]) => p.size > 1).map(([v]) => v));
}

function matrix(rows: readonly AccessRow[]): string {
  const multi = multiProvider(rows);
  const where = (r: AccessRow) => (multi.has(r.vendor) ? ` [${r.provider ?? ''}]` : '');
  const scopes = new Map<string, string>();
  const principals = new Map<string, { vendor: string; label: string; cells: Map<string, AccessRow[]> }>();
  for (const r of rows) {
    const scopeKey = `${r.vendor}\u0000${r.provider}\u0000${r.scope}`;
    scopes.set(scopeKey, `${r.vendor}: ${r.scope}${where(r)}`);
    const principalKey = `${r.vendor}\u0000${multi.has(r.vendor) ? r.provider : ''}\u0000${r.principal}`;
    const principal = principals.get(principalKey) ?? { vendor: r.vendor, label: `${r.principal}${where(r)}`, cells: new Map() };
    principal.cells.set(scopeKey, [...(principal.cells.get(scopeKey) ?? []), r]);
    principals.set(principalKey, principal);
  }
  const head = ['Principal', 'Vendor', ...scopes.values()].map((h) => `<th scope="col">${e(h)}</th>`).join('');
  const body = [...principals.values()].map((p) => {
    const cells = [...scopes.keys()].map((scope) => {
      const held = p.cells.get(scope);
      if (!held) return '<td></td>';
      const kind = held[0].kind;
      const label = held.map((r) => (r.kind === 'expiring' || r.kind === 'expired' ? `${LABELS[r.kind]} ${r.expiresAt}` : LABELS[r.kind])).join('; ');
      const holds = held.map((r) => r.holds).filter((h) => h !== '').join('; ');
      return `<td class="k-${kind}" title="${e(held.map((r) => r.status).join('\n'))}">${e(label)}${holds ? `<small>${e(holds)}</small>` : ''}</td>`;
    }).join('');
    return `<tr><th scope="row">${e(p.label)}</th><td>${e(p.vendor)}</td>${cells}</tr>`;
  }).join('\n');
  return `<table id="matrix" class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function holdings(rows: readonly AccessRow[]): string {
  const head = ['Vendor', 'Provider', 'Scope', 'Principal', 'Holds', 'Status', 'Expires'].map((h) => `<th scope="col">${h}</th>`).join('');
  const body = rows.map((r) => `<tr class="k-${r.kind}"><td>${e(r.vendor)}</td><td>${e(r.provider)}</td><td>${e(r.scope)}</td><td>${e(r.principal)}</td>` +
    `<td>${e(r.holds)}</td><td>${e(r.status)}</td><td>${e(r.expiresAt)}</td></tr>`).join('\n');
  return `<table id="holdings" class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function accessHtml(report: AccessReport): string {
  const legend = (Object.keys(LABELS) as AccessKind[]).map((k) => `<span class="k-${k}">${LABELS[k]}</span>`).join('');
  const alerts = report.unreadable.map((u) => `<div class="alert">Could not read ${e(u.vendor)} ${e(u.scope)}: ${e(u.reason)}</div>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Access review, read at ${e(report.readAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Access review</h1>
<p class="meta">Stack <code>${e(report.stackDir)}</code>, read at the vendors at <time datetime="${e(report.readAt)}">${e(report.readAt)}</time>.<br>${e(summaryText(report))}</p>
${alerts}
<p class="legend">${legend}</p>
<h2>Principals by scope</h2>
<p class="meta">Click a header to sort by it; click again to reverse.</p>
${report.rows.length > 0 ? matrix(report.rows) : '<p>No grants in state: nothing to review.</p>'}
<h2>Every holding</h2>
${holdings(report.rows)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
