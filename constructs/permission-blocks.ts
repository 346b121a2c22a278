/**
 * The Terraform blocks every grant of a stack lives in. They belong to the stack, not to a provider construct, and
 * are emitted (all four vendors, even with no grant) as long as the stack has any construct of this library, so
 * deleting a permission construct, or a provider construct together with its permissions, removes instances from
 * blocks that still exist, and Terraform runs those instances' destroy-time provisioners (a deleted block's are never
 * run). Per vendor:
 * - `<vendor>_revoke`: destroy-time provisioner only (`revoke`); `triggers_replace` is the identity, so an identity
 *   change revokes the old grant. Creating it runs nothing and cannot fail, so it is never tainted (Terraform skips the
 *   destroy provisioners of tainted objects) and a grant whose apply failed half-way is still revoked on removal. Its
 *   `input` keeps what a revoke needs once the code is gone: `retain`, the expiry, and the provider's settings where
 *   they differ from the defaults (never a secret), with the construct path; null for a grant with none of these
 *   (see storedGrant). While the provider construct exists, its current settings (literals of the provisioner) win.
 * - `<vendor>_apply`: create-time provisioner only (`apply`); replaced whenever identity or desired state changes, and
 *   its replacement revokes nothing, so a change of permissions is made in place with no gap.
 * Instance keys: a provider whose id is the vendor's name keeps the bare grant key, which is what the per-provider
 * blocks of earlier versions used, so those stacks keep their addresses; other providers' grants are keyed
 * `<provider id>//<grant key>`, and `moved` blocks carry their instances over from the old per-provider blocks.
 */
import { Construct } from 'constructs';
import {
  ADDRESS_ENV, CONTRACT_VERSION, EXPANDED_KEY_MARK, HANDLER_PATH_ENV, MANIFEST_KEY, NODE_COMMAND_ENV, PAYLOAD_ENV, PROVIDERS_ENV, ProviderSettings, StackManifest,
  VENDORS, VendorName, applyTrigger, instanceKey,
} from '../src/contract';
import { Aspects, DataResource, IAspect, Lazy, TerraformElement, TerraformLocal, TerraformResource, TerraformStack, Token } from './core';
import { handlerAsset, handlerScriptAsset } from './handler-asset';
import { checkConflicts } from './conflicts';
import { requireTerraformForExpiry, unexpired } from './expiry';
import { PermissionInstance, PermissionSource, providersOf, sourcesOf } from './registry';
import { stackDependencies, stackProviderSettings } from './stack-wide';
import { expressionOf, hclKeyPart, hclString, jsonTemplate, templateLiteral, templateText } from './terraform-text';
import type { SaasPermissionsProvider } from './permissions-provider';

export type ResourceType = 'terraform_data' | 'null_resource';

/**
 * One instance in a vendor's locals map; only `identity`, `trigger` and `stored` reach state. `expires` (RFC 3339,
 * or "" for none) is there only when a grant of the vendor expires.
 */
interface InstanceValue {
  apply: string; identity: string; trigger: string; stored: string; path: string; provider: string; conflict: string; expires?: string;
}

const ID = 'SaasPermissions';

/** Emits `moved` blocks next to the stack's other elements (Terraform merges every element's blocks). */
class MovedBlocks extends TerraformElement {
  constructor(scope: Construct, id: string, private readonly produce: () => Array<{ from: string; to: string }>) {
    super(scope, id);
  }

  toTerraform(): any {
    const moved = this.produce();
    return moved.length > 0 ? { moved } : {};
  }
}

/**
 * What a revoke instance keeps in state beyond the identity: "" when the grant stores nothing, so `input` is null; a
 * plain grant's construct path is in the stack's manifest and in the apply instance's trigger instead. With something
 * to store, the path goes with it, and always for null_resource, whose stored value is a trigger: dropping the path
 * there would replace, and so revoke, every grant of a stack applied before.
 */
function storedGrant(path: string, rest: Record<string, unknown>, type: ResourceType): string {
  return Object.keys(rest).length > 0 || type === 'null_resource' ? jsonTemplate({ path, ...rest }) : '';
}

