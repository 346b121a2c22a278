/**
 * What `import` takes from a synthesized stack: the provider to read with (its URL and variable names, as drift and
 * apply use them) and the grants the stack's code already declares, so the printed code never declares one twice.
 */
import * as fs from 'fs';
import * as path from 'path';
import { VENDORS, VendorName, normalizeText, parseApplyTrigger } from '../contract';
import { StackProvider, UsageError, findStackDir, readManifest } from './stack';
import { VENDOR_VIEWS } from './vendors';
import { Fields } from './vendors/view';

/** A grant the synthesized stack declares: the construct that declares it and its identity fields. */
export interface DeclaredGrant {
  readonly providerId: string;
  readonly path: string;
  readonly identity: Fields;
}

export interface ImportStack {
  readonly dir: string;
  readonly provider: StackProvider;
  /** How many providers of the vendor the stack has (more than one: the printed code must name one). */
  readonly providerCount: number;
  /** The grants the code declares with this provider whose identity is known at synth. */
  readonly declared: DeclaredGrant[];
  /** Ids of the stack's direct children, which a pasted construct must not reuse. */
  readonly takenIds: Set<string>;
}

/** The stack directory from --stack-dir, or --stack NAME under ./cdktf.out/stacks, or the only one there. */
export function importStackDir(stackDir: string | undefined, stackName: string | undefined, cwd = process.cwd()): string {
  if (stackDir && stackName) throw new UsageError('pass either --stack-dir or --stack, not both');
  return findStackDir(stackDir ?? (stackName ? path.join('cdktf.out', 'stacks', stackName) : undefined), cwd);
}

/** The vendor's provider that `wanted` names (its construct path, the path's last part, or its provider id). */
export function pickProvider(providers: readonly StackProvider[], vendor: VendorName, wanted: string | undefined, dir: string): StackProvider {
  const list = providers.map((p) => `${p.path} (id ${p.providerId})`).join(', ');
  if (wanted === undefined) {
    if (providers.length === 1) return providers[0];
    if (providers.length === 0) throw new UsageError(`the stack in ${dir} has no ${vendor} provider: add one, synth, and run import again (or leave out --stack-dir to read with the default variables)`);
    throw new UsageError(`the stack in ${dir} has ${providers.length} ${vendor} providers (${list}): pick one with --provider <path>`);
  }
  const found = providers.find((p) => p.path === wanted || p.providerId === wanted || p.path.split('/').pop() === wanted);
  if (!found) throw new UsageError(`the stack in ${dir} has no ${vendor} provider ${JSON.stringify(wanted)}; its ${vendor} providers: ${list || 'none'}`);
  return found;
}

interface InstanceValue { trigger?: unknown; path?: unknown; provider?: unknown }

/** The instances of the vendor the synthesized code declares (both resource types), from the stack's locals. */
function declaredInstances(config: { locals?: Record<string, unknown> }, vendor: VendorName): InstanceValue[] {
  const locals = config.locals ?? {};
  return [`${vendor}_instances`, `${vendor}_null_instances`].flatMap((name) => {
    const map = locals[name];
    return map !== null && typeof map === 'object' ? Object.values(map as Record<string, InstanceValue>) : [];
  });
}

/** The resource of an instance, unless a part of it is only known at apply time (a template). */
function literalResource(value: InstanceValue): Fields | undefined {
  if (typeof value.trigger !== 'string' || value.trigger.includes('${')) return undefined;
  try {
    return parseApplyTrigger(value.trigger).resource as Fields;
  } catch {
    return undefined;
  }
}

export function readImportStack(dir: string, vendor: VendorName, wanted: string | undefined): ImportStack {
  const all = [...readManifest(dir).values()];
  const providers = all.filter((p) => p.vendor === vendor);
  const provider = pickProvider(providers, vendor, wanted, dir);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as { locals?: Record<string, unknown> };
  const declared: DeclaredGrant[] = [];
  const takenIds = new Set<string>();
  const child = (p: string) => p.split('/')[1];
  for (const p of all) if (child(p.path)) takenIds.add(child(p.path));
  for (const other of VENDORS) {
    for (const value of declaredInstances(config, other)) {
      if (typeof value.path === 'string' && child(value.path)) takenIds.add(child(value.path));
      if (other !== vendor || value.provider !== provider.providerId || typeof value.path !== 'string') continue;
      const resource = literalResource(value);
      if (resource) declared.push({ providerId: provider.providerId, path: value.path, identity: VENDOR_VIEWS[vendor].identity(resource) });
    }
  }
  return { dir, provider, providerCount: providers.length, declared, takenIds };
}

/**
 * The construct that already declares a held grant: identity fields compared as the constructs compare them at
 * synth (Unicode-normalized; a Britive type case-folded; a Polytomic policy without an organization matches any).
 */
export function managedBy(vendor: VendorName, held: Fields, declared: readonly DeclaredGrant[]): string | undefined {
  const text = (field: string, v: unknown) => {
    const s = normalizeText(String(v ?? ''));
    return vendor === 'britive' && field === 'permissionType' ? s.toLowerCase() : s;
  };
  return declared.find((d) => Object.keys(held).every((field) => {
    if (vendor === 'polytomic' && field === 'organizationId' && (!d.identity[field] || !held[field])) return true;
    return text(field, d.identity[field]) === text(field, held[field]);
  }))?.path;
}
