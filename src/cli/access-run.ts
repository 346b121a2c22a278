/** `access`: reads the stack's scopes with drift's reads, renders the review, writes it. */
import * as fs from 'fs';
import { AccessFormat, accessReport } from './access';
import { renderAccess } from './access-render';
import { collectDrift, openSessions } from './drift';
import { deadlineSeconds } from './drift-run';
import { findStackDir, loadStack, refuseLegacyState } from './stack';
import { terminalText } from '../terminal-text';

export interface AccessOptions { stackDir?: string; stack?: string; format?: AccessFormat; output?: string; deadline?: string }

/** Exit 2 when a scope could not be read (the report and stderr say which), else 0. */
export async function runAccess(options: AccessOptions, env: NodeJS.ProcessEnv, secrets: string[]): Promise<number> {
  const deadline = deadlineSeconds(options.deadline);
  const dir = findStackDir(options.stackDir, process.cwd(), options.stack);
  const stack = await loadStack(dir);
  refuseLegacyState(stack, 'access');
  const readAt = new Date();
  const sessions = await openSessions(stack, env, secrets);
  const drift = await collectDrift(stack, sessions, { unmanaged: true, secrets, deadlineAt: Date.now() + deadline * 1000 });
  const report = accessReport(dir, drift.entries, readAt);
  const rendered = renderAccess(report, options.format ?? 'table');
  if (options.output) {
    fs.writeFileSync(options.output, rendered);
    process.stderr.write(`Wrote the access review (${report.rows.length} rows, ${options.format ?? 'table'}) to ${options.output}.\n`);
  } else {
    process.stdout.write(rendered);
  }
  for (const u of report.unreadable) process.stderr.write(`Could not read ${u.vendor} ${terminalText(u.scope)}: ${terminalText(u.reason)}\n`);
  return report.unreadable.length > 0 ? 2 : 0;
}
