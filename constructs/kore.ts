import { Construct } from 'constructs';
import { DEFAULT_CONNECTIONS, FieldChecker, checkKoreEntity, checkKoreUsers, normalizeText } from '../src/contract';
import { Token } from './core';
import { GrantSpec, SaasPermission, SaasPermissionBaseProps } from './permission';
import { SaasPermissionsProvider, SaasProviderBaseProps } from './permissions-provider';

export interface KoreProviderProps extends SaasProviderBaseProps {
  /**
   * Kore.ai host URL. A literal: a URL known only at apply time goes in an environment variable named by `urlEnv`.
   * @default the variable named by urlEnv, else https://platform.kore.ai
   */
  readonly url?: string;
  /**
   * Name of the environment variable holding the host URL when `url` is not set.
   * @default 'KORE_URL'
   */
  readonly urlEnv?: string;
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

/** Connection to one Kore.ai host, used by the KoreEntityUsers constructs of its stack. */
export class KoreProvider extends SaasPermissionsProvider {
  constructor(scope: Construct, id: string, props: KoreProviderProps = {}) {
    super(scope, id, 'kore', props);
    const d = DEFAULT_CONNECTIONS.kore;
    this._configure({
      url: props.url,
      urlEnv: props.urlEnv ?? d.urlEnv,
      jwtEnv: props.jwtEnv ?? d.jwtEnv,
      clientIdEnv: props.clientIdEnv ?? d.clientIdEnv,
      clientSecretEnv: props.clientSecretEnv ?? d.clientSecretEnv,
    }, { url: props.url });
  }
}

export interface KoreEntityUsersProps extends SaasPermissionBaseProps {
  /**
   * The provider construct holding the host's connection settings.
   * @default the only KoreProvider of the stack
   */
  readonly provider?: KoreProvider;
  /** The application (bot / stream) id. */
  readonly botId: string;
  /** The connector whose permission entity this is. */
  readonly connectorId: string;
  /**
   * The permission entity: its `_id` (`fpe-...`) or its source id (for example a group's e-mail). When the id given
   * is not one the API takes in the path, it is looked up in the connector's entity list by either form.
   */
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
export class KoreEntityUsers extends SaasPermission {
  /** As written, so messages can show what the user wrote. */
  private readonly declared: KoreEntityUsersProps;
  /** Unicode-normalized (NFC), as Terraform will send it. */
  private readonly grant: KoreEntityUsersProps;

  constructor(scope: Construct, id: string, props: KoreEntityUsersProps) {
    super(scope, id, 'kore', props, props.provider);
    this.declared = props;
    this.grant = normalizeText(props);
  }

  /** @internal */
  protected _check(c: FieldChecker): void {
    checkKoreEntity(c, this.declared);
    if (Token.isUnresolved(this.declared.users)) return;
    checkKoreUsers(c, this.declared.users);
  }

  /** @internal */
  protected _grants(): GrantSpec[] {
    const { botId, connectorId, entityId, users } = this.grant;
    if (Token.isUnresolved(users)) {
      // Terraform expands the list into one instance per user at plan time.
      return [{ identity: [botId, connectorId, entityId], resource: { botId, connectorId, entityId }, expand: { field: 'user', list: users } }];
    }
    return users.map((user) => ({ identity: [botId, connectorId, entityId, user], resource: { botId, connectorId, entityId, user } }));
  }
}
