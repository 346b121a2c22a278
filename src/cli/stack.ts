/**
 * What the command-line tool knows of a stack: the synthesized configuration (which providers the stack has now,
 * with their settings) and the state of the last apply, read with `terraform show -json` so every backend works.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  IDENTITY_FIELDS, ProviderSettings, StoredGrant, TRIGGER_PATH_PREFIX, VENDORS, VendorName, parseApplyTrigger, parseStoredGrant,
  splitInstanceKey,
} from '../contract';
import { RevokeSettings, revokeSettings } from '../stored-settings';
import { readStackManifests } from '../stack-manifest';

/** A failure the user must act on: the message says what to do; the tool exits 1. */
export class UsageError extends Error {}

/**
 * A state still holding 0.1.0's per-provider blocks is refused by every command that reads it: those grants would be
 * reported unmanaged (and pruned) until the upgrade apply.
 */
export function refuseLegacyState(stack: { dir: string; legacy: readonly string[] }, command: string): void {
  if (stack.legacy.length === 0) return;
  throw new UsageError(`the state of ${stack.dir} still holds blocks written by 0.1.0 (${stack.legacy.slice(0, 3).join(', ')}${stack.legacy.length > 3 ? ', ...' : ''}): ` +
    `their grants would be reported unmanaged and pruned. Apply the stack with this version first (README, "Upgrading from 0.1.0"), then run ${command}.`);
}

/** One grant as the last apply left it in state, with what reaching its vendor takes. */
export interface StateGrant {
  readonly vendor: VendorName;
  readonly providerId: string;
  readonly key: string;
  /** Address of the grant's apply instance. */
  readonly address: string;
  readonly path: string | null;
  /** The declared fields, resolved: what the last apply asked of the vendor. */
  readonly resource: Record<string, unknown>;
  readonly stored: StoredGrant;
  /** The apply failed (the instance is tainted): declared, but the vendor may not hold it. */
  readonly tainted: boolean;
}

/** A provider of the stack: its current settings, or the ones stored with its grants when it was deleted. */
export interface StackProvider {
  readonly vendor: VendorName;
  readonly providerId: string;
  /** The provider construct's path, or a description when it no longer exists. */
  readonly path: string;
  readonly settings: Pick<ProviderSettings, 'connection' | 'http'>;
  /** The provider says this stack alone manages its grants' scopes (`exclusiveScope`): only then may prune remove. */
  readonly exclusiveScope: boolean;
  /** Settings found only in state that the code does not declare: used only once confirmed (src/stored-settings.ts). */
  readonly unconfirmed?: RevokeSettings['unconfirmed'];
}

export interface StackView {
  readonly dir: string;
  readonly grants: StateGrant[];
  readonly providers: Map<string, StackProvider>;
  /** Addresses in state that only 0.1.0 wrote (per-provider blocks, revoke instances without a construct path). */
  readonly legacy: string[];
}

export function providerKey(vendor: VendorName, providerId: string): string {
  return `${vendor}/${providerId}`;
}

/** The stack directory to use: the one given, else the stack named, else the only one under ./cdktf.out/stacks. */
export function findStackDir(given: string | undefined, cwd = process.cwd(), name?: string): string {
  if (given && name) throw new UsageError('pass --stack-dir or --stack, not both');
  if (name) given = path.join('cdktf.out', 'stacks', name);
  if (given) {
    const dir = path.resolve(cwd, given);
    if (!fs.existsSync(path.join(dir, 'cdk.tf.json'))) {
      throw new UsageError(`${dir} has no cdk.tf.json: pass a synthesized stack directory (cdktf.out/stacks/<stack>) to --stack-dir`);
    }
    return dir;
  }
  const root = path.join(cwd, 'cdktf.out', 'stacks');
  const stacks = fs.existsSync(root) ? fs.readdirSync(root).filter((s) => fs.existsSync(path.join(root, s, 'cdk.tf.json'))) : [];
  if (stacks.length === 0) throw new UsageError(`no synthesized stack under ${root}: run "cdktf synth" first, or pass --stack-dir`);
  if (stacks.length > 1) {
    throw new UsageError(`${stacks.length} stacks under ${root} (${stacks.join(', ')}): pick one with --stack ${stacks[0]} or --stack-dir ${path.join('cdktf.out', 'stacks', stacks[0])}`);
  }
  return path.join(root, stacks[0]);
}