export class PermissionBlocks extends Construct {
  /** The stack's blocks, created by the first construct of this library in it. */
  static of(scope: Construct): PermissionBlocks {
    const stack = TerraformStack.of(scope);
    return (stack.node.tryFindChild(ID) as PermissionBlocks | undefined) ?? new PermissionBlocks(stack);
  }

  private readonly types = new Set<ResourceType>();
  private nodeCommand?: string;

  private constructor(private readonly stack: TerraformStack) {
    super(stack, ID);
    this.ensureType('terraform_data');
    new MovedBlocks(this, 'moved', () => this.legacyMoves());
    const aspect: IAspect = {
      visit: (node) => {
        if (node !== stack) return;
        checkConflicts(stack);
        requireTerraformForExpiry(stack, sourcesOf(stack));
      },
    };
    Aspects.of(stack).add(aspect);
  }

  /** Emits one resource type's blocks for all four vendors (null_resource only once a provider asks for it). */
  ensureType(type: ResourceType): void {
    if (this.types.has(type)) return;
    this.types.add(type);
    for (const vendor of VENDORS) this.createBlocks(vendor, type);
  }

  /** The Node command of the first provider that sets one; the handler runs with it for every grant of the stack. */
  useNodeCommand(command: string): void {
    this.nodeCommand ??= command;
  }

  private providers(vendor: VendorName, type: ResourceType): SaasPermissionsProvider[] {
    return providersOf(this.stack).filter((p) => p.vendor === vendor && p.resourceType === type);
  }

  /** Per vendor and type, the grants as last computed and how many constructs the stack had then. */
  private readonly grantCache = new Map<string, { sources: number; providers: number; grants: Array<{ provider: SaasPermissionsProvider; instance: PermissionInstance }> }>();

  /**
   * Every valid grant of the vendor's providers of this type, with the provider it belongs to. Several blocks and
   * locals ask during one synth; the answer changes only when constructs are added.
   */
  private grants(vendor: VendorName, type: ResourceType): Array<{ provider: SaasPermissionsProvider; instance: PermissionInstance }> {
    const sources = sourcesOf(this.stack);
    const providerCount = providersOf(this.stack).length;
    const cached = this.grantCache.get(`${vendor} ${type}`);
    if (cached && cached.sources === sources.length && cached.providers === providerCount) return cached.grants;
    const grants = this.computeGrants(vendor, type, sources);
    this.grantCache.set(`${vendor} ${type}`, { sources: sources.length, providers: providerCount, grants });
    return grants;
  }

  private computeGrants(vendor: VendorName, type: ResourceType, sources: readonly PermissionSource[]): Array<{ provider: SaasPermissionsProvider; instance: PermissionInstance }> {
    const providers = new Set(this.providers(vendor, type));
    return sources.filter((s) => s.vendor === vendor && s._valid).flatMap((source) => {
      let provider: SaasPermissionsProvider;
      try {
        provider = source._providerOf();
      } catch {
        return []; // Reported as an error annotation by checkConflicts.
      }
      return providers.has(provider) ? source._instances().map((instance) => ({ provider, instance })) : [];
    });
  }

