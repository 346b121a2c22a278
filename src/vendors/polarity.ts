/** Polarity Server v5: a group's read/admin permissions on an integration (JSON:API). */
import { PolarityConnection, PolarityGrant } from '../contract';
import { UnexpectedAnswerError } from '../errors';
import { PageBudget } from './paging';
import { ScopeRead, VendorClient, VendorSession, apiUrl, requireEnv, resolveBaseUrl, unconfirmed } from './vendor';

const JSON_API = 'application/vnd.api+json';
const PAGE_SIZE = 100;

export interface PolarityScope { readonly integrationId: string }
/** Group id -> its permissions on the integration, `read` included wherever `admin` is (admin implies read). */
export type PolarityHeld = ReadonlyMap<string, string[]>;

/** The permissions a set of permissions amounts to: `admin` implies `read`. Sorted, so sets compare as text. */
export function effectivePermissions(permissions: readonly string[]): string[] {
  const set = new Set(permissions);
  if (set.has('admin')) set.add('read');
  return [...set].sort();
}

function describe(g: { integrationId: string; groupId: string }): string {
  return `integration ${g.integrationId} for group ${g.groupId}`;
}

interface PermissionResource {
  id?: string;
  attributes?: { permissions?: unknown };
  relationships?: { group?: { data?: { id?: unknown } } };
}

/**
 * A page's `links.next`, as a URL on the server's own origin (a link elsewhere is not followed: the request would
 * carry the token there); undefined when the answer has no next page.
 */
function nextPage(s: VendorSession, json: unknown, operation: string, url: string): string | undefined {
  const next = (json as { links?: { next?: unknown } })?.links?.next;
  if (typeof next !== 'string' || next === '') return undefined;
  const resolved = new URL(next, s.baseUrl);
  if (resolved.origin !== new URL(s.baseUrl).origin) {
    throw new UnexpectedAnswerError({ vendor: 'polarity', operation }, 'GET', url, `answered a next page on another origin (${resolved.origin})`);
  }
  return resolved.href;
}

