import { Construct } from 'constructs';
import { DEFAULT_CONNECTIONS, FieldChecker, checkPolarity, normalizeText } from '../src/contract';
import { GrantSpec, SaasPermission, SaasPermissionBaseProps } from './permission';
import { SaasPermissionsProvider, SaasProviderBaseProps } from './permissions-provider';

export interface PolarityProviderProps extends SaasProviderBaseProps {
  /**
   * Polarity Server URL, for example https://polarity.example.com. A literal: a URL known only at apply time goes in
   * an environment variable named by `urlEnv`.
   * @default the variable named by urlEnv, read at apply time
   */
  readonly url?: string;
  /**
   * Name of the environment variable holding the server URL when `url` is not set.
   * @default 'POLARITY_URL'
   */
  readonly urlEnv?: string;
  /**
   * Name of the environment variable holding the Polarity API token (Bearer).
   * @default 'POLARITY_TOKEN'
   */
  readonly tokenEnv?: string;
}

/** Connection to one Polarity Server, used by the PolarityIntegrationPermission constructs of its stack. */
export class PolarityProvider extends SaasPermissionsProvider {
  constructor(scope: Construct, id: string, props: PolarityProviderProps = {}) {
    super(scope, id, 'polarity', props);
    const d = DEFAULT_CONNECTIONS.polarity;
    this._configure({ url: props.url, urlEnv: props.urlEnv ?? d.urlEnv, tokenEnv: props.tokenEnv ?? d.tokenEnv }, { url: props.url });
  }
}

export interface PolarityIntegrationPermissionProps extends SaasPermissionBaseProps {
  /**
   * The provider construct holding the server's connection settings.
   * @default the only PolarityProvider of the stack
   */
  readonly provider?: PolarityProvider;
  /** The integration's id, for example "virustotal_3_7_4_node_18_63e5110da4_1697729362". */
  readonly integrationId: string;
  /** Numeric id of the group (or single user's group); "1" is All Polarity Users. */
  readonly groupId: string;
  /** The group's whole permission set on the integration; `admin` implies `read`. */
  readonly permissions: Array<'read' | 'admin'>;
}

/** A group's `read`/`admin` permissions on a Polarity integration. Changing `permissions` updates in place. */
export class PolarityIntegrationPermission extends SaasPermission {
  /** As written, so messages can show what the user wrote. */
  private readonly declared: PolarityIntegrationPermissionProps;
  /** Unicode-normalized (NFC), as Terraform will send it. */
  private readonly grant: PolarityIntegrationPermissionProps;

  constructor(scope: Construct, id: string, props: PolarityIntegrationPermissionProps) {
    super(scope, id, 'polarity', props, props.provider);
    this.declared = props;
    this.grant = normalizeText(props);
  }

  /** @internal */
  protected _check(c: FieldChecker): void {
    checkPolarity(c, this.declared);
  }

  /** @internal */
  protected _grants(): GrantSpec[] {
    const { integrationId, groupId, permissions } = this.grant;
    return [{ identity: [integrationId, groupId], resource: { integrationId, groupId, permissions } }];
  }
}
