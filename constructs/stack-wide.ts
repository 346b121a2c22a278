/**
 * What every block of a stack shares, whichever vendor it serves: the settings of all its providers (each run checks
 * them before writing, src/preflight.ts) and what a vendor's grants wait for (dependsOn).
 */
import type { VendorName } from '../src/contract';
import type { TerraformStack } from './core';
import { providersOf, sourcesOf } from './registry';
import { expressionOf } from './terraform-text';

/** The settings of every provider of the stack, by vendor and provider id. */
export function stackProviderSettings(stack: TerraformStack): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of providersOf(stack)) (out[p.vendor] ??= {})[p.providerId] = p._settings();
  return out;
}

/** What the vendor's grants of this resource type wait for: the union of their constructs' dependsOn. */
export function stackDependencies(stack: TerraformStack, vendor: VendorName, type: string): string[] {
  const ofType = (source: ReturnType<typeof sourcesOf>[number]) => {
    try {
      return source._providerOf().resourceType === type;
    } catch {
      return false; // Reported as an error annotation by checkConflicts.
    }
  };
  const sources = sourcesOf(stack).filter((s) => s.vendor === vendor && s._valid && ofType(s));
  // depends_on takes bare references (terraform_data.x), where an element's fqn resolves to "${terraform_data.x}".
  return [...new Set(sources.flatMap((s) => s._dependsOn().map((fqn) => expressionOf(stack, fqn))))];
}