function dataList(json: unknown, operation: string, url: string): unknown[] {
  const data = (json as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw new UnexpectedAnswerError({ vendor: 'polarity', operation }, 'GET', url, 'answered without a JSON:API data list');
  return data;
}

/**
 * Every item of a JSON:API list, page by page. `meta.page.total` (documented for the integration list) says how many
 * there are: pages are then asked by `page[number]` until that many were read, and a page that brings nothing new
 * before it fails (a partial list must not confirm anything). Without a total, `links.next` is followed (on this
 * origin only); with neither, pages are asked until one brings nothing new. Items are told apart by their id.
 */
async function readAllPages(s: VendorSession, operation: string, first: string, numbered: (page: number) => string, firstAnswer?: unknown): Promise<unknown[]> {
  const items = new Map<string, unknown>();
  const budget = new PageBudget(s.limits, 'polarity', operation);
  const asked = new Set<string>();
  let url = first;
  for (let page = 1; ; page++) {
    if (asked.has(url)) throw new UnexpectedAnswerError({ vendor: 'polarity', operation }, 'GET', url, 'answered a next page that was already read');
    asked.add(url);
    budget.page(url);
    const json = page === 1 && firstAnswer !== undefined ? firstAnswer
      : (await s.request({ method: 'GET', url, headers: s.headers, success: { body: 'json' }, context: { vendor: 'polarity', operation } })).json;
    const before = items.size;
    for (const item of dataList(json, operation, url)) items.set(String((item as { id?: unknown })?.id ?? JSON.stringify(item)), item);
    budget.items(items.size, url);
    const total = (json as { meta?: { page?: { total?: unknown } } })?.meta?.page?.total;
    if (typeof total === 'number') {
      if (items.size >= total) return [...items.values()];
      if (items.size === before) {
        throw new UnexpectedAnswerError({ vendor: 'polarity', operation }, 'GET', url, `answered page ${page} with nothing new after ${items.size} of the ${total} items its meta.page.total announces`);
      }
      url = numbered(page + 1);
      continue;
    }
    const next = nextPage(s, json, operation, url);
    if (next) url = next;
    else if ((json as { links?: unknown })?.links !== undefined || items.size === before) return [...items.values()];
    else url = numbered(page + 1);
  }
}

/** Every integration id the server lists (`page[size]` / `page[number]`, documented with `meta.page.total`). */
async function listIntegrations(s: VendorSession, operation: string): Promise<Set<string>> {
  const page = (n: number) => apiUrl(s.baseUrl, 'polarity')`/api/integrations?page[size]=${String(PAGE_SIZE)}&page[number]=${String(n)}`;
  const items = await readAllPages(s, operation, page(1), page);
  return new Set(items.map((item) => String((item as { id?: unknown })?.id)));
}

export const polarity: VendorClient<PolarityConnection, PolarityGrant, PolarityScope, PolarityHeld> = {
  vendor: 'polarity',

  readError(_status, body, text) {
    // No public source documents the error body: a JSON:API errors array or plain text.
    const errors = (body as { errors?: Array<{ title?: string; detail?: string; code?: string }> })?.errors;
    if (Array.isArray(errors) && errors.length > 0) {
      return { message: errors.map((e) => [e.title, e.detail].filter(Boolean).join(': ')).join('; '), code: errors[0].code };
    }
    return { message: text };
  },

  async connect(connection, env) {
    const token = requireEnv(env, connection.tokenEnv, 'polarity', 'the API token');
    return {
      ...resolveBaseUrl('polarity', connection.url, env, connection.urlEnv),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': JSON_API, Accept: JSON_API },
      secrets: [token],
      authHint: `Check the token in ${connection.tokenEnv}`,
    };
  },

  scopeOf: (grant) => ({ integrationId: grant.integrationId }),
  scopeKey: (scope) => scope.integrationId,

  /**
   * The groups' permissions on an integration. No public page documents this read: it follows JSON:API conventions
   * (Polarity v5 is a JSON:API server), an inference kept in this one function. When the integration itself answers
   * 404, it is gone only if the server's integration list, read successfully, does not hold it.
   */
  async read(scope, s): Promise<ScopeRead<PolarityHeld>> {
    const operation = `read the permissions on integration ${scope.integrationId}`;
    const url = apiUrl(s.baseUrl, 'polarity')`/api/integrations/${scope.integrationId}/permissions`;
    const response = await s.request({ method: 'GET', url, headers: s.headers, success: { body: 'json' }, handle: [404], context: { vendor: 'polarity', operation } });
    if (response.status === 404) {
      const listed = await listIntegrations(s, operation);
      if (listed.has(scope.integrationId)) {
        throw new UnexpectedAnswerError({ vendor: 'polarity', operation }, 'GET', url, `answered 404 although the server lists integration ${scope.integrationId}`);
      }
      return { exists: false, detail: `integration ${scope.integrationId} is not in the server's integration list` };
    }
    // The answer may be paged like the integration list (asked with no page parameters, so the server's own page
    // size applies throughout): a grant on a later page must not look absent.
    const pageOf = (n: number) => apiUrl(s.baseUrl, 'polarity')`/api/integrations/${scope.integrationId}/permissions?page[number]=${String(n)}`;
    const data = await readAllPages(s, operation, url, pageOf, response.json);
    const held = new Map<string, string[]>();
    for (const item of data as PermissionResource[]) {
      const group = item?.relationships?.group?.data?.id ?? /^integration:.*:(\d+)$/.exec(String(item?.id))?.[1];
      const permissions = item?.attributes?.permissions;
      if (group === undefined || !Array.isArray(permissions)) {
        throw new UnexpectedAnswerError({ vendor: 'polarity', operation }, 'GET', url, `answered a permission without a group or permissions: ${s.excerpt(JSON.stringify(item))}`);
      }
      if (permissions.length > 0) held.set(String(group), effectivePermissions(permissions.map(String)));
    }
    return { exists: true, held };
  },

  async apply(grant, s) {
    const { integrationId, groupId, permissions } = grant;
    // The POST replaces the group's whole permission set, so create and change are the same call.
    await s.request({
      method: 'POST',
      url: apiUrl(s.baseUrl, 'polarity')`/api/integrations/${integrationId}/permissions`,
      headers: s.headers,
      body: {
        data: [{
          type: 'permissions',
          attributes: { permissions },
          relationships: {
            group: { data: { type: 'groups', id: String(groupId) } },
            integration: { data: { type: 'integrations', id: integrationId } },
          },
        }],
      },
      // The page documents 204 with no content; its Python sample's .json() would fail on that.
      success: { statuses: [204], body: 'empty-or-json' },
      context: { vendor: 'polarity', operation: `grant ${permissions.join(',')} on ${describe(grant)}` },
    });
    return `polarity: granted ${permissions.join(',')} on integration ${integrationId} to group ${groupId}`;
  },

  async revoke(grant, s) {
    const { integrationId, groupId } = grant;
    const operation = `revoke all permissions on ${describe(grant)}`;
    const response = await s.request({
      method: 'DELETE',
      url: apiUrl(s.baseUrl, 'polarity')`/api/integrations/${integrationId}/relationships/permissions`,
      headers: s.headers,
      body: { data: [{ type: 'permissions', id: `integration:${integrationId}:${groupId}` }] },
      // The page gives no status: done (200, 204), not accepted for later (202).
      success: { statuses: [200, 204], body: 'empty-or-json' },
      handle: [404],
      context: { vendor: 'polarity', operation },
    });
    if (response.status !== 404) return `polarity: revoked all permissions on integration ${integrationId} from group ${groupId}`;
    // A 404 may be "no such permission" or "no such route": only a read of the integration tells them apart.
    let read: ScopeRead<PolarityHeld>;
    try {
      read = await polarity.read({ integrationId }, s);
    } catch (error) {
      throw unconfirmed('polarity', operation, `the DELETE answered 404 and reading the integration's permissions failed: ${(error as Error).message}`, s);
    }
    if (!read.exists) return `polarity: ${read.detail}, so group ${groupId} has no permissions on it (confirmed)`;
    if (read.held.has(String(groupId))) {
      throw unconfirmed('polarity', operation, `the DELETE answered 404 but the integration still lists group ${groupId} with ${read.held.get(String(groupId))!.join(',')}`, s);
    }
    return `polarity: group ${groupId} already had no permissions on integration ${integrationId} (confirmed by reading them)`;
  },
};