  private createBlocks(vendor: VendorName, type: ResourceType): void {
    const asset = handlerAsset(this);
    const script = handlerScriptAsset(this);
    const nullResource = type === 'null_resource';
    const locals = nullResource ? `${vendor}_null_instances` : `${vendor}_instances`;
    const address = (block: string) => `\${format("${type}.${vendor}_${block}[%q]", each.key)}`;
    const instances = new TerraformLocal(this, `${vendor}-${type}-instances`, Lazy.anyValue({ produce: () => this.instanceMap(vendor, type) }));
    instances.overrideLogicalId(locals);
    // Lists only Terraform knows are expanded by for expressions merged into the map at plan time.
    const all = Lazy.stringValue({
      produce: () => {
        const expansions = this.expansions(vendor, type);
        const map = expansions.length === 0 ? `local.${locals}` : `merge(local.${locals}, ${expansions.join(', ')})`;
        // Expired grants leave the plan, so the apply revokes them; only where a grant of this vendor expires.
        return this.expiring(vendor, type) ? unexpired(map) : map;
      },
    });
    // Grants whose identity is only known at apply time (a value from another resource, a list from a variable)
    // cannot be compared at synth: a precondition refuses two instances of one provider holding the same grant. Only
    // emitted where such grants exist (literal identities are compared at synth), since Terraform checks it for
    // every instance on every plan.
    const checked = () => this.grants(vendor, type).some(({ instance }) => instance.expand || instance.conflict.some((part) => Token.isUnresolved(part)));
    const owners = new TerraformLocal(this, `${vendor}-${type}-owners`, Lazy.anyValue({
      produce: () => (checked() ? `\${{ for k, v in ${all} : format("%s %s", v.provider, v.conflict) => v.path... }}` : {}),
    }));
    owners.overrideLogicalId(`${locals}_owners`);
    const owner = `local.${locals}_owners[format("%s %s", each.value.provider, each.value.conflict)]`;
    const lifecycle = Lazy.anyValue({
      produce: () => (checked() ? {
        precondition: [{
          condition: `\${length(${owner}) == 1}`,
          error_message: `The same ${vendor} grant \${each.value.conflict} is declared by more than one construct (\${join(", ", ${owner})}): keep one of them.`,
        }],
      } : {}),
    });
    // Every provider of the stack, all vendors: a run checks them all before it writes to any vendor (src/preflight.ts).
    const allProviders = Lazy.stringValue({ produce: () => jsonTemplate(stackProviderSettings(this.stack)) });
    const provisioner = (operation: 'apply' | 'revoke', payload: string) => ({
      'local-exec': {
        ...(operation === 'revoke' ? { when: 'destroy' } : {}),
        // A shell and curl hand the grant to the run's agent (src/agent.ts); the script runs the Node handler on its
        // own where curl is missing or SAAS_PERMISSIONS_AGENT=off, decided at run time.
        interpreter: ['sh', script.path],
        command: operation,
        environment: {
          [PAYLOAD_ENV]: payload, [ADDRESS_ENV]: address(operation), [PROVIDERS_ENV]: allProviders,
          [HANDLER_PATH_ENV]: asset.path, [NODE_COMMAND_ENV]: Lazy.stringValue({ produce: () => this.nodeCommand ?? 'node' }),
        },
      },
    });
    // A destroy-time provisioner may read only self and each.key: the providers' settings are literals, the rest
    // comes from state.
    const revokePayload = (stored: string, identity: string) => Lazy.stringValue({
      produce: () => `{"v":${CONTRACT_VERSION},"vendor":"${vendor}","stack":${jsonTemplate(this.stack.node.path)},"providers":${jsonTemplate(this.providerSettings(vendor, type))},` +
        `"key":\${jsonencode(each.key)},"stored":\${jsonencode(${stored})},"identity":\${${identity}}}`,
    });

    const revoke = this.block(vendor, type, 'revoke');
    // Read by the command-line tool (drift, import): which providers the stack has now, and their settings.
    // And by the handler: the construct path of each instance key, for what a revoke prints (src/stack-manifest.ts).
    revoke.addOverride(`//.${MANIFEST_KEY}`, Lazy.anyValue({ produce: (): StackManifest => ({
      vendor, providers: this.providerSettings(vendor, type),
      exclusiveScope: this.providers(vendor, type).filter((p) => p.exclusiveScope).map((p) => p.providerId),
      paths: this.constructPaths(vendor, type),
    }) }));
    revoke.addOverride('for_each', `\${${all}}`);
    revoke.addOverride('lifecycle', lifecycle);
    // dependsOn of any grant of the vendor orders the whole shared block: grants wait for those resources, and their
    // destroy waits for the revokes.
    const dependsOn = (extra: string[]) => Lazy.anyValue({ produce: () => {
      const all = [...extra, ...stackDependencies(this.stack, vendor, type)];
      return all.length > 0 ? all : undefined;
    } });
    revoke.addOverride('depends_on', dependsOn([]));
    if (nullResource) {
      // null_resource has no attribute that updates in place: a change of what is stored replaces it (and revokes).
      revoke.addOverride('triggers', { identity: '${each.value.identity}', stored: '${each.value.stored}' });
      revoke.addOverride('provisioner', [provisioner('revoke', revokePayload('self.triggers.stored', 'self.triggers.identity'))]);
    } else {
      // Null unless the grant stores something: every byte here is written again with each instance Terraform applies.
      // Through jsondecode, so it is an untyped null, which state keeps as `null`, not as a typed null (`{"value":
      // null,"type":"string"}`, in both input and output).
      revoke.addOverride('input', '${jsondecode(each.value.stored == "" ? "null" : jsonencode(each.value.stored))}');
      revoke.addOverride('triggers_replace', '${each.value.identity}');
      revoke.addOverride('provisioner', [provisioner('revoke', revokePayload('self.input', 'self.triggers_replace'))]);
    }

    // No depends_on between the terraform_data blocks: Terraform would link every apply instance to every revoke
    // instance (N*N edges). Order is not needed: creating a revoke instance runs nothing and cannot fail, so it is in
    // state even when its apply fails; and an apply replaced for a new identity does not race the revoke of the old
    // one, unless both identities spell one vendor object (README, Limits).
    const apply = this.block(vendor, type, 'apply');
    apply.addOverride('for_each', `\${${all}}`);
    apply.addOverride('lifecycle', lifecycle);
    if (nullResource) {
      // Re-granted after a change of what is stored replaced (and so revoked) the grant; ordered after that revoke.
      apply.addOverride('triggers', { resource: '${each.value.trigger}', stored: '${each.value.stored}' });
      apply.addOverride('depends_on', dependsOn([`${type}.${vendor}_revoke`]));
    } else {
      // The apply instance stores only what triggers it (the construct path and the resource, see applyTrigger); its
      // create-time provisioner reads the payload from each.value.
      apply.addOverride('triggers_replace', '${each.value.trigger}');
    }
    if (!nullResource) apply.addOverride('depends_on', dependsOn([]));
    apply.addOverride('provisioner', [provisioner('apply', '${each.value.apply}')]);
  }

