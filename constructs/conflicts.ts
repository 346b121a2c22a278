/**
 * Checks that need the whole stack, run once at synth (an aspect of the stack): every permission construct finds its
 * provider, provider ids can name Terraform keys, and no two constructs declare one grant. Each problem becomes an
 * error annotation on the construct concerned, so cdktf lists them all at once. Grants whose identity is only known
 * at apply time are left to the blocks' precondition.
 */
import { VENDORS, VendorName, normalizeText } from '../src/contract';
import { Annotations, TerraformStack, Token } from './core';
import { PermissionInstance, PermissionSource, providersOf, sourcesOf } from './registry';

function checkProviders(stack: TerraformStack): void {
  const seen = new Map<string, string>();
  const commands = new Map<string, string>();
  for (const provider of providersOf(stack)) {
    const id = provider.providerId;
    const clash = seen.get(id);
    if (clash) {
      Annotations.of(provider).addError(`provider ids name Terraform instance keys, and ${clash} already uses "${id}": give this provider another id`);
    }
    seen.set(id, provider.node.path);
    if ((VENDORS as readonly string[]).includes(id) && id !== provider.vendor) {
      Annotations.of(provider).addError(`"${id}" names the ${id} vendor's blocks: give this ${provider.vendor} provider another id`);
    }
    const command = provider._nodeCommand;
    if (command !== undefined) {
      const other = [...commands.entries()].find(([c]) => c !== command);
      if (other) Annotations.of(provider).addError(`nodeCommand ${JSON.stringify(command)} differs from ${JSON.stringify(other[0])} set by ${other[1]}: every grant of a stack runs with one Node command`);
      commands.set(command, provider.node.path);
    }
  }
}

/** The text two grants of one provider must not share; undefined when part of it is only known at apply time. */
function conflictText(instance: PermissionInstance): string | undefined {
  if (instance.expand || instance.conflict.some((part) => Token.isUnresolved(part))) return undefined;
  return JSON.stringify(normalizeText(instance.conflict));
}

/**
 * Polytomic names a policy within an organization, and a policy declared without one may be in any organization:
 * the earlier construct of the same name whose organization is the same or unset on either side.
 */
function polytomicOwner(seen: Map<string, Array<{ org: unknown; path: string }>>, instance: PermissionInstance): string | undefined {
  const { name, organizationId: org } = instance.resource;
  if (Token.isUnresolved(name)) return undefined;
  const earlier = seen.get(normalizeText(String(name))) ?? [];
  const owner = earlier.find((e) => !e.org || !org || e.org === org)?.path;
  seen.set(normalizeText(String(name)), [...earlier, { org, path: instance.path }]);
  return owner;
}

export function checkConflicts(stack: TerraformStack): void {
  checkProviders(stack);
  const declared = new Map<string, Array<{ source: PermissionSource; instance: PermissionInstance }>>();
  for (const source of sourcesOf(stack)) {
    let providerPath: string;
    try {
      providerPath = source._providerOf().node.path;
    } catch (error) {
      Annotations.of(source as never).addError((error as Error).message);
      continue;
    }
    if (!source._valid) continue;
    const group = `${source.vendor} ${providerPath}`;
    declared.set(group, [...(declared.get(group) ?? []), ...source._instances().map((instance) => ({ source, instance }))]);
  }
  for (const [group, grants] of declared) {
    const vendor = group.split(' ')[0] as VendorName;
    const owners = new Map<string, string>();
    const policies = new Map<string, Array<{ org: unknown; path: string }>>();
    grants.forEach(({ source, instance }) => {
      const text = conflictText(instance);
      const earlier = vendor === 'polytomic' ? polytomicOwner(policies, instance) : text === undefined ? undefined : owners.get(text);
      if (text !== undefined && !owners.has(text)) owners.set(text, instance.path);
      if (earlier && earlier !== instance.path) {
        Annotations.of(source as never).addError(`declares the same ${vendor} grant as ${earlier} (${text ?? JSON.stringify(instance.resource.name)}): keep one of them`);
      } else if (earlier && vendor !== 'polytomic') {
        Annotations.of(source as never).addError(`declares the grant ${text} twice (the same text once Unicode-normalized, as Terraform does)`);
      }
    });
  }
}
