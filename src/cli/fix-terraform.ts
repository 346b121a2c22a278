/**
 * `drift --fix` through Terraform: the apply instances of the missing or changed grants are replaced
 * (`terraform plan -replace=<address> -target=<address>`, then `terraform apply` of that saved plan), so their
 * create-time provisioners grant again under Terraform's state lock, and the state records the run. Terraform refuses
 * a saved plan once the state changed after it was made, so a deploy that ends in between wins; a grant that is no
 * longer in state is never re-granted, nor reported fixed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { redact } from '../errors';
import type { DriftEntry } from './drift';
import { RecordSink, RepairRecord, repairRecord } from './repair';
import { grantsFromState, readState, runTerraform } from './stack';

/** How long Terraform waits for the state lock (a deploy may hold it). */
const LOCK_TIMEOUT = '300s';

const tail = (text: string, secrets: string[]) => redact(text.trim().split('\n').slice(-6).join(' '), secrets);

export async function fixThroughTerraform(dir: string, entries: readonly DriftEntry[], secrets: string[], sink: RecordSink): Promise<RepairRecord[]> {
  const records: RepairRecord[] = [];
  const emit = (e: DriftEntry, outcome: RepairRecord['outcome'], detail: string) => {
    const r = repairRecord('fix', e, outcome === 'done' ? e.declared : e.actual, outcome, detail);
    records.push(r);
    sink(r);
  };
  // Read again just before acting: a deploy since the report may have removed a grant on purpose.
  const inState = new Set(grantsFromState(await readState(dir)).map((g) => g.address));
  const targets: DriftEntry[] = [];
  for (const e of entries) {
    if (inState.has(e.address!)) targets.push(e);
    else emit(e, 'skipped', 'Not re-granted: it is no longer in state (a deploy removed it after this report read the state).');
  }
  if (targets.length === 0) return records;

  const planDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saas-fix-'));
  const planFile = path.join(planDir, 'plan');
  try {
    const lock = [`-lock-timeout=${LOCK_TIMEOUT}`, '-input=false', '-no-color'];
    const plan = await runTerraform(dir, ['plan', ...lock, `-out=${planFile}`, ...targets.flatMap((e) => [`-replace=${e.address}`, `-target=${e.address}`])]);
    if (plan.code !== 0) {
      for (const e of targets) emit(e, 'failed', `terraform plan failed: ${tail(plan.stderr || plan.stdout, secrets)}`);
      return records;
    }
    const shown = JSON.parse((await runTerraform(dir, ['show', '-json', planFile])).stdout) as {
      resource_changes?: Array<{ address: string; change: { actions: string[]; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null } }>;
    };
    const wanted = new Set(targets.map((e) => e.address!));
    const changes = (shown.resource_changes ?? []).filter((c) => !['no-op', 'read'].includes(c.change.actions.join()));
    // A replacement that would grant something else than the state records is the code ahead of the state: a deploy.
    const declaredAs = (v?: Record<string, unknown> | null) => JSON.stringify(v?.triggers_replace ?? v?.triggers ?? null);
    const replaced = new Set(changes.filter((c) => wanted.has(c.address) && c.change.actions.includes('delete') && c.change.actions.includes('create') &&
      declaredAs(c.change.before) === declaredAs(c.change.after)).map((c) => c.address));
    const other = changes.filter((c) => !replaced.has(c.address));
    if (other.length > 0) {
      // Anything else would be a deploy: the state or the code changed since the report.
      const what = other.slice(0, 5).map((c) => `${c.address} (${c.change.actions.join('+')})`).join(', ');
      for (const e of targets) emit(e, 'skipped', `Not re-granted: the plan made under the state lock would also change ${what}; deploy first.`);
      return records;
    }
    const apply = await runTerraform(dir, ['apply', ...lock, planFile]);
    const after = new Map(grantsFromState(await readState(dir)).map((g) => [g.address, g]));
    for (const e of targets) {
      const grant = after.get(e.address!);
      if (!replaced.has(e.address!) || !grant) emit(e, 'skipped', 'Not re-granted: it is no longer in state.');
      else if (apply.code !== 0 && /stale/i.test(apply.stderr)) emit(e, 'skipped', 'Not re-granted: the state changed after the plan (a deploy ran); run drift again.');
      else if (apply.code !== 0 || grant.tainted) emit(e, 'failed', `terraform apply failed: ${tail(apply.stderr || apply.stdout, secrets)}`);
      else emit(e, 'done', `Granted again by terraform apply -replace=${e.address}.`);
    }
    return records;
  } finally {
    fs.rmSync(planDir, { recursive: true, force: true });
  }
}
