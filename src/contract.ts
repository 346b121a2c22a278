/**
 * The JSON contract between the synth-time constructs (constructs/) and the run-time code (src/: the lifecycle
 * handler and the command-line tool). It is the only module constructs/ imports from src/, so everything both sides
 * must agree on lives here. What a revoke needs from Terraform state (the identity, the construct path, the removal
 * policy, the settings of a provider that was deleted) is read back by destroy-time provisioners, possibly with a
 * newer handler: fields are only ever added, and `v` says which shape a payload has.
 */
export const CONTRACT_VERSION = 3;

/** File name of the bundled handler, shipped into each stack as a TerraformAsset. */
export const HANDLER_FILE_NAME = 'lifecycle-handler.cjs';

/** What the provisioners run: a POSIX shell script that hands the grant to the run's agent (src/agent-client.sh). */
export const HANDLER_SCRIPT_NAME = 'lifecycle-handler.sh';

/** Environment of the script: where the handler bundle is, and the Node command that runs it. */
export const HANDLER_PATH_ENV = 'SAAS_PERMISSIONS_HANDLER';
export const NODE_COMMAND_ENV = 'SAAS_PERMISSIONS_NODE';

/** Environment variable through which a provisioner hands the payload (JSON text) to the handler. */
export const PAYLOAD_ENV = 'SAAS_PERMISSIONS_PAYLOAD';

/** Environment variable through which a provisioner names its Terraform instance, for messages. */
export const ADDRESS_ENV = 'SAAS_PERMISSIONS_ADDRESS';

/**
 * Environment variable through which every provisioner hands the handler the settings of all providers of the stack
 * (JSON: vendor -> provider id -> ProviderSettings), so a run can check them all before writing to any vendor.
 */
export const PROVIDERS_ENV = 'SAAS_PERMISSIONS_PROVIDERS';

/** Key under the revoke blocks' "//" comment where synth records each vendor's current providers for the command-line tool. */
export const MANIFEST_KEY = 'saas-permissions';

/** The manifest under MANIFEST_KEY of each vendor's revoke block (read by src/stack-manifest.ts). */
export interface StackManifest {
  readonly vendor: VendorName;
  readonly providers: Record<string, ProviderSettings>;
  readonly exclusiveScope?: string[];
  /**
   * Construct path by instance key (of a list only Terraform knows, by the keys' common start, which ends in
   * EXPANDED_KEY_MARK). Absent in stacks synthesized before it was added.
   */
  readonly paths?: Record<string, string>;
}

/** What a provisioner asks of the handler: bring the vendor to the declared state, or take a grant away. */
export type Operation = 'apply' | 'revoke';
export const OPERATIONS: readonly Operation[] = ['apply', 'revoke'];

/** What happens at the vendor when a grant's construct is removed: `destroy` revokes it, `retain` leaves it. */
export type RemovalPolicy = 'destroy' | 'retain';

export type VendorName = 'polarity' | 'britive' | 'kore' | 'polytomic';
export const VENDORS: readonly VendorName[] = ['polarity', 'britive', 'kore', 'polytomic'];

/** Default environment variable names, read from the environment of the `terraform` process. */
export const ENV = {
  polarityUrl: 'POLARITY_URL',
  polarityToken: 'POLARITY_TOKEN',
  britiveTenant: 'BRITIVE_TENANT',
  britiveToken: 'BRITIVE_TOKEN',
  koreUrl: 'KORE_URL',
  koreJwt: 'KORE_JWT',
  koreClientId: 'KORE_CLIENT_ID',
  koreClientSecret: 'KORE_CLIENT_SECRET',
  polytomicUrl: 'POLYTOMIC_DEPLOYMENT_URL',
  polytomicApiKey: 'POLYTOMIC_API_KEY',
} as const;

export const DEFAULT_KORE_URL = 'https://platform.kore.ai';
export const DEFAULT_POLYTOMIC_URL = 'https://app.polytomic.com';
export const DEFAULT_POLYTOMIC_API_VERSION = '2024-02-08';

