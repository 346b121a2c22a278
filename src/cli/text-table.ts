import { terminalText } from '../terminal-text';

/**
 * Rows as aligned columns for a terminal: each column as wide as its widest cell, the last one unpadded. Cells hold
 * vendor text, so they are escaped first: no control or bidi character can forge a row or reorder a column. Widths
 * are found with a loop, not `Math.max(...)`, whose arguments overflow the call stack past about 125k rows.
 */
export function table(cells: string[][]): string {
  const rows = cells.map((r) => r.map(terminalText));
  const widths = rows[0].map(() => 0);
  for (const r of rows) r.forEach((cell, i) => { if (cell.length > widths[i]) widths[i] = cell.length; });
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}
