import { Construct } from 'constructs';
import { FieldChecker, RemovalPolicy, VendorName, checkExpiresAt } from '../src/contract';
import type { ITerraformDependable } from './core';
import { PermissionBlocks } from './permission-blocks';
import type { SaasPermissionsProvider } from './permissions-provider';
import { reportProblems, synthChecker } from './props-check';
import { PermissionInstance, PermissionSource, registerSource, resolveProvider } from './registry';
import { instanceKeys } from './terraform-text';

/** Props every permission construct takes. */
export interface SaasPermissionBaseProps {
  /**
   * What happens at the vendor when this construct is removed from code or the stack is destroyed:
   * `destroy` revokes the grant, `retain` leaves the vendor as it is.
   * @default 'destroy'
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * When the grant ends: an RFC 3339 timestamp (`2026-12-31T18:00:00Z`), a literal or a token. From then on every
   * plan drops the grant, so the next apply revokes it with no change to the code (Terraform >= 1.5, which the stack
   * then requires). Extending it is a new date and an apply.
   * @default the grant does not expire
   */
  readonly expiresAt?: string;
  /**
   * Terraform resources, data sources or modules this grant waits for at apply, and whose destroy waits for its revoke
   * (Terraform's `depends_on`; `node.addDependency` works too). A stack keeps each vendor's grants in two shared
   * blocks, and `depends_on` belongs to a block: every grant of the same vendor (and resource type) in the stack is
   * ordered after these resources, not only this one.
   * @default no dependency beyond the values the props reference
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** One grant a construct declares: its identity parts (the instance key) and the resource the handler receives. @internal */
export interface GrantSpec {
  readonly identity: unknown[];
  readonly resource: Record<string, unknown>;
  /** The identity as compared for conflicts, where it differs (Britive types fold case). */
  readonly conflict?: unknown[];
  readonly expand?: PermissionInstance['expand'];
}

/**
 * What all four permission constructs share: validation of literal values (reported at synth with every other
 * construct's problems), finding the provider, and handing the stack's blocks one instance per grant. Subclasses say
 * only which fields they have and how they check them.
 */
export abstract class SaasPermission extends Construct implements PermissionSource {
  /** The vendor this permission belongs to. */
  readonly vendor: VendorName;
  /** What happens at the vendor when this construct is removed. */
  readonly removalPolicy: RemovalPolicy;
  /** When the grant ends (RFC 3339), if it does. */
  readonly expiresAt?: string;
  private readonly explicitProvider?: SaasPermissionsProvider;
  private readonly dependencies: ITerraformDependable[];
  private checked?: boolean;
  private resolvedProvider?: SaasPermissionsProvider;

  protected constructor(scope: Construct, id: string, vendor: VendorName, props: SaasPermissionBaseProps, provider?: SaasPermissionsProvider) {
    super(scope, id);
    this.vendor = vendor;
    this.explicitProvider = provider;
    this.removalPolicy = props.removalPolicy ?? 'destroy';
    this.expiresAt = props.expiresAt;
    this.dependencies = [...(props.dependsOn ?? [])];
    registerSource(this);
    PermissionBlocks.of(this);
  }

  /** Whether the props passed validation; checked once, when first asked (at synth), and reported as annotations. @internal */
  get _valid(): boolean {
    if (this.checked === undefined) {
      const checker = synthChecker();
      checker.oneOf('removalPolicy', this.removalPolicy, ['destroy', 'retain']);
      checkExpiresAt(checker, this.expiresAt, Date.now());
      // An expiry is a revoke at a set time; 'retain' would make it a silent no-op.
      if (this.expiresAt !== undefined && this.removalPolicy === 'retain') checker.report('expiresAt', "cannot be combined with removalPolicy 'retain', which would leave the grant at the vendor when it expires");
      this.checkDependencies(checker);
      this._check(checker);
      this.checked = reportProblems(this, checker);
    }
    return this.checked;
  }

  /** The provider this construct's grants belong to; resolved at first use, since it may be created after this. @internal */
  _providerOf(): SaasPermissionsProvider {
    this.resolvedProvider ??= resolveProvider(this, this.explicitProvider, this.vendor);
    return this.resolvedProvider;
  }

  /**
   * Addresses of what the grants wait for: `dependsOn` and `node.addDependency`. A construct that is not a Terraform
   * element (it has no address) is reported at synth, naming it. @internal
   */
  _dependsOn(): string[] {
    const all = [...this.dependencies, ...this.node.dependencies] as Array<Partial<ITerraformDependable>>;
    return [...new Set(all.map((d) => d.fqn).filter((fqn): fqn is string => typeof fqn === 'string'))];
  }

  /** Reports what no depends_on can name: a construct that is not a Terraform element. */
  private checkDependencies(checker: FieldChecker): void {
    this.dependencies.forEach((d, i) => {
      if (typeof (d as Partial<ITerraformDependable>)?.fqn !== 'string') checker.report(`dependsOn[${i}]`, 'must be a Terraform resource, data source or module');
    });
    for (const d of this.node.dependencies) {
      if (typeof (d as Partial<ITerraformDependable>).fqn !== 'string') {
        checker.report('node.addDependency', `${d.node.path} is not a Terraform resource, data source or module, so no depends_on can name it`);
      }
    }
  }

  /** Checks the props whose values are known now; tokens are skipped and checked by the handler at apply time. @internal */
  protected abstract _check(checker: FieldChecker): void;

  /** The grants this construct declares. @internal */
  protected abstract _grants(): GrantSpec[];

  private instances?: PermissionInstance[];

  /** The construct's grants as instances; computed once (the props do not change), since every block asks for them. @internal */
  _instances(): PermissionInstance[] {
    return this.instances ??= this._grants().map((g) => ({
      ...instanceKeys(this, g.identity),
      path: this.node.path,
      resource: g.resource,
      removalPolicy: this.removalPolicy,
      expiresAt: this.expiresAt,
      conflict: g.conflict ?? g.identity,
      expand: g.expand,
    }));
  }
}