/** Network behaviour of the handler; every figure is set on the provider construct. */
export interface HttpSettings {
  /** Time allowed for one HTTP request, in milliseconds. */
  readonly requestTimeoutMs: number;
  /** Time allowed for one whole handler run (all requests and retries), in milliseconds. */
  readonly deadlineMs: number;
  /** How many times one request is retried after a retryable failure. */
  readonly maxRetries: number;
  /** First backoff delay in milliseconds; doubles on each retry, capped at maxBackoffMs, with full jitter. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Largest answer body read, in bytes (after decompression); a larger one fails at once and is not retried. */
  readonly maxResponseBytes: number;
  /** Whether plain http:// to a host other than loopback is allowed, which sends the credentials in clear. */
  readonly allowInsecureHttp: boolean;
}

export const DEFAULT_HTTP_SETTINGS: HttpSettings = {
  requestTimeoutMs: 30_000,
  deadlineMs: 300_000,
  maxRetries: 8,
  baseBackoffMs: 250,
  maxBackoffMs: 15_000,
  maxResponseBytes: 16 * 1024 * 1024,
  allowInsecureHttp: false,
};

/** Overrides every provider's maxResponseBytes (a number of bytes), also for `import`, which reads no provider. */
export const MAX_RESPONSE_BYTES_ENV = 'SAAS_PERMISSIONS_MAX_RESPONSE_BYTES';

/** The most pages, and items, one scope's read may take (a whole number each); the defaults are in vendors/paging.ts. */
export const MAX_PAGES_ENV = 'SAAS_PERMISSIONS_MAX_PAGES';
export const MAX_ITEMS_ENV = 'SAAS_PERMISSIONS_MAX_ITEMS';

/** "1" allows plain http:// to hosts other than loopback at run time, as a provider's allowInsecureHttp does. */
export const ALLOW_HTTP_ENV = 'SAAS_PERMISSIONS_ALLOW_HTTP';

export interface PolarityConnection {
  /** Server URL; when absent the handler reads the variable named by urlEnv. */
  readonly url?: string;
  readonly urlEnv: string;
  readonly tokenEnv: string;
}
export interface BritiveConnection {
  /** Tenant URL; when absent the handler reads the variable named by tenantEnv. */
  readonly tenant?: string;
  readonly tenantEnv: string;
  readonly tokenEnv: string;
}
export interface KoreConnection {
  /** Host URL; when absent the handler reads the variable named by urlEnv, else uses DEFAULT_KORE_URL. */
  readonly url?: string;
  readonly urlEnv: string;
  readonly jwtEnv: string;
  readonly clientIdEnv: string;
  readonly clientSecretEnv: string;
}
export interface PolytomicConnection {
  /** Deployment URL; when absent the handler reads the variable named by urlEnv, else uses DEFAULT_POLYTOMIC_URL. */
  readonly url?: string;
  readonly urlEnv: string;
  readonly apiKeyEnv: string;
  readonly apiVersion: string;
}
export type Connection = PolarityConnection | BritiveConnection | KoreConnection | PolytomicConnection;

/** What a provider construct of each vendor uses when nothing is set. */
export const DEFAULT_CONNECTIONS: {
  readonly polarity: PolarityConnection; readonly britive: BritiveConnection;
  readonly kore: KoreConnection; readonly polytomic: PolytomicConnection;
} = {
  polarity: { urlEnv: ENV.polarityUrl, tokenEnv: ENV.polarityToken },
  britive: { tenantEnv: ENV.britiveTenant, tokenEnv: ENV.britiveToken },
  kore: { urlEnv: ENV.koreUrl, jwtEnv: ENV.koreJwt, clientIdEnv: ENV.koreClientId, clientSecretEnv: ENV.koreClientSecret },
  polytomic: { urlEnv: ENV.polytomicUrl, apiKeyEnv: ENV.polytomicApiKey, apiVersion: DEFAULT_POLYTOMIC_API_VERSION },
};

