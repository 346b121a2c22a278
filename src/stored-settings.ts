/**
 * Which provider settings a revoke may use. State is not configuration: whoever can write state could add a revoke
 * instance whose stored settings send a secret to another host (`{"url":"https://attacker","tokenEnv":"CI_SECRET"}`).
 * So a revoke uses the settings the configuration declares (the current providers, literals of the provisioner) or
 * the vendor's defaults; settings found only in state are used once the user confirms exactly those settings.
 */
import { createHash } from 'crypto';
import { Connection, DEFAULT_CONNECTIONS, HttpSettings, ProviderSettings, StoredGrant, VendorName } from './contract';
import { ConfigurationError } from './errors';

/** Confirms settings kept in state for a provider the code no longer declares: `<provider id>@<digest>`, one or more. */
export const TRUST_STORED_ENV = 'SAAS_PERMISSIONS_TRUST_STORED';

export interface RevokeSettings {
  readonly connection: Connection;
  readonly http?: Partial<HttpSettings>;
  /** Set when the settings come from state alone and differ from everything declared: used only once confirmed. */
  readonly unconfirmed?: { readonly providerId: string; readonly token: string };
}

/** JSON with sorted keys and no undefined values, so two spellings of the same settings compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What decides where a credential goes: the URL and variable names, and whether plain http is allowed. */
function destination(connection: Connection, http: Partial<HttpSettings> | undefined): string {
  return canonical({ connection, allowInsecureHttp: http?.allowInsecureHttp === true });
}

/** Names one set of stored settings: a confirmation covers exactly the settings it was printed for. */
export function trustToken(vendor: VendorName, providerId: string, connection: Connection, http: Partial<HttpSettings> | undefined): string {
  const digest = createHash('sha256').update(`${vendor}\n${providerId}\n${destination(connection, http)}`).digest('hex').slice(0, 12);
  return `${providerId}@${digest}`;
}

/**
 * The settings for a revoke of a grant of provider `providerId`: the provider's current ones while the stack declares
 * it; else the stored ones when they are the defaults or those of a provider the stack declares; else the stored
 * ones, marked unconfirmed.
 */
export function revokeSettings(
  vendor: VendorName, providerId: string, providers: Record<string, ProviderSettings>, stored: StoredGrant,
): RevokeSettings {
  const current = providers[providerId];
  if (current) return { connection: current.connection, http: current.http };
  const connection = stored.connection ?? DEFAULT_CONNECTIONS[vendor];
  const wanted = destination(connection, stored.http);
  const declared = [{ connection: DEFAULT_CONNECTIONS[vendor] as Connection, http: undefined }, ...Object.values(providers)];
  if (declared.some((p) => destination(p.connection, p.http) === wanted)) return { connection, http: stored.http };
  return { connection, http: stored.http, unconfirmed: { providerId, token: trustToken(vendor, providerId, connection, stored.http) } };
}

function describe(connection: Connection): string {
  return Object.entries(connection).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
}

/** Throws unless the settings are declared, or confirmed through TRUST_STORED_ENV. Nothing has been sent yet. */
export function requireTrusted(vendor: VendorName, address: string, settings: RevokeSettings, env: NodeJS.ProcessEnv, action = 'this revoke'): void {
  if (!settings.unconfirmed) return;
  const confirmed = (env[TRUST_STORED_ENV] ?? '').split(/[\s,]+/).filter(Boolean);
  const { providerId, token } = settings.unconfirmed;
  if (confirmed.includes(token)) return;
  throw new ConfigurationError(
    `${vendor}: ${address}: ${action} would use settings found only in state, for provider "${providerId}", which the code ` +
    `no longer declares (${describe(settings.connection)}${settings.http?.allowInsecureHttp ? ', allowInsecureHttp true' : ''}). ` +
    'Nothing was sent. State is not configuration: if you do not recognise these settings, someone edited the state; ' +
    `remove the instance with terraform state rm. If they are the settings of a provider you deleted, either declare that ` +
    `provider again (same id and settings) until an apply has revoked its grants, or confirm them: ` +
    `${TRUST_STORED_ENV}='${token}'`,
  );
}
