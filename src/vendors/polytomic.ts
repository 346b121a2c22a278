/** Polytomic: a permissions policy, found by name within an organization (the vendor assigns its id). */
import { DEFAULT_POLYTOMIC_URL, PolytomicConnection, PolytomicGrant, PolytomicPolicyAction } from '../contract';
import { HttpError, UnexpectedAnswerError, ValidationError } from '../errors';
import { HttpResponse } from '../http';
import { terminalText } from '../terminal-text';
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

function sameActions(policy: PolicyBody, g: PolytomicGrant): boolean {
  return JSON.stringify(heldActions(policy.policy_actions)) === JSON.stringify(heldActions(g.policyActions));
}

/** A 5xx to a create: Polytomic keeps it as that key's answer, so only a fresh key really tries again. */
const SERVER_ERRORS = [500, 502, 503, 504];
/** Creates tried with a fresh key each. */
const CREATE_ATTEMPTS = 3;
/** A 409 (the key's first request still in flight) is asked again this often, this long apart at least. */
const IN_FLIGHT_ASKS = 8;
const IN_FLIGHT_PAUSE_MS = 250;

/**
 * Sends the POST with one Idempotency-Key. Polytomic answers every later request with that key as it answered the
 * first, so the HTTP client's own retries (after a lost answer or a timeout) cannot create twice; while the first is
 * still being processed it answers 409, and the same key is asked again after a pause.
 */
async function postOnce(g: PolytomicGrant, s: VendorSession, url: string, key: string): Promise<HttpResponse> {
  const context = { vendor: 'polytomic', operation: `create ${describe(g)}` };
  for (let ask = 0; ; ask++) {
    const response = await s.request({
      method: 'POST', url, headers: { ...s.headers, 'Idempotency-Key': key }, body: policyBody(g),
      success: { body: 'json' }, handle: [409, ...SERVER_ERRORS], context,
    });
    if (response.status !== 409 || ask + 1 >= IN_FLIGHT_ASKS) return response;
    await s.pause(ask, IN_FLIGHT_PAUSE_MS);
  }
}

/**
 * Creates the policy. After a 5xx the policy list says whether the create landed anyway; if not, the next attempt
 * carries a fresh key (the old one would only replay the 5xx). After a success, duplicates from a concurrent create
 * are settled.
 */
async function createPolicy(g: PolytomicGrant, s: VendorSession): Promise<string> {
  const url = apiUrl(s.baseUrl, 'polytomic')`/api/permissions/policies`;
  const context = { vendor: 'polytomic', operation: `create ${describe(g)}` };
  for (let attempt = 1; ; attempt++) {
    const response = await postOnce(g, s, url, randomUUID());
    if (response.status < 300) {
      const id = createdId(response.json);
      if (!id) throw new UnexpectedAnswerError(context, 'POST', url, 'answered without {"data": {"id": ...}}');
      return settleDuplicates(g, s, id);
    }
    const landed = policiesNamed(await listPolicies(s, context.operation), g);
    if (landed.length > 0) return settleDuplicates(g, s, landed[0].id, `after HTTP ${response.status} to the create`);
    if (attempt >= CREATE_ATTEMPTS) {
      const { message, code } = polytomic.readError(response.status, response.json, response.text);
      throw new HttpError(context, 'POST', url, response.status, terminalText(s.excerpt(message)), code,
        `Tried ${attempt} times, each with a fresh Idempotency-Key; the policy list does not hold the policy`);
    }
    await s.pause(attempt - 1);
  }
}

/**
 * Two runs that create the same name at once both succeed, and Polytomic then holds two policies named alike. Of
 * those the policy list shows, the one with the smallest id stays and every other is deleted; the later of two
 * creates always lists both, and every run that sees them picks the same survivor, so exactly one remains whoever
 * acts. The survivor is then given the declared actions.
 */
async function settleDuplicates(g: PolytomicGrant, s: VendorSession, ownId: string, note?: string): Promise<string> {
  const operation = `create ${describe(g)}`;
  const created = `polytomic: created ${describe(g)} with id ${ownId}${note ? ` (found in the policy list ${note})` : ''}`;
  const named = policiesNamed(await listPolicies(s, operation), g).filter((p) => !p.system);
  if (named.length <= 1) {
    const own = named[0];
    if (own && !sameActions(own, g)) await updatePolicy(g, own.id, s);
    return created;
  }
  const [keep, ...extra] = [...named].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = named.map((p) => p.id).join(', ');
  try {
    for (const twin of extra) await deletePolicy(twin.id, s, operation);
    if (!sameActions(keep, g)) await updatePolicy(g, keep.id, s);
  } catch (error) {
    throw new ValidationError(`polytomic: ${operation}: a concurrent create made ${named.length} policies named ${JSON.stringify(g.name)} ` +
      `(ids ${ids}), and removing the extra ones failed: ${(error as Error).message}. Delete every one but ${keep.id} in Polytomic, then apply again`);
  }
  return `${created}; a concurrent create made ${named.length} policies so named (ids ${ids}): kept ${keep.id}, deleted ${extra.map((p) => p.id).join(', ')}`;
}

/**
 * Replaces the policy's actions. Every current official client updates with PUT (the Go SDK since April 2024); the
 * seed page documents PATCH. Both carry the whole policy and keep its id, and a repeat changes nothing, so neither
 * carries an Idempotency-Key (a key reused for the PATCH would only replay the PUT's 405).
 */
async function updatePolicy(g: PolytomicGrant, id: string, s: VendorSession): Promise<void> {
  const url = apiUrl(s.baseUrl, 'polytomic')`/api/permissions/policies/${id}`;
  const context = { vendor: 'polytomic', operation: `update ${describe(g)}` };
  const update = (method: 'PUT' | 'PATCH') => s.request({ method, url, headers: s.headers, body: policyBody(g), success: { body: 'json' }, handle: [405], context });
  let response = await update('PUT');
  if (response.status === 405) response = await update('PATCH');
  if (response.status === 405) {
    throw new HttpError(context, 'PATCH', url, 405, s.excerpt(polytomic.readError(405, response.json, response.text).message), undefined, 'The server refused both PUT and PATCH');
  }
}

/** DELETE without a key (the guide: DELETE is idempotent already); true when Polytomic's own 404 says it was gone. */
async function deletePolicy(id: string, s: VendorSession, operation: string): Promise<boolean> {
  const url = apiUrl(s.baseUrl, 'polytomic')`/api/permissions/policies/${id}`;
  const response = await s.request({
    method: 'DELETE', url, headers: s.headers,
    // Done, not accepted for later (202): the policy must be gone when this says so.
    success: { statuses: [200, 204], body: 'empty-or-json' }, handle: [404], context: { vendor: 'polytomic', operation },
  });
  if (response.status !== 404) return false;
  if (isPolytomicError(response)) return true;
  throw unconfirmed('polytomic', operation, `the DELETE of policy ${id} answered a 404 that is not Polytomic's: ${s.excerpt(response.text)}`, s);
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
    if (!existing) return createPolicy(g, s);
    if (sameActions(existing, g)) return `polytomic: ${describe(g)} (id ${existing.id}) already held: it has the declared actions, nothing was written`;
    await updatePolicy(g, existing.id, s);
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
    const wasGone = await deletePolicy(existing.id, s, operation);
    return wasGone ? `polytomic: ${describe(g)} (id ${existing.id}) was already gone (Polytomic answered not found for that id)`
      : `polytomic: deleted ${describe(g)} (id ${existing.id})`;
  },
};
