/**
 * The `drift` command: the report, then the repairs asked for (--fix through Terraform, --prune at the vendors), each
 * write printed and recorded, then the report of a second read.
 */
import * as readline from 'readline';
import { redact } from '../errors';
import { codeText, terminalText } from '../terminal-text';
import { DRIFT_STATUSES, DriftEntry, DriftResult, collectDrift, openSessions } from './drift';
import { expiredAddresses, revokeExpired } from './expiry';
import { fixThroughTerraform } from './fix-terraform';
import { RepairRecord, auditSink, pruneUnmanaged, repairRecord } from './repair';
import { PendingApply, driftDocument, driftTable, repairLine } from './report';
import { UsageError, findStackDir, loadStack, pendingApply, refuseLegacyState } from './stack';

export interface DriftCliOptions {
  stackDir?: string; stack?: string; json?: boolean; unmanaged?: boolean; fix?: boolean; prune?: boolean; yes?: boolean;
  prunePolicy?: string[]; auditLog?: string; deadline?: string;
}

/** Exit codes (README, "drift"): 0 no drift, 2 drift found, 3 no drift found but some grants could not be read, 1 error. */
export const EXIT = { clean: 0, error: 1, drift: 2, unknown: 3 } as const;
/** The overall deadline of the reads when --deadline is not given, in seconds. */
export const DEFAULT_DEADLINE_SECONDS = 900;

export function exitCode(entries: readonly DriftEntry[]): number {
  if (entries.some((e) => DRIFT_STATUSES.includes(e.status))) return EXIT.drift;
  return entries.some((e) => e.status === 'unknown') ? EXIT.unknown : EXIT.clean;
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

export function deadlineSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_DEADLINE_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--deadline takes a number of seconds above 0, got ${JSON.stringify(text)}`);
  return seconds;
}

export async function runDrift(options: DriftCliOptions, env: NodeJS.ProcessEnv, secrets: string[]): Promise<number> {
  const lookForUnmanaged = Boolean(options.unmanaged || options.prune);
  const deadline = deadlineSeconds(options.deadline);
  const dir = findStackDir(options.stackDir, process.cwd(), options.stack);
  const stack = await loadStack(dir);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  refuseLegacyState(stack, 'drift');
  if (stack.grants.length === 0) {
    if (options.json) process.stdout.write(`${JSON.stringify(driftDocument([], false), null, 2)}\n`);
    else say(`No grants in state in ${dir}: nothing to compare (apply the stack first).`);
    return EXIT.clean;
  }
  const readOptions = { unmanaged: lookForUnmanaged, secrets, prunePolicies: options.prunePolicy ?? [], deadlineAt: Date.now() + deadline * 1000 };
  // The plan needs no vendor: it runs while the vendors are read.
  const planned = pendingApply(dir, expiredAddresses(stack.grants, Date.now()));
  const sessions = await openSessions(stack, env, secrets);
  let result: DriftResult = await collectDrift(stack, sessions, readOptions);
  const plan = await planned;
  const pending: PendingApply = plan.pending ?? 'unknown';
  const pendingReason = plan.pending === undefined ? redact(plan.reason ?? '', secrets) : undefined;
  if (pendingReason !== undefined) say(`Could not tell whether the synthesized stack differs from the last apply: ${terminalText(pendingReason)}`);
  const repairs: RepairRecord[] = [];
  const report = () => {
    const doc = driftDocument(result.entries, pending, repairs, pendingReason);
    process.stdout.write(options.json ? `${codeText(JSON.stringify(doc, null, 2))}\n` : driftTable(doc, lookForUnmanaged));
  };
  const needed = (options.fix && result.entries.some((e) => ['missing', 'changed', 'expired'].includes(e.status))) ||
    (options.prune && result.unmanaged.some((u) => u.entry.prunable));
  if (needed && pending !== false) {
    // Repairs act on what the last apply declared: with code not yet applied, they could bring back a grant the
    // code no longer declares, or remove one it now does.
    report();
    say(`Nothing was repaired: ${pending === true ? 'the synthesized stack differs from what was last applied' : 'it is not known whether the synthesized stack matches the last apply'}. Deploy the stack first, then run drift --fix or --prune again.`);
    return EXIT.error;
  }
  const sink = auditSink(options.auditLog, (r) => say(repairLine(r)));
  if (options.prune && result.unmanaged.length > 0) {
    const chosen = result.unmanaged.filter((u) => u.entry.prunable);
    const list = chosen.map((u) => `  ${u.entry.vendor} ${u.entry.provider} ${codeText(JSON.stringify(u.entry.identity))}`).join('\n');
    if (chosen.length > 0 && !options.yes && !process.stdin.isTTY) {
      report();
      say(`--prune would remove ${chosen.length} unmanaged grant(s):\n${list}\nNothing was removed: there is no terminal to confirm on; pass --yes to remove them.`);
      return EXIT.error;
    }
    if (chosen.length > 0) say(`--prune removes ${chosen.length} unmanaged grant(s) (${result.unmanaged.length - chosen.length} left: see each one's reason):\n${list}`);
    const go = chosen.length === 0 || options.yes || await confirm(`Remove these ${chosen.length} unmanaged grant(s) at the vendors? [y/N] `);
    if (go) for (const r of await pruneUnmanaged(dir, result.unmanaged, sessions, secrets, sink)) repairs.push(r);
    else say('Nothing was removed.');
  }
  if (options.fix) {
    const targets = result.entries.filter((e) => (e.status === 'missing' || e.status === 'changed') && e.address);
    if (targets.length > 0) for (const r of await fixThroughTerraform(dir, targets, secrets, sink)) repairs.push(r);
    // Outside Terraform and its lock: the next apply drops these instances anyway (README, drift).
    const expired = await revokeExpired(stack, result, sessions, secrets);
    for (const e of result.entries.filter((x) => x.status === 'expired')) {
      const reason = expired.failed.get(e.address!);
      const r = repairRecord('revoke-expired', e, reason ? e.actual : null, reason ? 'failed' : 'done', reason ? `The revoke failed: ${reason}` : 'Revoked at the vendor (outside Terraform).');
      repairs.push(r);
      sink(r);
    }
  }
  if (repairs.length > 0) {
    // The report after repairs is a second read of the state and the vendors, never what the repairs intended.
    result = await collectDrift(await loadStack(dir), sessions, { ...readOptions, deadlineAt: Date.now() + deadline * 1000 });
    for (const e of result.entries) {
      const mine = repairs.filter((r) => r.address !== null && r.address === e.address && r.action !== 'prune');
      // "fixed" is what the second read shows, not what a repair call answered.
      if (mine.some((r) => r.outcome === 'done')) {
        if (e.status === 'in-sync') e.fixed = true;
        else e.detail += ' A repair was made, yet the vendor still differs.';
      }
      const failed = mine.find((r) => r.outcome === 'failed');
      if (failed) e.detail += ` The repair failed: ${failed.detail}`;
    }
  }
  report();
  if (result.readOk === 0 && result.readFailed > 0) {
    say('No vendor could be read: check the URL and credential variables the report names (the same ones apply uses).');
    return EXIT.error;
  }
  return exitCode(result.entries);
}