export interface PolarityGrant {
  readonly integrationId: string;
  readonly groupId: string;
  readonly permissions: string[];
}
export interface BritiveGrant {
  readonly profileId: string;
  readonly permissionName: string;
  readonly permissionType: string;
}
/** One user on one Kore.ai permission entity: each user is its own instance so a list change touches only the difference. */
export interface KoreGrant {
  readonly botId: string;
  readonly connectorId: string;
  readonly entityId: string;
  readonly user: string;
}
/** One action of a Polytomic policy and the roles that hold it. */
export interface PolytomicPolicyAction {
  /** The action, for example "read" or "sync_to"; any name Polytomic accepts. */
  readonly action: string;
  /** Ids (UUIDs) of the roles that hold the action; may be empty. */
  readonly roleIds: string[];
}
export interface PolytomicGrant {
  readonly name: string;
  readonly organizationId?: string | null;
  readonly policyActions: PolytomicPolicyAction[];
}

/** A provider construct's settings as the handler needs them: URLs and variable names, never a secret. */
export interface ProviderSettings<C = Connection> {
  /** The provider construct's path, for messages and the drift report. */
  readonly path: string;
  readonly connection: C;
  /** Only the settings that differ from DEFAULT_HTTP_SETTINGS. */
  readonly http?: Partial<HttpSettings>;
}

interface PayloadBase<V extends VendorName, C, R> {
  readonly v: number;
  readonly vendor: V;
  /** Construct path, so every handler message can name the construct the user wrote. */
  readonly path: string;
  /** Only the settings that differ from DEFAULT_HTTP_SETTINGS. */
  readonly http?: Partial<HttpSettings>;
  readonly connection: C;
  /** Identity and desired state; the apply instance is replaced (so the handler runs) whenever it changes. */
  readonly resource: R;
}

export type PolarityPayload = PayloadBase<'polarity', PolarityConnection, PolarityGrant>;
export type BritivePayload = PayloadBase<'britive', BritiveConnection, BritiveGrant>;
export type KorePayload = PayloadBase<'kore', KoreConnection, KoreGrant>;
export type PolytomicPayload = PayloadBase<'polytomic', PolytomicConnection, PolytomicGrant>;
export type Payload = PolarityPayload | BritivePayload | KorePayload | PolytomicPayload;

/**
 * What the revoke instance keeps in state (its `input`, as JSON text): the construct path, `retain`, and the
 * provider's settings where they differ from DEFAULT_CONNECTIONS and DEFAULT_HTTP_SETTINGS. Those are what a revoke
 * uses once the provider construct itself has been deleted; while it exists, its current settings win.
 */
export interface StoredGrant {
  /** Only where something else is stored, or in null_resource; see constructs/permission-blocks.ts, storedGrant. */
  readonly path?: string;
  readonly removal?: 'retain';
  /** When the grant ends (RFC 3339), if it does: the command-line tool reports a grant held after it as expired. */
  readonly expiresAt?: string;
  readonly connection?: Connection;
  readonly http?: Partial<HttpSettings>;
}

/**
 * What a destroy-time provisioner hands the handler. Terraform lets it read only `self` and `each.key`, so the
 * current providers' settings are literals of the provisioner (one map per vendor, keyed by provider id), and the
 * rest comes from state: the identity (`triggers_replace`) and the stored grant (`input`).
 */
export interface RevokePayload {
  readonly v: number;
  readonly vendor: VendorName;
  /** The stack's construct path (its name): names the stack in a forget token when the grant's construct is gone. */
  readonly stack?: string;
  /** Settings of every provider of this vendor the stack has now, by provider id. */
  readonly providers: Record<string, ProviderSettings>;
  readonly key: string;
  /** The revoke instance's `input`: StoredGrant as JSON text; null or "retain" in state written before contract 3. */
  readonly stored: string | null;
  /** Values of IDENTITY_FIELDS[vendor], in that order. */
  readonly identity: unknown[];
}

