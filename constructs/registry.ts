import { Construct } from 'constructs';
import { RemovalPolicy, VendorName } from '../src/contract';
import { TerraformStack } from './core';
import type { SaasPermissionsProvider } from './permissions-provider';

/** One grant a permission construct declares; the key is the grant's identity, known at synth time. */
export interface PermissionInstance {
  /** The grant's key within its provider (identity parts joined by "/"). */
  readonly key: string;
  /** The key version 0.1.0 gave the same grant (it did not escape '~'). */
  readonly legacyKey: string;
  /** Construct path, for messages and state. */
  readonly path: string;
  readonly resource: Record<string, unknown>;
  readonly removalPolicy: RemovalPolicy;
  /** When the grant ends (RFC 3339, literal or token), if it does. */
  readonly expiresAt?: string;
  /** The identity as compared for conflicts (Britive types fold case); defaults to the identity. */
  readonly conflict: unknown[];
  /**
   * Set when one field of the resource is a list only Terraform knows (a variable, a data source): Terraform expands
   * it at plan time into one instance per item, keyed `<key>/~<item>`, with the item in `resource[field]`.
   */
  readonly expand?: { readonly field: string; readonly list: unknown };
}

/**
 * A construct that declares grants on a provider; the blocks ask for them at synth time. Marked internal because
 * SaasPermission implements it, and jsii otherwise counts it as public API.
 * @internal
 */
export interface PermissionSource {
  readonly node: Construct['node'];
  readonly vendor: VendorName;
  /** When the construct's grants end (RFC 3339), if they do. */
  readonly expiresAt?: string;
  /** The provider the grants belong to; throws with a message naming the construct when none fits. */
  _providerOf(): SaasPermissionsProvider;
  /** Whether the construct's props passed validation; a construct that did not declares nothing. */
  readonly _valid: boolean;
  _instances(): PermissionInstance[];
  /** Addresses of the Terraform elements the construct's grants wait for (depends_on). */
  _dependsOn(): string[];
}

/** Per stack, the permission constructs and the providers, so synth never has to walk the whole construct tree. */
const SOURCES = new WeakMap<TerraformStack, Set<PermissionSource>>();
const PROVIDERS = new WeakMap<TerraformStack, SaasPermissionsProvider[]>();

export function registerSource(source: PermissionSource & Construct): void {
  const stack = TerraformStack.of(source);
  const set = SOURCES.get(stack) ?? new Set();
  set.add(source);
  SOURCES.set(stack, set);
}

/** Records a provider of a stack, so permission constructs find it without walking the construct tree. */
export function registerProvider(provider: SaasPermissionsProvider): void {
  const stack = TerraformStack.of(provider);
  PROVIDERS.set(stack, [...(PROVIDERS.get(stack) ?? []), provider]);
}

export function providersOf(stack: TerraformStack): readonly SaasPermissionsProvider[] {
  return PROVIDERS.get(stack) ?? [];
}

export function sourcesOf(stack: TerraformStack): readonly PermissionSource[] {
  return [...(SOURCES.get(stack) ?? [])];
}

const CLASS_NAMES: Record<VendorName, string> = {
  polarity: 'PolarityProvider', britive: 'BritiveProvider', kore: 'KoreProvider', polytomic: 'PolytomicProvider',
};

/** Finds the provider a permission construct uses: the one passed, else the only one of its vendor in the stack. */
export function resolveProvider(scope: Construct, explicit: SaasPermissionsProvider | undefined, vendor: VendorName): SaasPermissionsProvider {
  const stack = TerraformStack.of(scope);
  const className = CLASS_NAMES[vendor];
  if (explicit) {
    if (TerraformStack.of(explicit) !== stack) {
      throw new Error(`provider ${explicit.node.path} belongs to another stack; add a ${className} to this stack`);
    }
    if (explicit.vendor !== vendor) throw new Error(`provider ${explicit.node.path} is a ${CLASS_NAMES[explicit.vendor]}, not a ${className}`);
    return explicit;
  }
  const found = providersOf(stack).filter((p) => p.vendor === vendor);
  if (found.length === 0) {
    throw new Error(`no ${className} in stack ${stack.node.id}: add one, for example new ${className}(stack, '${vendor}')`);
  }
  if (found.length > 1) {
    throw new Error(`stack ${stack.node.id} has ${found.length} ${className}s (${found.map((f) => f.node.path).join(', ')}): pass the one to use as provider`);
  }
  return found[0];
}