export function runTerraform(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('terraform', args, { cwd: dir, maxBuffer: 1 << 30, env: { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new UsageError(`cannot run terraform (${error.message}): it must be on the PATH`));
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

async function terraformOrFail(dir: string, args: string[], what: string): Promise<string> {
  const run = await runTerraform(dir, args);
  if (run.code !== 0) throw new UsageError(`terraform ${args[0]} failed in ${dir} (${what}):\n${run.stderr.trim() || run.stdout.trim()}`);
  return run.stdout;
}

/** Runs `terraform init` when the directory has not been initialised, as a deploy would. */
export async function ensureInitialised(dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, '.terraform'))) return;
  await terraformOrFail(dir, ['init', '-input=false', '-no-color'], 'needed to read the state; a null_resource stack needs the hashicorp/null provider');
}

interface StateResource { address: string; type: string; name: string; index?: unknown; tainted?: boolean; values: Record<string, unknown> }

/** The stack's resources in state, from `terraform show -json`; none when nothing was applied yet. */
export async function readState(dir: string): Promise<StateResource[]> {
  const text = await terraformOrFail(dir, ['show', '-json', '-no-color'], 'reading the state');
  const state = JSON.parse(text) as { values?: { root_module?: { resources?: StateResource[] } } };
  return state.values?.root_module?.resources ?? [];
}

/** The providers the synthesized stack has now, from the "//" manifest of each vendor's revoke block. */
export function readManifest(dir: string): Map<string, StackProvider> {
  const providers = new Map<string, StackProvider>();
  for (const { manifest } of readStackManifests(dir)) {
    for (const [providerId, settings] of Object.entries(manifest.providers)) {
      const exclusiveScope = (manifest.exclusiveScope ?? []).includes(providerId);
      providers.set(providerKey(manifest.vendor, providerId), { vendor: manifest.vendor, providerId, path: settings.path, settings, exclusiveScope });
    }
  }
  return providers;
}

/** The grants the state holds: each vendor's apply instances, joined with their revoke instances by key. */
export function grantsFromState(resources: readonly StateResource[]): StateGrant[] {
  const grants: StateGrant[] = [];
  for (const vendor of VENDORS) {
    const revokes = new Map(resources.filter((r) => r.name === `${vendor}_revoke`).map((r) => [String(r.index), r]));
    for (const apply of resources.filter((r) => r.name === `${vendor}_apply` && r.index !== undefined)) {
      const key = String(apply.index);
      const revoke = revokes.get(key);
      const triggers = apply.type === 'null_resource' ? (apply.values.triggers as Record<string, string>)?.resource : apply.values.triggers_replace;
      const storedRaw = revoke && (revoke.type === 'null_resource' ? (revoke.values.triggers as Record<string, string>)?.stored : revoke.values.input);
      const stored = parseStoredGrant(storedRaw ?? null);
      const trigger = typeof triggers === 'string' ? parseApplyTrigger(triggers) : { resource: identityResource(vendor, revoke) };
      grants.push({
        vendor, key, providerId: splitInstanceKey(vendor, key).providerId, address: apply.address, path: trigger.path ?? stored.path ?? null,
        resource: trigger.resource, stored,
        tainted: apply.tainted === true,
      });
    }
  }
  return grants;
}

/**
 * What only 0.1.0 left in state: blocks named after a provider that is not its vendor (`<provider id>_revoke`), and
 * grants stored by contract 2 (a revoke instance's input null or "retain", next to an apply instance whose trigger has
 * no construct line; a plain grant of this version also stores null, but its apply trigger has that line). Until the
 * upgrade apply moves and rewrites them, the tool would miss those grants and call them unmanaged.
 */