/** Which fields of `resource` identify the grant: a change to any of them revokes the old grant. */
export const IDENTITY_FIELDS: { readonly [V in VendorName]: readonly string[] } = {
  polarity: ['integrationId', 'groupId'],
  britive: ['profileId', 'permissionName', 'permissionType'],
  kore: ['botId', 'connectorId', 'entityId', 'user'],
  polytomic: ['organizationId', 'name'],
};

/**
 * Instance keys of a vendor's blocks. A provider whose id is the vendor's name keeps the bare grant key (the blocks
 * were once per provider and named after it, so stacks applied then keep their addresses); any other provider's
 * grants are keyed `<provider id>//<grant key>`. A grant key never holds "//": its parts are non-empty and escape "/".
 */
export const PROVIDER_KEY_SEPARATOR = '//';

export function instanceKey(vendor: VendorName, providerId: string, grantKey: string): string {
  return providerId === vendor ? grantKey : `${providerId}${PROVIDER_KEY_SEPARATOR}${grantKey}`;
}

/** Ends the common start of the instance keys of a list only Terraform knows; each item follows it. */
export const EXPANDED_KEY_MARK = '/~';

export function splitInstanceKey(vendor: VendorName, key: string): { providerId: string; grantKey: string } {
  const at = key.indexOf(PROVIDER_KEY_SEPARATOR);
  return at < 0 ? { providerId: vendor, grantKey: key } : { providerId: key.slice(0, at), grantKey: key.slice(at + PROVIDER_KEY_SEPARATOR.length) };
}

/**
 * The apply instance's trigger (`triggers_replace`, or `triggers.resource` of null_resource): the construct path on a
 * line of its own, then the resource as JSON. A plan prints a string with a line break as a heredoc, so a reviewer
 * reads which construct a change belongs to next to what changes, for creates, changes and removals alike. A
 * rename replaces the apply instance, which re-applies the grant once (idempotent); the revoke instance is untouched.
 * State written by 0.2.0 holds the JSON alone.
 */
export const TRIGGER_PATH_PREFIX = 'construct ';
export function applyTrigger(path: string, resourceJson: string): string {
  return `${TRIGGER_PATH_PREFIX}${path}\n${resourceJson}`;
}
export function parseApplyTrigger(text: string): { path?: string; resource: Record<string, unknown> } {
  // The JSON never holds a raw line break, so the last one ends the path, whatever the path holds.
  const cut = text.lastIndexOf('\n');
  if (text.startsWith(TRIGGER_PATH_PREFIX) && cut > 0) {
    return { path: text.slice(TRIGGER_PATH_PREFIX.length, cut), resource: JSON.parse(text.slice(cut + 1)) as Record<string, unknown> };
  }
  return { resource: JSON.parse(text) as Record<string, unknown> };
}

/** Reads a revoke instance's `input`: contract 3 JSON text, or what contract 2 stored (null, or "retain"). */
export function parseStoredGrant(raw: unknown): StoredGrant {
  if (raw === null || raw === undefined || raw === '') return {};
  if (raw === 'retain') return { removal: 'retain' };
  if (typeof raw === 'string' && raw.startsWith('{')) {
    try {
      return JSON.parse(raw) as StoredGrant;
    } catch {
      // Falls through to the error below.
    }
  }
  throw new Error(`the revoke instance's stored input is unreadable: ${JSON.stringify(raw).slice(0, 200)}`);
}

export const POLARITY_PERMISSIONS = ['read', 'admin'] as const;

/** Permission types Britive documents. The API takes any string; a wrongly cased one of these draws a warning. */
export const BRITIVE_PERMISSION_TYPES = ['role', 'group', 'policy', 'permission'] as const;

/**
 * Policy actions Polytomic's documentation names. A policy action is a free string for the API and every official
 * client ("inapplicable actions are ignored"), so another name draws a warning at synth, never a refusal.
 */
export const POLYTOMIC_DOCUMENTED_ACTIONS = [
  'apply_policy', 'create', 'delete', 'edit', 'export', 'modify_policy', 'query', 'read', 'sync_to', 'trigger',
] as const;

// Field rules are part of the contract: constructs check literals with them at synth, the handler checks
// values resolved at apply time with the same rules.
export * from './validation';
