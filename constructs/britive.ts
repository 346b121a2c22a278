import { Construct } from 'constructs';
import { DEFAULT_CONNECTIONS, FieldChecker, checkBritive, normalizeText } from '../src/contract';
import { Fn, Token } from './core';
import { GrantSpec, SaasPermission, SaasPermissionBaseProps } from './permission';
import { SaasPermissionsProvider, SaasProviderBaseProps } from './permissions-provider';

export interface BritiveProviderProps extends SaasProviderBaseProps {
  /**
   * Tenant URL, for example https://acme.britive-app.com (the API is under /api). A literal: a URL known only at
   * apply time goes in an environment variable named by `tenantEnv`.
   * @default the variable named by tenantEnv, read at apply time
   */
  readonly tenant?: string;
  /**
   * Name of the environment variable holding the tenant URL when `tenant` is not set.
   * @default 'BRITIVE_TENANT'
   */
  readonly tenantEnv?: string;
  /**
   * Name of the environment variable holding the Britive API token (`Authorization: TOKEN ...`).
   * @default 'BRITIVE_TOKEN'
   */
  readonly tokenEnv?: string;
}

/** Connection to one Britive tenant, used by the BritiveProfilePermission constructs of its stack. */
export class BritiveProvider extends SaasPermissionsProvider {
  constructor(scope: Construct, id: string, props: BritiveProviderProps = {}) {
    super(scope, id, 'britive', props);
    const d = DEFAULT_CONNECTIONS.britive;
    this._configure({ tenant: props.tenant, tenantEnv: props.tenantEnv ?? d.tenantEnv, tokenEnv: props.tokenEnv ?? d.tokenEnv }, { tenant: props.tenant });
  }
}

export interface BritiveProfilePermissionProps extends SaasPermissionBaseProps {
  /**
   * The provider construct holding the tenant's connection settings.
   * @default the only BritiveProvider of the stack
   */
  readonly provider?: BritiveProvider;
  /** The profile (pap) id. */
  readonly profileId: string;
  /** The permission's name as Britive lists it; may contain "/". */
  readonly permissionName: string;
  /** The permission's type as Britive names it, for example "role", "group", "policy" or "permission". */
  readonly permissionType: string;
}

/** A permission attached to a Britive profile. Every field is identity: a change removes the old one and adds the new. */
export class BritiveProfilePermission extends SaasPermission {
  /** As written, so messages can show what the user wrote. */
  private readonly declared: BritiveProfilePermissionProps;
  /** Unicode-normalized (NFC), as Terraform will send it. */
  private readonly grant: BritiveProfilePermissionProps;

  constructor(scope: Construct, id: string, props: BritiveProfilePermissionProps) {
    super(scope, id, 'britive', props, props.provider);
    this.declared = props;
    this.grant = normalizeText(props);
  }

  /** @internal */
  protected _check(c: FieldChecker): void {
    checkBritive(c, this.declared);
  }

  /** @internal */
  protected _grants(): GrantSpec[] {
    const { profileId, permissionName, permissionType } = this.grant;
    // Britive reads types back case-insensitively: "Role" and "role" on one profile are one grant.
    const foldedType = Token.isUnresolved(permissionType) ? Fn.lower(permissionType) : permissionType.toLowerCase();
    return [{
      identity: [profileId, permissionName, permissionType],
      conflict: [profileId, permissionName, foldedType],
      resource: { profileId, permissionName, permissionType },
    }];
  }
}