export function legacyAddresses(resources: readonly StateResource[]): string[] {
  const current = new Set(VENDORS.flatMap((v) => [`${v}_revoke`, `${v}_apply`]));
  const triggerOf = (r: StateResource) => (r.type === 'null_resource' ? (r.values.triggers as Record<string, unknown> | undefined)?.resource : r.values.triggers_replace);
  // A revoke instance whose apply instance is gone (a revoke that failed after its construct was deleted) is not
  // flagged: nothing tells its version, and drift must still report it.
  const withoutConstructLine = new Set(resources.filter((r) => r.name.endsWith('_apply'))
    .filter((r) => !String(triggerOf(r) ?? '').startsWith(TRIGGER_PATH_PREFIX)).map((r) => `${r.type} ${r.name.replace(/_apply$/, '')} ${String(r.index)}`));
  return resources.filter((r) => {
    if (r.type !== 'terraform_data' && r.type !== 'null_resource') return false;
    if (/_(revoke|apply)$/.test(r.name) && !current.has(r.name)) return true;
    if (!current.has(r.name) || !r.name.endsWith('_revoke')) return false;
    const stored = r.type === 'null_resource' ? (r.values.triggers as Record<string, unknown> | undefined)?.stored : r.values.input;
    if (typeof stored === 'string' && stored.startsWith('{')) return false;
    return withoutConstructLine.has(`${r.type} ${r.name.replace(/_revoke$/, '')} ${String(r.index)}`);
  }).map((r) => r.address);
}

function identityResource(vendor: VendorName, revoke: StateResource | undefined): Record<string, unknown> {
  const raw = revoke && (revoke.type === 'null_resource' ? (revoke.values.triggers as Record<string, string>)?.identity : revoke.values.triggers_replace);
  const identity = typeof raw === 'string' ? JSON.parse(raw) as unknown[] : [];
  return Object.fromEntries(IDENTITY_FIELDS[vendor].map((f, i) => [f, identity[i]]));
}

/**
 * Whether the synthesized stack differs from the last apply in this library's blocks (a plan without refresh, so
 * no vendor and no provider is asked), not counting the instances of `expired` grants the plan drops; undefined,
 * with the reason, when the plan cannot run.
 */
export async function pendingApply(dir: string, expired: ReadonlySet<string> = new Set()): Promise<{ pending?: boolean; reason?: string }> {
  // Needs what a plan needs: the TF_VAR_* values of the stack's variables and read access to the backend.
  const planFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'saas-drift-')), 'plan');
  try {
    const plan = await runTerraform(dir, ['plan', '-refresh=false', '-lock=false', '-input=false', '-no-color', `-out=${planFile}`]);
    if (plan.code !== 0) return { reason: (plan.stderr.trim() || plan.stdout.trim()).split('\n').slice(-3).join(' ') };
    const shown = JSON.parse(await terraformOrFail(dir, ['show', '-json', planFile], 'reading the plan')) as {
      resource_changes?: Array<{ address: string; name: string; change: { actions: string[] } }>;
    };
    const ours = new Set(VENDORS.flatMap((v) => [`${v}_revoke`, `${v}_apply`]));
    // Dropping an expired grant is the code's own doing (expiresAt), not a change since the last apply.
    const change = (c: { address: string; change: { actions: string[] } }) => c.change.actions.join() !== 'no-op' && !(c.change.actions.join() === 'delete' && expired.has(c.address));
    return { pending: (shown.resource_changes ?? []).some((c) => ours.has(c.name) && change(c)) };
  } finally {
    fs.rmSync(path.dirname(planFile), { recursive: true, force: true });
  }
}

/** The stack as the tool sees it: grants from state, providers from the synthesized stack or the state. */
export async function loadStack(dir: string): Promise<StackView> {
  await ensureInitialised(dir);
  const resources = await readState(dir);
  const legacy = legacyAddresses(resources);
  const grants = grantsFromState(resources);
  const providers = readManifest(dir);
  for (const g of grants) {
    const key = providerKey(g.vendor, g.providerId);
    if (providers.has(key)) continue;
    const declared = Object.fromEntries([...providers.values()].filter((p) => p.vendor === g.vendor).map((p) => [p.providerId, { path: p.path, ...p.settings }]));
    const { unconfirmed, ...settings } = revokeSettings(g.vendor, g.providerId, declared, g.stored);
    providers.set(key, {
      vendor: g.vendor, providerId: g.providerId, path: `${g.providerId} (deleted from the stack; settings kept in state)`, settings, ...(unconfirmed ? { unconfirmed } : {}),
      // Its scopes are not known to be this stack's alone any more.
      exclusiveScope: false,
    });
  }
  return { dir, grants, providers, legacy };
}
