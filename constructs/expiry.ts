/**
 * Grants with an `expiresAt`: each plan leaves out the instances whose expiry has passed (Terraform's
 * `plantimestamp()`, compared with `timecmp()`), so the next apply revokes them with no change to the code. Both
 * functions came with Terraform 1.5, which a stack using expiry then requires.
 */
import { TerraformStack } from './core';
import type { PermissionSource } from './registry';

/** The Terraform version `plantimestamp()` needs. */
export const EXPIRY_TERRAFORM_VERSION = '>= 1.5';

/**
 * A vendor's instance map (an HCL expression) without the instances whose `expires` is past at plan time. An
 * instance with no expiry has `expires = ""`; the conditional only evaluates `timecmp` for the others.
 */
export function unexpired(map: string): string {
  return `{ for k, v in ${map} : k => v if v.expires == "" ? true : timecmp(plantimestamp(), v.expires) < 0 }`;
}

/**
 * Adds `terraform { required_version = ">= 1.5" }` when a construct of the stack uses expiry, so an older Terraform
 * refuses the stack at init rather than failing on an unknown function. A constraint already set with the stack's
 * `addOverride('terraform.required_version', ...)` is kept: both must hold. Run at synth, after the app's own code.
 */
export function requireTerraformForExpiry(stack: TerraformStack, sources: readonly PermissionSource[]): void {
  if (!sources.some((s) => s.expiresAt !== undefined)) return;
  // cdktf keeps the stack's overrides in a private field; it is read only to keep what the app set.
  const overrides = (stack as unknown as { rawOverrides?: { terraform?: { required_version?: unknown } } }).rawOverrides;
  const existing = overrides?.terraform?.required_version;
  if (typeof existing === 'string' && existing.split(',').map((c) => c.trim()).includes(EXPIRY_TERRAFORM_VERSION)) return;
  const merged = typeof existing === 'string' && existing.trim() !== '' ? `${existing}, ${EXPIRY_TERRAFORM_VERSION}` : EXPIRY_TERRAFORM_VERSION;
  stack.addOverride('terraform.required_version', merged);
}

