import { Construct } from 'constructs';
import { FieldChecker, RemovalPolicy } from '../src/contract';
import type { SaasPermissionsProvider } from './permissions-provider';
import { synthChecker, throwIfProblems } from './props-check';
import { PermissionInstance, PermissionSource, registerSource, resolveProvider } from './registry';
import { keyPart } from './terraform-text';

/** Props every permission construct takes. */
export interface SaasPermissionBaseProps<P extends SaasPermissionsProvider> {
  /**
   * The provider construct holding the vendor's connection settings.
   * @default the only provider construct of this vendor in the stack
   */
  readonly provider?: P;
  /**
   * What happens at the vendor when this construct is removed from code or the stack is destroyed:
   * `destroy` revokes the grant, `retain` leaves the vendor as it is.
   * @default 'destroy'
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * What all four permission constructs share: synth-time validation of literal values, finding the provider, and
 * handing the provider one instance per grant. Subclasses say only which fields they have and how they check them.
 */
export abstract class SaasPermission<P extends SaasPermissionsProvider, Props extends SaasPermissionBaseProps<P>>
  extends Construct implements PermissionSource {
  protected readonly removalPolicy: RemovalPolicy;
  private readonly explicitProvider?: P;

  constructor(
    scope: Construct, id: string, protected readonly props: Props,
    private readonly providerClass: abstract new (...args: never[]) => P,
  ) {
    super(scope, id);
    this.explicitProvider = props.provider;
    this.removalPolicy = props.removalPolicy ?? 'destroy';
    const checker = synthChecker();
    checker.oneOf('removalPolicy', this.removalPolicy, ['destroy', 'retain']);
    this.check(checker, props);
    throwIfProblems(this, checker.problems);
    registerSource(this);
    // Reported by cdktf's synth validation when no provider can be found.
    this.node.addValidation({ validate: () => { try { this.provider; return []; } catch (e) { return [(e as Error).message]; } } });
  }

  private resolvedProvider?: P;

  /** The provider this construct's grants belong to; resolved at first use, since it may be created after this. */
  get provider(): P {
    this.resolvedProvider ??= resolveProvider(this, this.explicitProvider, this.providerClass, this.providerClass.name);
    return this.resolvedProvider;
  }

  /** Checks the props whose values are known now; tokens are skipped and checked by the handler at apply time. */
  protected abstract check(checker: FieldChecker, props: Props): void;

  /** The grants this construct declares, each with its identity fields. */
  protected abstract grants(): Array<{ identity: unknown[]; resource: Record<string, unknown>; expand?: PermissionInstance['expand'] }>;

  instancesFor(provider: SaasPermissionsProvider): PermissionInstance[] {
    if (this.provider !== provider) return [];
    return this.grants().map((g) => ({
      key: g.identity.map((part) => keyPart(this, part)).join('/'),
      path: this.node.path,
      resource: g.resource,
      removalPolicy: this.removalPolicy,
      expand: g.expand,
    }));
  }
}
