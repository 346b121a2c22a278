import { Construct } from 'constructs';
import { DEFAULT_POLYTOMIC_API_VERSION, ENV, FieldChecker, PolytomicPolicyAction, checkPolytomic } from '../src/contract';
import { SaasPermission, SaasPermissionBaseProps } from './permission';
import { SaasPermissionsProvider, SaasProviderBaseProps } from './permissions-provider';

export interface PolytomicProviderProps extends SaasProviderBaseProps {
  /**
   * Polytomic deployment URL.
   * @default the POLYTOMIC_DEPLOYMENT_URL environment variable of the terraform process, else https://app.polytomic.com
   */
  readonly url?: string;
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

/** Connection to one Polytomic deployment; owns the Terraform blocks of every PolytomicPolicy using it. */
export class PolytomicProvider extends SaasPermissionsProvider {
  constructor(scope: Construct, id: string, props: PolytomicProviderProps = {}) {
    const apiKeyEnv = props.apiKeyEnv ?? ENV.polytomicApiKey;
    const connection = { url: props.url, apiKeyEnv, apiVersion: props.apiVersion ?? DEFAULT_POLYTOMIC_API_VERSION };
    super(scope, id, props, 'polytomic', connection, { urls: { url: props.url }, envNames: { apiKeyEnv } });
  }
}

export interface PolytomicPolicyProps extends SaasPermissionBaseProps<PolytomicProvider> {
  /** The policy's name; it identifies the policy, so renaming deletes the old policy and creates a new one. */
  readonly name: string;
  /** The actions the policy grants and the role ids (UUIDs) that hold each; changing them updates the policy in place. */
  readonly policyActions: PolytomicPolicyAction[];
  /**
   * The organization the policy belongs to (needed with partner or deployment keys).
   * @default the API key's organization
   */
  readonly organizationId?: string;
}

/** A Polytomic permissions policy, found by name; a change of actions keeps its id. */
export class PolytomicPolicy extends SaasPermission<PolytomicProvider, PolytomicPolicyProps> {
  constructor(scope: Construct, id: string, props: PolytomicPolicyProps) {
    super(scope, id, props, PolytomicProvider);
  }

  protected check(c: FieldChecker, props: PolytomicPolicyProps): void {
    checkPolytomic(c, props);
  }

  protected grants() {
    const { name, organizationId, policyActions } = this.props;
    return [{
      identity: organizationId === undefined ? [name] : [organizationId, name],
      resource: { name, organizationId: organizationId ?? null, policyActions: policyActions.map((a) => ({ action: a.action, roleIds: a.roleIds })) },
    }];
  }
}
