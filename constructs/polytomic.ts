import { Construct } from 'constructs';
import { DEFAULT_CONNECTIONS, FieldChecker, PolytomicPolicyAction, checkPolytomic, normalizeText } from '../src/contract';
import { GrantSpec, SaasPermission, SaasPermissionBaseProps } from './permission';
import { SaasPermissionsProvider, SaasProviderBaseProps } from './permissions-provider';

export interface PolytomicProviderProps extends SaasProviderBaseProps {
  /**
   * Polytomic deployment URL. A literal: a URL known only at apply time goes in an environment variable named by
   * `urlEnv`.
   * @default the variable named by urlEnv, else https://app.polytomic.com
   */
  readonly url?: string;
  /**
   * Name of the environment variable holding the deployment URL when `url` is not set.
   * @default 'POLYTOMIC_DEPLOYMENT_URL'
   */
  readonly urlEnv?: string;
  /**
   * Name of the environment variable holding the Polytomic API key (Bearer).
   * @default 'POLYTOMIC_API_KEY'
   */
  readonly apiKeyEnv?: string;
  /**
   * Value of the required X-Polytomic-Version header.
   * @default '2024-02-08'
   */
  readonly apiVersion?: string;
}

/** Connection to one Polytomic deployment, used by the PolytomicPolicy constructs of its stack. */
export class PolytomicProvider extends SaasPermissionsProvider {
  constructor(scope: Construct, id: string, props: PolytomicProviderProps = {}) {
    super(scope, id, 'polytomic', props);
    const d = DEFAULT_CONNECTIONS.polytomic;
    this._configure({
      url: props.url, urlEnv: props.urlEnv ?? d.urlEnv, apiKeyEnv: props.apiKeyEnv ?? d.apiKeyEnv, apiVersion: props.apiVersion ?? d.apiVersion,
    }, { url: props.url });
  }
}

export interface PolytomicPolicyProps extends SaasPermissionBaseProps {
  /**
   * The provider construct holding the deployment's connection settings.
   * @default the only PolytomicProvider of the stack
   */
  readonly provider?: PolytomicProvider;
  /** The policy's name; with the organization it identifies the policy, so renaming deletes the old policy and creates a new one. */
  readonly name: string;
  /**
   * The actions the policy grants and the role ids (UUIDs) that hold each; changing them updates the policy in place.
   * Any action Polytomic accepts; one it does not document draws a warning at synth.
   */
  readonly policyActions: PolytomicPolicyAction[];
  /**
   * The organization the policy belongs to (needed with partner or deployment keys).
   * @default the API key's organization
   */
  readonly organizationId?: string;
}

/** A Polytomic permissions policy, found by name; a change of actions keeps its id. */
export class PolytomicPolicy extends SaasPermission {
  /** As written, so messages can show what the user wrote. */
  private readonly declared: PolytomicPolicyProps;
  /** Unicode-normalized (NFC), as Terraform will send it. */
  private readonly grant: PolytomicPolicyProps;

  constructor(scope: Construct, id: string, props: PolytomicPolicyProps) {
    super(scope, id, 'polytomic', props, props.provider);
    this.declared = props;
    this.grant = normalizeText(props);
  }

  /** @internal */
  protected _check(c: FieldChecker): void {
    checkPolytomic(c, this.declared);
  }

  /** @internal */
  protected _grants(): GrantSpec[] {
    const { name, organizationId, policyActions } = this.grant;
    return [{
      identity: organizationId === undefined ? [name] : [organizationId, name],
      resource: { name, organizationId: organizationId ?? null, policyActions: policyActions.map((a) => ({ action: a.action, roleIds: a.roleIds })) },
    }];
  }
}