  private block(vendor: VendorName, type: ResourceType, name: 'revoke' | 'apply'): TerraformResource {
    const id = `${vendor}-${type}-${name}`;
    let block: TerraformResource;
    if (type === 'terraform_data') {
      block = new DataResource(this, id, {});
    } else {
      // Loaded only when asked for: @cdktf/provider-null is an optional peer dependency, and cdktf's alone (the CDK
      // Terrain build refuses null_resource before this runs).
      const nullProvider = require('@cdktf/provider-null') as typeof import('@cdktf/provider-null');
      if (!this.stack.node.tryFindChild('SaasPermissionsNullProvider')) new nullProvider.provider.NullProvider(this.stack, 'SaasPermissionsNullProvider', {});
      block = new nullProvider.resource.Resource(this, id, {}) as unknown as TerraformResource;
    }
    block.overrideLogicalId(`${vendor}_${name}`);
    return block;
  }

  /** The settings of every provider of the vendor and type, by provider id: literals of the revoke provisioner. */
  private providerSettings(vendor: VendorName, type: ResourceType): Record<string, ProviderSettings> {
    return Object.fromEntries(this.providers(vendor, type).map((p) => [p.providerId, p._settings()]));
  }

  /** Every instance declared for the vendor's providers of this type, keyed by provider and identity. */
  private instanceMap(vendor: VendorName, type: ResourceType): Record<string, InstanceValue> {
    const out: Record<string, InstanceValue> = {};
    const expiring = this.expiring(vendor, type);
    for (const { provider, instance } of this.grants(vendor, type)) {
      if (instance.expand) continue;
      out[instanceKey(vendor, provider.providerId, instance.key)] = this.instanceValue(provider, instance, instance.resource, expiring, type);
    }
    return out;
  }

