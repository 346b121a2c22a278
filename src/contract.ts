/**
 * The JSON contract between the synth-time constructs (constructs/) and the run-time lifecycle handler (src/).
 * It is the only module constructs/ imports from src/, so everything both sides must agree on lives here.
 * What a revoke needs from Terraform state (the identity, the removal policy) is read back by destroy-time
 * provisioners, possibly with a newer handler: fields are only ever added, and `v` says which shape a payload has.
 */

export const CONTRACT_VERSION = 2;

/** File name of the bundled handler, shipped into each stack as a TerraformAsset. */
export const HANDLER_FILE_NAME = 'lifecycle-handler.cjs';

/** Environment variable through which a provisioner hands the payload (JSON text) to the handler. */
export const PAYLOAD_ENV = 'SAAS_PERMISSIONS_PAYLOAD';

/** What a provisioner asks of the handler: bring the vendor to the declared state, or take a grant away. */
export type Operation = 'apply' | 'revoke';
export const OPERATIONS: readonly Operation[] = ['apply', 'revoke'];

export type RemovalPolicy = 'destroy' | 'retain';

export type VendorName = 'polarity' | 'britive' | 'kore' | 'polytomic';

/** Default environment variable names, read by the handler from the environment of the `terraform` process. */
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
}

export const DEFAULT_HTTP_SETTINGS: HttpSettings = {
  requestTimeoutMs: 30_000,
  deadlineMs: 300_000,
  maxRetries: 8,
  baseBackoffMs: 250,
  maxBackoffMs: 15_000,
};

export interface PolarityConnection {
  /** Server URL; when absent the handler reads POLARITY_URL. */
  readonly url?: string;
  readonly tokenEnv: string;
}
export interface BritiveConnection {
  /** Tenant URL; when absent the handler reads BRITIVE_TENANT. */
  readonly tenant?: string;
  readonly tokenEnv: string;
}
export interface KoreConnection {
  /** Host URL; when absent the handler reads KORE_URL, else uses DEFAULT_KORE_URL. */
  readonly url?: string;
  readonly jwtEnv: string;
  readonly clientIdEnv: string;
  readonly clientSecretEnv: string;
}
export interface PolytomicConnection {
  /** Deployment URL; when absent the handler reads POLYTOMIC_DEPLOYMENT_URL, else uses DEFAULT_POLYTOMIC_URL. */
  readonly url?: string;
  readonly apiKeyEnv: string;
  readonly apiVersion: string;
}

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
export interface PolytomicPolicyAction {
  readonly action: string;
  readonly roleIds: string[];
}
export interface PolytomicGrant {
  readonly name: string;
  readonly organizationId?: string;
  readonly policyActions: PolytomicPolicyAction[];
}

interface PayloadBase<V extends VendorName, C, R> {
  readonly v: number;
  readonly vendor: V;
  /** Construct path, so every handler message can name the construct the user wrote. */
  readonly path: string;
  readonly removalPolicy: RemovalPolicy;
  /** Only the settings that differ from DEFAULT_HTTP_SETTINGS: every byte here is repeated in every grant's payload. */
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
 * What a destroy-time provisioner hands the handler. Terraform lets it read only `self` and `each.key`, and every
 * byte a grant keeps in state is rewritten on every state write of a run, so state keeps only what the configuration
 * cannot supply: the identity (the revoke instance's `triggers_replace`) and `retain` (its `input`, null for the
 * default). The provider settings are literals of the provisioner's configuration, so they are the current ones.
 */
export interface RevokePayload extends Omit<Payload, 'resource' | 'removalPolicy'> {
  /** Values of IDENTITY_FIELDS[vendor], in that order. */
  readonly identity: unknown[];
  /** Null stands for the default, destroy. */
  readonly removalPolicy: RemovalPolicy | null;
}

/** Which fields of `resource` identify the grant: a change to any of them revokes the old grant. */
export const IDENTITY_FIELDS: { readonly [V in VendorName]: readonly string[] } = {
  polarity: ['integrationId', 'groupId'],
  britive: ['profileId', 'permissionName', 'permissionType'],
  kore: ['botId', 'connectorId', 'entityId', 'user'],
  polytomic: ['organizationId', 'name'],
};

export const POLARITY_PERMISSIONS = ['read', 'admin'] as const;

/** Permission types Britive documents; the API is case-sensitive about them. */
export const BRITIVE_PERMISSION_TYPES = ['role', 'group', 'policy', 'permission'] as const;

/** Policy actions Polytomic knows (the server answers every one of them in `policy_actions`). */
export const POLYTOMIC_ACTIONS = [
  'apply_policy', 'create', 'delete', 'management', 'read', 'read_activity', 'read_logs', 'run', 'use', 'write',
] as const;

// Field rules are part of the contract: constructs check literals with them at synth, the handler checks
// values resolved at apply time with the same rules.
export * from './validation';
