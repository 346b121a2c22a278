/** Britive: a permission (role, group, ...) attached to a profile (pap). */
import { BritiveConnection, BritiveGrant } from '../contract';
import { HttpError, UnexpectedAnswerError } from '../errors';
import { HttpResponse } from '../http';
import { PageBudget } from './paging';
import { ScopeRead, VendorClient, VendorSession, apiUrl, requireEnv, resolveBaseUrl, unconfirmed } from './vendor';

export const BRITIVE_NOT_FOUND = 'E1004';
export const BRITIVE_DUPLICATE = 'E1005';
export const BRITIVE_MAINTENANCE = 'MAINT0001';
const PAGE_SIZE = 100;

/**
 * The authorization scheme for a token, as Britive's Python SDK chooses it: an API token (under 50 characters) is
 * `TOKEN`, a federated workload token (`<provider>::<token>`) is `WorkloadToken`, any other long token (an OAuth
 * bearer token) is `Bearer`.
 */
export function britiveTokenKind(token: string): 'TOKEN' | 'WorkloadToken' | 'Bearer' {
  if (token.length < 50) return 'TOKEN';
  return token.includes('::') ? 'WorkloadToken' : 'Bearer';
}

export interface BritiveScope { readonly profileId: string }
export interface BritivePermission { readonly name: string; readonly type: string }

function describe(g: BritiveGrant): string {
  return `${g.permissionType} ${JSON.stringify(g.permissionName)} on profile ${g.profileId}`;
}

/** Types compare case-insensitively, as Britive's own provider reads them back (strings.EqualFold). */
export function samePermission(a: BritivePermission, b: { permissionName: string; permissionType: string }): boolean {
  return a.name === b.permissionName && a.type.toLowerCase() === b.permissionType.toLowerCase();
}

/** Britive's own not-found: only errorCode E1004 says an object does not exist (a proxy or wrong tenant 404s too). */
function isBritiveNotFound(response: HttpResponse | HttpError): boolean {
  if (response instanceof HttpError) return response.vendorCode === BRITIVE_NOT_FOUND;
  return (response.json as { errorCode?: unknown } | undefined)?.errorCode === BRITIVE_NOT_FOUND;
}

/** The profile's own lookup, which answers E1004 when the profile does not exist. */
async function profileExists(s: VendorSession, profileId: string, operation: string): Promise<boolean> {
  const url = apiUrl(s.baseUrl, 'britive')`/paps/${profileId}?skipIntegrityChecks=true`;
  const response = await s.request({ method: 'GET', url, headers: s.headers, success: { body: 'json' }, handle: [404], context: { vendor: 'britive', operation } });
  if (response.status !== 404) return true;
  if (isBritiveNotFound(response)) return false;
  throw new UnexpectedAnswerError({ vendor: 'britive', operation }, 'GET', url, `answered 404 without Britive's error code E1004: ${s.excerpt(response.text)}`);
}

/**
 * The profile's permissions, page by page while (page+1)*size < count, optionally only those named `name`
 * (`filter=name eq <name>`, unquoted as the official provider sends it).
 */
export async function listProfilePermissions(
  s: VendorSession, profileId: string, name: string | undefined, operation: string, pageSize = PAGE_SIZE,
): Promise<ScopeRead<BritivePermission[]>> {
  const found: BritivePermission[] = [];
  const budget = new PageBudget(s.limits, 'britive', operation);
  for (let page = 0; ; page++) {
    const url = name === undefined
      ? apiUrl(s.baseUrl, 'britive')`/paps/${profileId}/permissions?page=${String(page)}&size=${String(pageSize)}`
      : apiUrl(s.baseUrl, 'britive')`/paps/${profileId}/permissions?page=${String(page)}&size=${String(pageSize)}&filter=${`name eq ${name}`}`;
    budget.page(url);
    const response = await s.request({ method: 'GET', url, headers: s.headers, success: { body: 'json' }, handle: [404], context: { vendor: 'britive', operation } });
    if (response.status === 404) {
      if (await profileExists(s, profileId, operation)) {
        throw new UnexpectedAnswerError({ vendor: 'britive', operation }, 'GET', url, `answered 404 although profile ${profileId} exists`);
      }
      return { exists: false, detail: `profile ${profileId} does not exist (Britive's own lookup answered E1004)` };
    }
    const envelope = response.json as { count?: unknown; page?: unknown; size?: unknown; data?: unknown };
    if (!Array.isArray(envelope?.data) || typeof envelope.count !== 'number') {
      throw new UnexpectedAnswerError({ vendor: 'britive', operation }, 'GET', url, 'answered without the {count, page, size, data} envelope');
    }
    for (const p of envelope.data as Array<{ name?: unknown; type?: unknown }>) found.push({ name: String(p.name), type: String(p.type) });
    budget.items(found.length, url);
    const size = typeof envelope.size === 'number' && envelope.size > 0 ? envelope.size : pageSize;
    const current = typeof envelope.page === 'number' ? envelope.page : page;
    if ((current + 1) * size >= envelope.count || envelope.data.length === 0) return { exists: true, held: found };
  }
}

