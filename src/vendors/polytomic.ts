/** Polytomic: a permissions policy, found by name within an organization (the vendor assigns its id). */
import { DEFAULT_POLYTOMIC_URL, PolytomicConnection, PolytomicGrant, PolytomicPolicyAction } from '../contract';
import { HttpError, UnexpectedAnswerError, ValidationError } from '../errors';
import { HttpResponse } from '../http';
import { ScopeRead, VendorClient, VendorSession, apiUrl, randomUUID, requireEnv, resolveBaseUrl, unconfirmed } from './vendor';

export interface PolicyBody {
  readonly id: string;
  readonly name: string;
  readonly organization_id?: string | null;
  readonly policy_actions?: ReadonlyArray<{ action: string; role_ids?: string[] | null }> | null;
  readonly system?: boolean;
}
export interface PolytomicScope { readonly organizationId?: string | null }

function describe(g: { name: string; organizationId?: string | null }): string {
  return `policy ${JSON.stringify(g.name)}${g.organizationId ? ` in organization ${g.organizationId}` : ''}`;
}

/**
 * Action -> sorted role ids, for the actions that hold any role. The server answers every action, the ones nobody
 * holds with no roles, and a declared action with no roles grants nothing: only actions with roles compare.
 */
export function heldActions(actions: ReadonlyArray<{ action: string; role_ids?: string[] | null; roleIds?: string[] }> | null | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of actions ?? []) {
    const roles = [...new Set(a.role_ids ?? a.roleIds ?? [])].sort();
    if (roles.length > 0) out[a.action] = roles;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Policies named `name` in scope: in the given organization, or in any the key reaches when none is given. */
export function policiesNamed(policies: readonly PolicyBody[], g: { name: string; organizationId?: string | null }): PolicyBody[] {
  return policies.filter((p) => p.name === g.name && (!g.organizationId || p.organization_id === g.organizationId));
}

/** Polytomic's own error shapes: {key, message, status} (400/403/404/500) and {code, error, status} (401). */
function isPolytomicError(response: HttpResponse): boolean {
  const b = response.json as { message?: unknown; key?: unknown; error?: unknown } | undefined;
  return typeof b?.message === 'string' || typeof b?.error === 'string';
}

async function listPolicies(s: VendorSession, operation: string): Promise<PolicyBody[]> {
  const url = apiUrl(s.baseUrl, 'polytomic')`/api/permissions/policies`;
  const { json } = await s.request({ method: 'GET', url, headers: s.headers, success: { body: 'json' }, context: { vendor: 'polytomic', operation } });
  const data = (json as { data?: unknown })?.data;
  if (!Array.isArray(data) || data.some((p) => typeof (p as PolicyBody)?.id !== 'string' || typeof (p as PolicyBody)?.name !== 'string')) {
    throw new UnexpectedAnswerError({ vendor: 'polytomic', operation }, 'GET', url, 'answered without a {"data": [policy, ...]} list of policies');
  }
  return data as PolicyBody[];
}

/** The one policy the grant names; refuses an ambiguous name (listing the ids) and a built-in policy. */
function findPolicy(policies: readonly PolicyBody[], g: PolytomicGrant, operation: string): PolicyBody | undefined {
  const matches = policiesNamed(policies, g);
  if (matches.length > 1) {
    throw new ValidationError(`polytomic: ${operation} failed: ${matches.length} policies are named ${JSON.stringify(g.name)} ` +
      `(ids ${matches.map((m) => `${m.id} in organization ${m.organization_id ?? '?'}`).join(', ')}); set organizationId, or rename or delete the extra ones. Nothing was changed`);
  }
  if (matches[0]?.system) {
    throw new ValidationError(`polytomic: ${operation} failed: ${JSON.stringify(g.name)} is a built-in (system) policy and cannot be managed`);
  }
  return matches[0];
}

function policyBody(g: PolytomicGrant) {
  return {
    name: g.name,
    policy_actions: g.policyActions.map((a: PolytomicPolicyAction) => ({ action: a.action, role_ids: a.roleIds })),
    ...(g.organizationId ? { organization_id: g.organizationId } : {}),
  };
}

function createdId(json: unknown): string | undefined {
  const id = (json as { data?: { id?: unknown } })?.data?.id;
  return typeof id === 'string' ? id : undefined;
}

export const polytomic: VendorClient<PolytomicConnection, PolytomicGrant, PolytomicScope, PolicyBody[]> = {
  vendor: 'polytomic',

  readError(_status, body, text) {
    const b = body as { message?: string; key?: string; error?: string; code?: string | number } | undefined;
    if (b && (b.message || b.error)) {
      return { message: String(b.message ?? b.error), code: b.key ?? (b.code !== undefined ? String(b.code) : undefined) };
    }
    return { message: text };
  },

  async connect(c, env) {
    const key = requireEnv(env, c.apiKeyEnv, 'polytomic', 'the API key');
    return {
      ...resolveBaseUrl('polytomic', c.url, env, c.urlEnv, DEFAULT_POLYTOMIC_URL),
      headers: { Authorization: `Bearer ${key}`, 'X-Polytomic-Version': c.apiVersion, 'Content-Type': 'application/json' },
      secrets: [key],
      authHint: `Check the API key in ${c.apiKeyEnv}`,
    };
  },

  scopeOf: () => ({}),
  // One list answers for every policy the key reaches, whatever the organization.
  scopeKey: () => 'policies',
  read: async (_scope, s): Promise<ScopeRead<PolicyBody[]>> => ({ exists: true, held: await listPolicies(s, 'list the policies') }),

  async apply(g, s) {
    const operation = `apply ${describe(g)}`;
    const existing = findPolicy(await listPolicies(s, operation), g, operation);
    // One key per logical change: a retry after a lost answer is recognised by the server, not repeated.
    const headers = { ...s.headers, 'Idempotency-Key': randomUUID() };
    const context = { vendor: 'polytomic', operation };
    if (!existing) {
      const url = apiUrl(s.baseUrl, 'polytomic')`/api/permissions/policies`;
      const { json } = await s.request({ method: 'POST', url, headers, body: policyBody(g), success: { body: 'json' }, context: { ...context, operation: `create ${describe(g)}` } });
      const id = createdId(json);
      if (!id) throw new UnexpectedAnswerError(context, 'POST', url, 'answered without {"data": {"id": ...}}');
      return `polytomic: created ${describe(g)} with id ${id}`;
    }
    if (JSON.stringify(heldActions(existing.policy_actions)) === JSON.stringify(heldActions(g.policyActions))) {
      return `polytomic: ${describe(g)} (id ${existing.id}) already matches`;
    }
    // Every current official client updates with PUT (the Go SDK since April 2024); the seed page documents PATCH.
    // Both carry the whole policy and keep its id; PATCH is the fallback for a server that refuses PUT.
    const url = apiUrl(s.baseUrl, 'polytomic')`/api/permissions/policies/${existing.id}`;
    const update = (method: 'PUT' | 'PATCH') => s.request({ method, url, headers, body: policyBody(g), success: { body: 'json' }, handle: [405], context: { ...context, operation: `update ${describe(g)}` } });
    let response = await update('PUT');
    if (response.status === 405) response = await update('PATCH');
    if (response.status === 405) {
      throw new HttpError({ ...context, operation: `update ${describe(g)}` }, 'PATCH', url, 405, s.excerpt(polytomic.readError(405, response.json, response.text).message), undefined, 'The server refused both PUT and PATCH');
    }
    return `polytomic: updated ${describe(g)} (id ${existing.id}) in place`;
  },

  async revoke(g, s) {
    const operation = `delete ${describe(g)}`;
    const policies = await listPolicies(s, operation);
    const existing = findPolicy(policies, g, operation);
    if (!existing) {
      // Absent from a list that does not reach the policy's organization (another key, another deployment) proves
      // nothing: every organization holds built-in policies, so the list must show the organization at all.
      const reached = g.organizationId ? policies.some((p) => p.organization_id === g.organizationId) : policies.some((p) => p.system);
      if (!reached) {
        throw unconfirmed('polytomic', operation, `the policy list (${policies.length} policies) shows no ${g.organizationId ? `policy of organization ${g.organizationId}` : 'built-in policy'}, so this key may not reach the policy's organization`, s);
      }
      return `polytomic: ${describe(g)} was already gone (confirmed by the policy list)`;
    }
    const response = await s.request({
      method: 'DELETE',
      url: apiUrl(s.baseUrl, 'polytomic')`/api/permissions/policies/${existing.id}`,
      headers: { ...s.headers, 'Idempotency-Key': randomUUID() },
      // Done, not accepted for later (202): the policy must be gone when this says so.
      success: { statuses: [200, 204], body: 'empty-or-json' },
      handle: [404],
      context: { vendor: 'polytomic', operation },
    });
    if (response.status !== 404) return `polytomic: deleted ${describe(g)} (id ${existing.id})`;
    if (isPolytomicError(response)) return `polytomic: ${describe(g)} (id ${existing.id}) was already gone (Polytomic answered not found for that id)`;
    throw unconfirmed('polytomic', operation, `the DELETE of policy ${existing.id} answered a 404 that is not Polytomic's: ${s.excerpt(response.text)}`, s);
  },
};
