import { Construct } from 'constructs';
import {
  Connection, DEFAULT_CONNECTIONS, DEFAULT_HTTP_SETTINGS, HTTP_URL, HttpSettings, IDENTITY_FIELDS, ProviderSettings, StoredGrant, VendorName, hasUserInfo, isInsecureHttpUrl,
} from '../src/contract';
import { CORE_PACKAGE, Token } from './core';
import { PermissionBlocks } from './permission-blocks';
import { reportProblems, synthChecker } from './props-check';
import { registerProvider } from './registry';

/** Settings every vendor's provider construct takes. */
export interface SaasProviderBaseProps {
  /**
   * The Terraform resource type behind each permission. `null_resource` needs the hashicorp/null provider
   * (@cdktf/provider-null; not offered by cdktn-saas-permissions, as there is no @cdktn/provider-null), and since
   * it cannot update in place, a change to removalPolicy, a construct's path or connection settings briefly revokes
   * and re-grants.
   * @default 'terraform_data'
   */
  readonly resourceType?: 'terraform_data' | 'null_resource';
  /**
   * Time allowed for one HTTP request to the vendor, in seconds.
   * @default 30
   */
  readonly requestTimeoutSeconds?: number;
  /**
   * Time allowed for one whole handler run (one permission's create or removal, retries included), in seconds.
   * @default 300
   */
  readonly deadlineSeconds?: number;
  /**
   * How many times one request is retried on 429, 5xx and network errors.
   * @default 8
   */
  readonly maxRetries?: number;
  /**
   * First retry delay in milliseconds; doubles each retry with full jitter, capped at 15 s. Retry-After wins when sent.
   * @default 250
   */
  readonly baseBackoffMs?: number;
  /**
   * Largest answer body read from the vendor, in bytes (after decompression). A larger answer fails the call at once,
   * naming this setting, and is not retried; SAAS_PERMISSIONS_MAX_RESPONSE_BYTES overrides it for every provider.
   * @default 16777216 (16 MiB)
   */
  readonly maxResponseBytes?: number;
  /**
   * Allows a plain http:// URL to a host other than loopback (127.0.0.0/8, ::1, localhost), which sends the
   * credentials in clear. Without it such a literal URL fails synth, and one from an environment variable fails the
   * call before anything is sent (unless SAAS_PERMISSIONS_ALLOW_HTTP=1 is set where Terraform runs).
   * @default false
   */
  readonly allowInsecureHttp?: boolean;
  /**
   * The Node.js executable the provisioners run the handler with; every provider of a stack must agree on it.
   * @default 'node'
   */
  readonly nodeCommand?: string;
  /**
   * Says that this stack alone manages the scopes its grants live in (the Polarity integrations, Britive profiles,
   * Kore entities and Polytomic organizations it declares grants in). Only then does `drift --prune` remove what no
   * construct of this stack declares there; without it another stack's state could declare it, so prune leaves it.
   * @default false
   */
  readonly exclusiveScope?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What all four vendors' provider constructs share: the connection settings (URLs and the names of the variables
 * that hold credentials, never the credentials), the HTTP settings, and the id that names its grants in the stack's
 * Terraform blocks (see PermissionBlocks). Subclasses only say which settings their vendor has.
 */
export abstract class SaasPermissionsProvider extends Construct {
  /** The vendor this provider connects to. */
  readonly vendor: VendorName;
  /** The Terraform resource type of this provider's grants. */
  readonly resourceType: 'terraform_data' | 'null_resource';
  /** The provider's construct id as it appears in Terraform instance keys (other characters than [A-Za-z0-9_] become "_"). */
  readonly providerId: string;
  /** @internal */
  readonly _nodeCommand?: string;
  /** Whether this stack alone manages the scopes of its grants (see SaasProviderBaseProps.exclusiveScope). */
  readonly exclusiveScope: boolean;
  private readonly http: HttpSettings;
  private connection?: Connection;

