import { TerraformStack } from './core';
import { Construct } from 'constructs';
import { RemovalPolicy } from '../src/contract';
import type { SaasPermissionsProvider } from './permissions-provider';

/** One instance of a kind's for_each blocks: the key is the grant's identity, known at synth time. */
export interface PermissionInstance {
  readonly key: string;
  /** Construct path, for messages. */
  readonly path: string;
  readonly resource: Record<string, unknown>;
  readonly removalPolicy: RemovalPolicy;
  /**
   * Set when one field of the resource is a list only Terraform knows (a variable, a data source): Terraform expands
   * it at plan time into one instance per item, keyed `<key>/~<item>`, with the item in `resource[field]`.
   */
  readonly expand?: { readonly field: string; readonly list: unknown };
}

/** A construct that declares instances on a provider; the provider asks for them at synth time. */
export interface PermissionSource {
  readonly node: Construct['node'];
  instancesFor(provider: SaasPermissionsProvider): PermissionInstance[];
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

export function sourcesOf(stack: TerraformStack): Iterable<PermissionSource> {
  return SOURCES.get(stack) ?? [];
}

/** Finds the provider a permission construct uses: the one passed, else the only one of its class in the stack. */
export function resolveProvider<P extends SaasPermissionsProvider>(
  scope: Construct, explicit: P | undefined, providerClass: abstract new (...args: never[]) => P, className: string,
): P {
  const stack = TerraformStack.of(scope);
  if (explicit) {
    if (TerraformStack.of(explicit) !== stack) {
      throw new Error(`${scope.node.path}: provider ${explicit.node.path} belongs to another stack; add a ${className} to this stack`);
    }
    return explicit;
  }
  const found = providersOf(stack).filter((c): c is P => c instanceof providerClass);
  if (found.length === 0) {
    throw new Error(`${scope.node.path}: no ${className} in stack ${stack.node.id}: add one, for example new ${className}(stack, '${className.replace('Provider', '').toLowerCase()}')`);
  }
  if (found.length > 1) {
    throw new Error(`${scope.node.path}: stack ${stack.node.id} has ${found.length} ${className}s (${found.map((f) => f.node.path).join(', ')}): pass the one to use as provider`);
  }
  return found[0];
}
