/** `access`: reads the stack's scopes with drift's reads, renders the review, writes it. */
import * as fs from 'fs';
import { AccessFormat, accessReport } from './access';
import { renderAccess } from './access-render';
import { collectDrift, openSessions } from './drift';
import { findStackDir, loadStack } from './stack';

export interface AccessOptions { stackDir?: string; format?: AccessFormat; output?: string }

/** Exit 2 when a scope could not be read (the report and stderr say which), else 0. */
export async function runAccess(options: AccessOptions, env: NodeJS.ProcessEnv, secrets: string[]): Promise<number> {
  const dir = findStackDir(options.stackDir);
  const stack = await loadStack(dir);
  const readAt = new Date();
  const sessions = await openSessions(stack, env, secrets);
  const drift = await collectDrift(stack, sessions, { unmanaged: true, secrets });
  const report = accessReport(dir, drift.entries, readAt);
  const rendered = renderAccess(report, options.format ?? 'table');
  if (options.output) {
    fs.writeFileSync(options.output, rendered);
    process.stderr.write(`Wrote the access review (${report.rows.length} rows, ${options.format ?? 'table'}) to ${options.output}.\n`);
  } else {
    process.stdout.write(rendered);
  }
  for (const u of report.unreadable) process.stderr.write(`Could not read ${u.vendor} ${u.scope}: ${u.reason}\n`);
  return report.unreadable.length > 0 ? 2 : 0;
}