async function changePermission(g: BritiveGrant, s: VendorSession, op: 'add' | 'remove', operation: string): Promise<HttpResponse> {
  return s.request({
    method: 'POST',
    url: apiUrl(s.baseUrl, 'britive')`/paps/${g.profileId}/permissions`,
    headers: s.headers,
    body: { op, permission: { name: g.permissionName, type: g.permissionType } },
    // Add: the official provider takes 200, 201 or 202, with the permission, {} or no body. Remove documents no body.
    // Neither ever answers 204.
    success: { statuses: op === 'add' ? [200, 201, 202] : [200], body: 'empty-or-json' },
    handle: op === 'remove' ? [404] : [],
    context: { vendor: 'britive', operation },
  });
}

export const britive: VendorClient<BritiveConnection, BritiveGrant, BritiveScope, BritivePermission[]> = {
  vendor: 'britive',

  readError(_status, body, text) {
    const b = body as { message?: string; errorCode?: string; details?: string } | undefined;
    if (b && (b.message || b.errorCode)) {
      return { message: [b.message, b.details].filter(Boolean).join(': '), code: b.errorCode };
    }
    return { message: text };
  },

  // A tenant under maintenance will not come back within a retry budget; say so at once.
  isRetryable: (status, code) => !(status === 503 && code === BRITIVE_MAINTENANCE),

  async connect(connection, env) {
    const token = requireEnv(env, connection.tokenEnv, 'britive', 'the API token');
    const { baseUrl, urlSource } = resolveBaseUrl('britive', connection.tenant, env, connection.tenantEnv);
    return {
      baseUrl: `${baseUrl}/api`,
      urlSource,
      headers: { Authorization: `${britiveTokenKind(token)} ${token}`, 'Content-Type': 'application/json' },
      secrets: [token],
      authHint: `Check the token in ${connection.tokenEnv}`,
    };
  },

  scopeOf: (grant) => ({ profileId: grant.profileId }),
  scopeKey: (scope) => scope.profileId,
  read: (scope, s) => listProfilePermissions(s, scope.profileId, undefined, `list the permissions of profile ${scope.profileId}`),

  async apply(grant, s) {
    const operation = `add ${describe(grant)}`;
    try {
      await changePermission(grant, s, 'add', operation);
      return `britive: added ${describe(grant)}`;
    } catch (error) {
      // E1005 also answers a retry whose first answer was lost; the listing confirms the type is there.
      if (!(error instanceof HttpError) || error.vendorCode !== BRITIVE_DUPLICATE) throw error;
      const present = await listProfilePermissions(s, grant.profileId, grant.permissionName, operation);
      if (present.exists && present.held.some((p) => samePermission(p, grant))) return `britive: ${describe(grant)} already held (Britive answered E1005 and the listing shows it)`;
      throw error;
    }
  },

  async revoke(grant, s) {
    const operation = `remove ${describe(grant)}`;
    let response: HttpResponse;
    try {
      response = await changePermission(grant, s, 'remove', operation);
    } catch (error) {
      if (error instanceof HttpError && isBritiveNotFound(error)) return `britive: ${describe(grant)} was already gone (Britive answered E1004)`;
      throw error;
    }
    if (response.status !== 404) return `britive: removed ${describe(grant)}`;
    if (isBritiveNotFound(response)) return `britive: ${describe(grant)} was already gone (Britive answered E1004)`;
    throw unconfirmed('britive', operation, `the POST answered 404 without Britive's error code E1004: ${s.excerpt(response.text)}`, s);
  },
};