  /**
   * The construct path of every instance key (of a list only Terraform knows, the keys' common start, ending in
   * EXPANDED_KEY_MARK): config, not state, so it costs nothing per instance applied.
   */
  private constructPaths(vendor: VendorName, type: ResourceType): Record<string, string> {
    return Object.fromEntries(this.grants(vendor, type).map(({ provider, instance }) => {
      const key = instanceKey(vendor, provider.providerId, instance.key);
      return [instance.expand ? `${key}${EXPANDED_KEY_MARK}` : key, instance.path];
    }));
  }

  /** HCL for expressions, one per instance whose list only Terraform knows. */
  private expansions(vendor: VendorName, type: ResourceType): string[] {
    const item = '__saas_permissions_item__';
    const expiring = this.expiring(vendor, type);
    return this.grants(vendor, type).filter((g) => g.instance.expand).map(({ provider, instance }) => {
      const { field, list } = instance.expand!;
      const value = this.instanceValue(provider, instance, { ...instance.resource, [field]: item }, expiring, type, { ...instance, conflict: [...instance.conflict, item] });
      const fields = Object.entries(value).map(([name, text]) => `${name} = ${hclString(templateText(this, text).split(JSON.stringify(item)).join('${jsonencode(item)}'))}`);
      const key = `${hclString(`${instanceKey(vendor, provider.providerId, instance.key)}${EXPANDED_KEY_MARK}`).slice(0, -1)}\${${hclKeyPart('item')}}"`;
      return `{ for item in toset(${expressionOf(this, list)}) : ${key} => { ${fields.join(', ')} } }`;
    });
  }

  /** Whether a grant of the vendor's providers of this type has an expiry. */
  private expiring(vendor: VendorName, type: ResourceType): boolean {
    return this.grants(vendor, type).some(({ instance }) => instance.expiresAt !== undefined);
  }

  private instanceValue(
    provider: SaasPermissionsProvider, instance: PermissionInstance, resource: Record<string, unknown>, expiring: boolean, type: ResourceType,
    conflictOf = instance,
  ): InstanceValue {
    const settings = provider._settings();
    const vendor = provider.vendor;
    const expiry = instance.expiresAt !== undefined ? { expiresAt: instance.expiresAt } : {};
    return {
      apply: jsonTemplate({ v: CONTRACT_VERSION, vendor, path: instance.path, http: settings.http, connection: settings.connection, resource }),
      identity: jsonTemplate(provider._identity(resource)),
      trigger: applyTrigger(templateLiteral(instance.path), jsonTemplate(resource)),
      stored: storedGrant(instance.path, { ...(instance.removalPolicy === 'retain' ? { removal: 'retain' } : {}), ...expiry, ...provider._stored() }, type),
      path: instance.path,
      provider: provider.providerId,
      conflict: jsonTemplate(conflictOf.conflict),
      ...(expiring ? { expires: instance.expiresAt ?? '' } : {}),
    };
  }

  /**
   * Earlier versions kept each provider's grants in blocks named after the provider, and did not escape '~' in keys.
   * A provider named after its vendor keeps its addresses; any other provider's instances, and keys that changed,
   * move. A list only Terraform knows has no keys at synth time, so those few instances are re-created under their
   * new address instead (an idempotent grant, no revoke).
   */
  private legacyMoves(): Array<{ from: string; to: string }> {
    const moves: Array<{ from: string; to: string }> = [];
    for (const type of this.types) {
      for (const vendor of VENDORS) {
        for (const { provider, instance } of this.grants(vendor, type)) {
          if (instance.expand) continue;
          for (const block of ['revoke', 'apply']) {
            const from = `${type}.${provider.providerId}_${block}[${JSON.stringify(instance.legacyKey)}]`;
            const to = `${type}.${vendor}_${block}[${JSON.stringify(instanceKey(vendor, provider.providerId, instance.key))}]`;
            if (from !== to) moves.push({ from, to });
          }
        }
      }
    }
    return moves;
  }
}
