import { Token } from './core';
import { Construct } from 'constructs';
import { ENV, FieldChecker, checkKoreEntity, checkKoreUsers } from '../src/contract';
import { SaasPermission, SaasPermissionBaseProps } from './permission';
import { SaasPermissionsProvider, SaasProviderBaseProps } from './permissions-provider';

export interface KoreProviderProps extends SaasProviderBaseProps {
  /**
   * Kore.ai host URL.
   * @default the KORE_URL environment variable of the terraform process, else https://platform.kore.ai
   */
  readonly url?: string;
  /**
   * Name of the environment variable holding a ready JWT for the `auth` header; used when set.
   * @default 'KORE_JWT'
   */
  readonly jwtEnv?: string;
  /**
   * Name of the environment variable holding the app's client id (the JWT's appId) when no JWT is given.
   * @default 'KORE_CLIENT_ID'
   */
  readonly clientIdEnv?: string;
  /**
   * Name of the environment variable holding the app's client secret (signs the HS256 JWT) when no JWT is given.
   * @default 'KORE_CLIENT_SECRET'
   */
  readonly clientSecretEnv?: string;
}

/** Connection to one Kore.ai host; owns the Terraform blocks of every KoreEntityUsers using it. */
export class KoreProvider extends SaasPermissionsProvider {
  constructor(scope: Construct, id: string, props: KoreProviderProps = {}) {
    const envNames = {
      jwtEnv: props.jwtEnv ?? ENV.koreJwt,
      clientIdEnv: props.clientIdEnv ?? ENV.koreClientId,
      clientSecretEnv: props.clientSecretEnv ?? ENV.koreClientSecret,
    };
    super(scope, id, props, 'kore', { url: props.url, ...envNames }, { urls: { url: props.url }, envNames });
  }
}

export interface KoreEntityUsersProps extends SaasPermissionBaseProps<KoreProvider> {
  /** The application (bot / stream) id. */
  readonly botId: string;
  /** The connector whose permission entity this is. */
  readonly connectorId: string;
  /** The permission entity's id (its `entityId`). */
  readonly entityId: string;
  /**
   * The users this construct associates with the entity. Users added by others are left alone. A list from a
   * variable or data source works too, as long as Terraform knows it at plan time (one instance per user).
   */
  readonly users: string[];
}

/**
 * Users associated with a Kore.ai permission entity. Each user is its own Terraform instance, so changing the list
 * adds and removes only the users that changed, and a user in both lists is never touched.
 */
export class KoreEntityUsers extends SaasPermission<KoreProvider, KoreEntityUsersProps> {
  constructor(scope: Construct, id: string, props: KoreEntityUsersProps) {
    super(scope, id, props, KoreProvider);
  }

  protected check(c: FieldChecker, props: KoreEntityUsersProps): void {
    checkKoreEntity(c, props);
    if (Token.isUnresolved(props.users)) return;
    checkKoreUsers(c, props.users);
  }

  protected grants() {
    const { botId, connectorId, entityId, users } = this.props;
    if (Token.isUnresolved(users)) {
      // Terraform expands the list into one instance per user at plan time.
      return [{ identity: [botId, connectorId, entityId], resource: { botId, connectorId, entityId }, expand: { field: 'user', list: users } }];
    }
    return users.map((user) => ({
      identity: [botId, connectorId, entityId, user],
      resource: { botId, connectorId, entityId, user },
    }));
  }
}
