import { Construct } from 'constructs';
import { ENV, FieldChecker, checkPolarity } from '../src/contract';
import { SaasPermission, SaasPermissionBaseProps } from './permission';
import { SaasPermissionsProvider, SaasProviderBaseProps } from './permissions-provider';

export interface PolarityProviderProps extends SaasProviderBaseProps {
  /**
   * Polarity Server URL, for example https://polarity.example.com.
   * @default the POLARITY_URL environment variable of the terraform process, read at apply time
   */
  readonly url?: string;
  /**
   * Name of the environment variable holding the Polarity API token (Bearer).
   * @default 'POLARITY_TOKEN'
   */
  readonly tokenEnv?: string;
}

/** Connection to one Polarity Server; owns the Terraform blocks of every PolarityIntegrationPermission using it. */
export class PolarityProvider extends SaasPermissionsProvider {
  constructor(scope: Construct, id: string, props: PolarityProviderProps = {}) {
    const tokenEnv = props.tokenEnv ?? ENV.polarityToken;
    super(scope, id, props, 'polarity', { url: props.url, tokenEnv }, { urls: { url: props.url }, envNames: { tokenEnv } });
  }
}

export interface PolarityIntegrationPermissionProps extends SaasPermissionBaseProps<PolarityProvider> {
  /** The integration's id, for example "virustotal_3_7_4_node_18_63e5110da4_1697729362". */
  readonly integrationId: string;
  /** Numeric id of the group (or single user's group); "1" is All Polarity Users. */
  readonly groupId: string;
  /** The group's whole permission set on the integration; `admin` implies `read`. */
  readonly permissions: Array<'read' | 'admin'>;
}

/** A group's `read`/`admin` permissions on a Polarity integration. Changing `permissions` updates in place. */
export class PolarityIntegrationPermission extends SaasPermission<PolarityProvider, PolarityIntegrationPermissionProps> {
  constructor(scope: Construct, id: string, props: PolarityIntegrationPermissionProps) {
    super(scope, id, props, PolarityProvider);
  }

  protected check(c: FieldChecker, props: PolarityIntegrationPermissionProps): void {
    checkPolarity(c, props);
  }

  protected grants() {
    const { integrationId, groupId, permissions } = this.props;
    return [{ identity: [integrationId, groupId], resource: { integrationId, groupId, permissions } }];
  }
}