  protected constructor(scope: Construct, id: string, vendor: VendorName, props: SaasProviderBaseProps) {
    super(scope, id);
    this.vendor = vendor;
    this.providerId = id.replace(/[^A-Za-z0-9_]/g, '_');
    this.resourceType = props.resourceType ?? 'terraform_data';
    const c = synthChecker();
    if (this.resourceType !== 'terraform_data' && this.resourceType !== 'null_resource') {
      c.report('resourceType', `must be "terraform_data" or "null_resource", got ${JSON.stringify(this.resourceType)}`);
    }
    // Only cdktf has prebuilt null provider bindings; @cdktf/provider-null would load a second core beside another.
    const nullResourceRefused = this.resourceType === 'null_resource' && CORE_PACKAGE !== 'cdktf';
    if (nullResourceRefused) {
      c.report('resourceType', `"null_resource" needs prebuilt bindings of the hashicorp/null provider, and none are published for ${CORE_PACKAGE} ` +
        `(no @${CORE_PACKAGE}/provider-null): cdktn-saas-permissions offers "terraform_data" only, so remove resourceType`);
    }
    const seconds = (field: string, value: number | undefined, fallbackMs: number) => {
      if (value === undefined) return fallbackMs;
      if (!Number.isFinite(value) || value <= 0) c.report(field, `must be a positive number, got ${value}`);
      return value * 1000;
    };
    const retries = props.maxRetries ?? DEFAULT_HTTP_SETTINGS.maxRetries;
    if (!Number.isInteger(retries) || retries < 0) c.report('maxRetries', `must be a whole number >= 0, got ${retries}`);
    const backoff = props.baseBackoffMs ?? DEFAULT_HTTP_SETTINGS.baseBackoffMs;
    if (!Number.isFinite(backoff) || backoff <= 0) c.report('baseBackoffMs', `must be a positive number, got ${backoff}`);
    const maxResponseBytes = props.maxResponseBytes ?? DEFAULT_HTTP_SETTINGS.maxResponseBytes;
    if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes <= 0) c.report('maxResponseBytes', `must be a whole number of bytes above 0, got ${maxResponseBytes}`);
    const allowInsecureHttp = props.allowInsecureHttp ?? DEFAULT_HTTP_SETTINGS.allowInsecureHttp;
    if (typeof allowInsecureHttp !== 'boolean') c.report('allowInsecureHttp', `must be true or false, got ${JSON.stringify(allowInsecureHttp)}`);
    this.http = {
      ...DEFAULT_HTTP_SETTINGS,
      requestTimeoutMs: seconds('requestTimeoutSeconds', props.requestTimeoutSeconds, DEFAULT_HTTP_SETTINGS.requestTimeoutMs),
      deadlineMs: seconds('deadlineSeconds', props.deadlineSeconds, DEFAULT_HTTP_SETTINGS.deadlineMs),
      maxRetries: retries,
      baseBackoffMs: backoff,
      maxResponseBytes,
      allowInsecureHttp,
    };
    if (props.nodeCommand !== undefined) c.nonEmptyString('nodeCommand', props.nodeCommand);
    this._nodeCommand = props.nodeCommand;
    this.exclusiveScope = props.exclusiveScope ?? false;
    if (typeof this.exclusiveScope !== 'boolean') c.report('exclusiveScope', `must be true or false, got ${JSON.stringify(this.exclusiveScope)}`);
    reportProblems(this, c);
    registerProvider(this);
    const blocks = PermissionBlocks.of(this);
    if (this.resourceType === 'null_resource' && !nullResourceRefused) blocks.ensureType('null_resource');
    if (props.nodeCommand) blocks.useNodeCommand(props.nodeCommand);
  }

  /**
   * Sets the vendor's connection settings and checks them: URLs must be literal http(s) URLs without user
   * information, variable names must be names.
   * @internal
   */
  protected _configure(connection: Connection, urls: Record<string, string | undefined>): void {
    this.connection = connection;
    const c = synthChecker();
    for (const [field, url] of Object.entries(urls)) {
      if (url === undefined) continue;
      if (Token.isUnresolved(url)) {
        c.report(field, `cannot come from a variable or another resource: a destroy-time provisioner can only use literals. ` +
          `Export the URL in an environment variable of the terraform process and name it in ${field === 'tenant' ? 'tenantEnv' : 'urlEnv'}`);
      } else if (hasUserInfo(url)) {
        c.report(field, 'must not hold a user name or password: credentials come from the token variables, and a URL is printed in messages');
      } else if (HTTP_URL.test(url) && isInsecureHttpUrl(url) && !this.http.allowInsecureHttp) {
        c.report(field, `is plain http to a host other than this machine, which would send the credentials in clear: use https, ` +
          'or set allowInsecureHttp: true on the provider to allow it');
      } else {
        c.pattern(field, url, HTTP_URL, 'an http(s) URL without query or fragment');
      }
    }
    for (const [field, name] of Object.entries(connection)) {
      if (field.endsWith('Env')) c.pattern(field, name, ENV_NAME, 'an environment variable name');
    }
    reportProblems(this, c);
  }

  /** What the handler needs to reach the vendor: URLs, variable names and HTTP settings that differ from the defaults. @internal */
  _settings(): ProviderSettings {
    if (!this.connection) throw new Error(`${this.node.path}: the provider's connection was never configured`);
    return { path: this.node.path, connection: this.connection, http: this.httpOverrides() };
  }

  /** What each grant keeps in state for a revoke after this provider is deleted: only settings that differ from the defaults. @internal */
  _stored(): Pick<StoredGrant, 'connection' | 'http'> {
    const { connection, http } = this._settings();
    const defaults = DEFAULT_CONNECTIONS[this.vendor] as unknown as Record<string, unknown>;
    const differs = Object.entries(connection).some(([k, v]) => v !== undefined && defaults[k] !== v);
    return { ...(differs ? { connection } : {}), ...(http ? { http } : {}) };
  }

  /** The identity fields of a grant of this vendor, in contract order. @internal */
  _identity(resource: Record<string, unknown>): unknown[] {
    return IDENTITY_FIELDS[this.vendor].map((f) => resource[f] ?? null);
  }

  private httpOverrides(): Partial<HttpSettings> | undefined {
    const changed = Object.entries(this.http).filter(([k, v]) => DEFAULT_HTTP_SETTINGS[k as keyof HttpSettings] !== v);
    return changed.length > 0 ? Object.fromEntries(changed) : undefined;
  }
}
