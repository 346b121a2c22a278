import { DataResource, Lazy, TerraformLocal, TerraformResource, TerraformStack } from './core';
import { Construct } from 'constructs';
import {
  CONTRACT_VERSION, DEFAULT_HTTP_SETTINGS, HTTP_URL, HttpSettings, IDENTITY_FIELDS, PAYLOAD_ENV, Payload, VendorName,
} from '../src/contract';
import { handlerAsset } from './handler-asset';
import { synthChecker, throwIfProblems } from './props-check';
import { PermissionInstance, providersOf, registerProvider, sourcesOf } from './registry';
import { expressionOf, hclString, jsonTemplate } from './terraform-text';

/** Settings every vendor's provider construct takes. */
export interface SaasProviderBaseProps {
  /**
   * The Terraform resource type behind each permission. `null_resource` needs the hashicorp/null provider, and since
   * it cannot update in place, a change to removalPolicy or connection settings briefly revokes and re-grants.
   * @default 'terraform_data'
   */
  readonly resourceType?: 'terraform_data' | 'null_resource';
  /**
   * Time allowed for one HTTP request to the vendor, in seconds.
   * @default 30
   */
  readonly requestTimeoutSeconds?: number;
  /**
   * Time allowed for one whole handler run (one permission's create or removal, retries included), in seconds.
   * @default 300
   */
  readonly deadlineSeconds?: number;
  /**
   * How many times one request is retried on 429, 5xx and network errors.
   * @default 8
   */
  readonly maxRetries?: number;
  /**
   * First retry delay in milliseconds; doubles each retry with full jitter, capped at 15 s. Retry-After wins when sent.
   * @default 250
   */
  readonly baseBackoffMs?: number;
  /**
   * The Node.js executable the provisioners run the handler with.
   * @default 'node'
   */
  readonly nodeCommand?: string;
}

/**
 * One instance in the provider's locals map: the apply payload, the identity and desired state (JSON texts) that
 * replace the revoke and apply objects, and `removal`, null unless the grant is retained. Only `identity`,
 * `resource` and `removal` reach state.
 */
interface InstanceValue { apply: string; identity: string; resource: string; removal: 'retain' | null }

