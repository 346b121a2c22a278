import { Construct } from 'constructs';
import { ENV, FieldChecker, checkBritive } from '../src/contract';
import { SaasPermission, SaasPermissionBaseProps } from './permission';
import { SaasPermissionsProvider, SaasProviderBaseProps } from './permissions-provider';

export interface BritiveProviderProps extends SaasProviderBaseProps {
  /**
   * Tenant URL, for example https://acme.britive-app.com (the API is under /api).
   * @default the BRITIVE_TENANT environment variable of the terraform process, read at apply time
   */
  readonly tenant?: string;
  /**
   * Name of the environment variable holding the Britive API token (`Authorization: TOKEN ...`).
   * @default 'BRITIVE_TOKEN'
   */
  readonly tokenEnv?: string;
}

/** Connection to one Britive tenant; owns the Terraform blocks of every BritiveProfilePermission using it. */
export class BritiveProvider extends SaasPermissionsProvider {
  constructor(scope: Construct, id: string, props: BritiveProviderProps = {}) {
    const tokenEnv = props.tokenEnv ?? ENV.britiveToken;
    super(scope, id, props, 'britive', { tenant: props.tenant, tokenEnv }, { urls: { tenant: props.tenant }, envNames: { tokenEnv } });
  }
}

export interface BritiveProfilePermissionProps extends SaasPermissionBaseProps<BritiveProvider> {
  /** The profile (pap) id. */
  readonly profileId: string;
  /** The permission's name as Britive lists it; may contain "/". */
  readonly permissionName: string;
  /** The permission's type, case-sensitive: "role", "group", "policy" or "permission". */
  readonly permissionType: string;
}

/** A permission attached to a Britive profile. Every field is identity: a change removes the old one and adds the new. */
export class BritiveProfilePermission extends SaasPermission<BritiveProvider, BritiveProfilePermissionProps> {
  constructor(scope: Construct, id: string, props: BritiveProfilePermissionProps) {
    super(scope, id, props, BritiveProvider);
  }

  protected check(c: FieldChecker, props: BritiveProfilePermissionProps): void {
    checkBritive(c, props);
  }

  protected grants() {
    const { profileId, permissionName, permissionType } = this.props;
    return [{ identity: [profileId, permissionName, permissionType], resource: { profileId, permissionName, permissionType } }];
  }
}