function positive(scope: Construct, field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${scope.node.path}: ${field} must be a positive number, got ${value}`);
  }
  return value;
}

function retryCount(scope: Construct, value: number | undefined): number {
  if (value === undefined) return DEFAULT_HTTP_SETTINGS.maxRetries;
  if (!Number.isInteger(value) || value < 0) throw new Error(`${scope.node.path}: maxRetries must be a whole number >= 0, got ${value}`);
  return value;
}

/**
 * What all four vendors' provider constructs share. Each provider owns, per stack, two `for_each` blocks that are
 * always emitted, even with no instances, so that deleting a permission construct removes an instance from a block
 * that still exists, and Terraform runs that instance's destroy-time provisioner:
 * - `<id>_revoke`: destroy-time provisioner only (`revoke`); `triggers_replace` is the identity, so an identity change
 *   revokes the old grant. Creating it runs nothing and cannot fail, so it is never tainted (Terraform skips the destroy
 *   provisioners of tainted objects) and a grant whose apply failed half-way is still revoked on removal.
 * - `<id>_apply`: create-time provisioner only (`apply`); replaced whenever identity or desired state changes, and its
 *   replacement revokes nothing, so a change of permissions is made in place with no gap.
 * State holds as little as possible: Terraform (local backend) rewrites the whole state file after every instance it
 * applies, so a run costs instances x state size. The revoke instance keeps its identity and, for `retain`, its
 * removal policy; the provider settings it needs are literals of its provisioner. Payloads are JSON strings, so every
 * instance has the same small type.
 */
export abstract class SaasPermissionsProvider extends Construct {
  readonly resourceType: 'terraform_data' | 'null_resource';
  readonly http: HttpSettings;
  private readonly nodeCommand: string;

  /**
   * @param connectionSettings URLs and environment variable names carried in every payload (never secrets)
   * @param literals the settings to check now: URLs must be http(s), variable names must be names
   */
  protected constructor(
    scope: Construct, id: string, props: SaasProviderBaseProps, readonly vendor: VendorName,
    private readonly connectionSettings: Payload['connection'],
    literals: { urls: Record<string, string | undefined>; envNames: Record<string, string> },
  ) {
    super(scope, id);
    this.resourceType = props.resourceType ?? 'terraform_data';
    if (this.resourceType !== 'terraform_data' && this.resourceType !== 'null_resource') {
      throw new Error(`${this.node.path}: resourceType must be "terraform_data" or "null_resource", got ${JSON.stringify(this.resourceType)}`);
    }
    this.http = {
      ...DEFAULT_HTTP_SETTINGS,
      requestTimeoutMs: positive(this, 'requestTimeoutSeconds', props.requestTimeoutSeconds, DEFAULT_HTTP_SETTINGS.requestTimeoutMs / 1000) * 1000,
      deadlineMs: positive(this, 'deadlineSeconds', props.deadlineSeconds, DEFAULT_HTTP_SETTINGS.deadlineMs / 1000) * 1000,
      maxRetries: retryCount(this, props.maxRetries),
      baseBackoffMs: positive(this, 'baseBackoffMs', props.baseBackoffMs, DEFAULT_HTTP_SETTINGS.baseBackoffMs),
    };
    this.nodeCommand = props.nodeCommand ?? 'node';
    registerProvider(this);
    this.checkSettings(literals.urls, literals.envNames);
    this.createBlocks();
  }

  private checkSettings(urls: Record<string, string | undefined>, envNames: Record<string, string>): void {
    const c = synthChecker();
    for (const [field, url] of Object.entries(urls)) {
      if (url !== undefined) c.pattern(field, url, HTTP_URL, 'an http(s) URL');
    }
    for (const [field, name] of Object.entries(envNames)) c.pattern(field, name, /^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
    throwIfProblems(this, c.problems);
  }

  private createBlocks(): void {
    const asset = handlerAsset(this);
    const prefix = this.blockPrefix();
    // One copy of the instances, in locals; both blocks iterate the same map.
    const instances = new TerraformLocal(this, 'instances', Lazy.anyValue({ produce: () => this.instanceMap() }));
    instances.overrideLogicalId(`${prefix}_instances`);
    const nullResource = this.resourceType === 'null_resource';
    const type = nullResource ? 'null_resource' : 'terraform_data';
    const provisioner = (operation: 'apply' | 'revoke', payload: string) => ({
      'local-exec': {
        ...(operation === 'revoke' ? { when: 'destroy' } : {}),
        interpreter: [this.nodeCommand, asset.path],
        command: operation,
        environment: { [PAYLOAD_ENV]: payload },
      },
    });
    // A destroy-time provisioner may read only self and each.key: the settings are literals, the rest comes from state.
    const revokePayload = (removal: string, identity: string) => `${jsonTemplate(this.payloadSettings).slice(0, -1)},`
      + `"path":\${jsonencode(format("${type}.${prefix}_revoke[%q]", each.key))},"removalPolicy":\${jsonencode(${removal})},"identity":\${${identity}}}`;

    // Lists only Terraform knows are expanded by for expressions merged into the map at plan time.
    const forEach = Lazy.stringValue({
      produce: () => {
        const expansions = this.expansions();
        return expansions.length === 0 ? `\${local.${prefix}_instances}` : `\${merge(local.${prefix}_instances, ${expansions.join(', ')})}`;
      },
    });

    const revoke = this.block('revoke', nullResource);
    revoke.overrideLogicalId(`${prefix}_revoke`);
    revoke.addOverride('for_each', forEach);
    if (nullResource) {
      // null_resource has no attribute that updates in place: a change of removal policy replaces it (and revokes).
      revoke.addOverride('triggers', { identity: '${each.value.identity}', removal: '${coalesce(each.value.removal, "destroy")}' });
      revoke.addOverride('provisioner', [provisioner('revoke', revokePayload('self.triggers.removal', 'self.triggers.identity'))]);
    } else {
      revoke.addOverride('input', '${each.value.removal}');
      revoke.addOverride('triggers_replace', '${each.value.identity}');
      revoke.addOverride('provisioner', [provisioner('revoke', revokePayload('self.input', 'self.triggers_replace'))]);
    }

    // No depends_on between the terraform_data blocks: Terraform would link every apply instance to every revoke
    // instance (N*N edges). Order is not needed: creating a revoke instance runs nothing and cannot fail, so it is in
    // state even when its apply fails; and an apply replaced for a new identity never races a revoke of that identity.
    const apply = this.block('apply', nullResource);
    apply.overrideLogicalId(`${prefix}_apply`);
    apply.addOverride('for_each', forEach);
    if (nullResource) {
      // Re-granted after a removal-policy change replaced (and so revoked) the grant; ordered after that revoke.
      apply.addOverride('triggers', { resource: '${each.value.resource}', removal: '${coalesce(each.value.removal, "destroy")}' });
      apply.addOverride('depends_on', [`${type}.${prefix}_revoke`]);
    } else {
      // The apply instance stores only what triggers it; its create-time provisioner reads the payload from each.value.
      apply.addOverride('triggers_replace', '${each.value.resource}');
    }
    apply.addOverride('provisioner', [provisioner('apply', '${each.value.apply}')]);
  }

  /**
   * The blocks are named from the provider's id alone, not its place in the tree: moving the provider construct must
   * not rename them, since a renamed block is a removed block and Terraform would revoke nothing it granted.
   */
  private blockPrefix(): string {
    const prefixOf = (provider: SaasPermissionsProvider) => provider.node.id.replace(/[^A-Za-z0-9_]/g, '_');
    const prefix = prefixOf(this);
    const clash = providersOf(TerraformStack.of(this)).find((p) => p !== this && prefixOf(p) === prefix);
    if (clash) {
      throw new Error(`${this.node.path}: provider ids name their Terraform blocks, and ${clash.node.path} already uses "${prefix}": give this provider another id`);
    }
    return prefix;
  }

  private block(name: string, nullResource: boolean): TerraformResource {
    if (!nullResource) return new DataResource(this, name, {});
    // Loaded only when asked for: @cdktf/provider-null is an optional peer dependency.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const nullProvider = require('@cdktf/provider-null') as typeof import('@cdktf/provider-null');
    const stack = TerraformStack.of(this);
    if (!stack.node.tryFindChild('SaasPermissionsNullProvider')) {
      new nullProvider.provider.NullProvider(stack, 'SaasPermissionsNullProvider', {});
    }
    return new nullProvider.resource.Resource(this, name, {});
  }

  /**
   * Every instance declared for this provider, keyed by identity; two constructs declaring one grant is an error.
   * Each value holds JSON text: the apply and revoke payloads, and the identity and resource that trigger replacement.
   */
  private instanceMap(): Record<string, InstanceValue> {
    const out: Record<string, InstanceValue> = {};
    const owners = new Map<string, string>();
    const settings = this.payloadSettings;
    for (const instance of this.declared()) {
      if (instance.expand) continue;
      const previous = owners.get(instance.key);
      if (previous) {
        throw new Error(`${instance.path}: declares the same ${this.vendor} grant as ${previous} (${decodeURIComponent(instance.key)}): keep one of them`);
      }
      owners.set(instance.key, instance.path);
      out[instance.key] = this.instanceValue(instance, instance.resource, settings);
    }
    return out;
  }

  /** HCL for expressions, one per instance whose list only Terraform knows. */
  private expansions(): string[] {
    const item = '__saas_permissions_item__';
    return this.declared().filter((i) => i.expand).map((instance) => {
      const { field, list } = instance.expand!;
      const value = this.instanceValue(instance, { ...instance.resource, [field]: item });
      const fields = Object.entries(value).map(([name, text]) => `${name} = ${text === null ? 'null' : hclString(text.split(JSON.stringify(item)).join('${jsonencode(item)}'))}`);
      const key = `${hclString(`${instance.key}/~`).slice(0, -1)}\${item}"`;
      return `{ for item in toset(${expressionOf(this, list)}) : ${key} => { ${fields.join(', ')} } }`;
    });
  }

  private declared(): PermissionInstance[] {
    return [...sourcesOf(TerraformStack.of(this))].flatMap((source) => source.instancesFor(this));
  }

  /** The provider-wide part of every payload; HTTP settings only where they differ from the defaults. */
  private get payloadSettings(): Record<string, unknown> {
    const http = Object.fromEntries(Object.entries(this.http).filter(([k, v]) => DEFAULT_HTTP_SETTINGS[k as keyof HttpSettings] !== v));
    return { v: CONTRACT_VERSION, vendor: this.vendor, ...(Object.keys(http).length > 0 ? { http } : {}), connection: this.connectionSettings };
  }

  private instanceValue(instance: PermissionInstance, resource: Record<string, unknown>, settings = this.payloadSettings): InstanceValue {
    return {
      apply: jsonTemplate({ ...settings, path: instance.path, removalPolicy: instance.removalPolicy, resource }),
      identity: jsonTemplate(IDENTITY_FIELDS[this.vendor].map((f) => resource[f] ?? null)),
      resource: jsonTemplate(resource),
      removal: instance.removalPolicy === 'retain' ? 'retain' : null,
    };
  }
}
