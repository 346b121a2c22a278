/** Polytomic: a permissions policy, found by name (the vendor assigns its id). */
import { DEFAULT_POLYTOMIC_URL, ENV, PolytomicPayload, PolytomicPolicyAction } from '../contract';
import { ValidationError } from '../errors';
import { VendorModule, VendorSession, randomUUID, requireEnv, resolveBaseUrl, segment } from './vendor';

interface PolicyBody {
  id: string;
  name: string;
  organization_id?: string | null;
  policy_actions: Array<{ action: string; role_ids: string[] | null }>;
  system?: boolean;
}

function describe(p: PolytomicPayload): string {
  const org = p.resource.organizationId ? ` in organization ${p.resource.organizationId}` : '';
  return `policy ${JSON.stringify(p.resource.name)}${org}`;
}

/** The server answers every action, unrequested ones with no roles: compare only actions that hold roles. */
export function normalizeActions(actions: ReadonlyArray<{ action: string; role_ids?: string[] | null; roleIds?: string[] }>): string {
  const held = actions
    .map((a) => ({ action: a.action, roles: [...(a.role_ids ?? a.roleIds ?? [])].sort() }))
    .filter((a) => a.roles.length > 0)
    .sort((a, b) => a.action.localeCompare(b.action));
  return JSON.stringify(held);
}

async function findPolicy(p: PolytomicPayload, s: VendorSession, operation: string): Promise<PolicyBody | undefined> {
  const { json } = await s.request({
    method: 'GET',
    url: `${s.baseUrl}/api/permissions/policies`,
    headers: s.headers,
    context: { vendor: 'polytomic', operation },
  });
  const { name, organizationId } = p.resource;
  const matches = ((json as { data: PolicyBody[] }).data ?? []).filter(
    (x) => x.name === name && (!organizationId || x.organization_id === organizationId),
  );
  if (matches.length > 1) {
    throw new ValidationError(
      `polytomic: ${operation} failed: ${matches.length} policies are named ${JSON.stringify(name)} (ids ${matches.map((m) => m.id).join(', ')}); rename or delete the extra ones`,
    );
  }
  if (matches[0]?.system) {
    throw new ValidationError(`polytomic: ${operation} failed: ${JSON.stringify(name)} is a built-in (system) policy and cannot be managed`);
  }
  return matches[0];
}

function wireActions(actions: readonly PolytomicPolicyAction[]) {
  return actions.map((a) => ({ action: a.action, role_ids: a.roleIds }));
}

export const polytomic: VendorModule<PolytomicPayload> = {
  readError(_status, body, text) {
    const b = body as { message?: string; key?: string; error?: string; code?: string | number } | undefined;
    if (b && (b.message || b.error)) {
      return { message: String(b.message ?? b.error), code: b.key ?? (b.code !== undefined ? String(b.code) : undefined) };
    }
    return { message: text.slice(0, 500) };
  },

  async connect(payload, env) {
    const c = payload.connection;
    const key = requireEnv(env, c.apiKeyEnv, 'polytomic', 'the API key');
    return {
      baseUrl: resolveBaseUrl('polytomic', c.url, env, ENV.polytomicUrl, DEFAULT_POLYTOMIC_URL),
      headers: {
        Authorization: `Bearer ${key}`,
        'X-Polytomic-Version': c.apiVersion,
        'Content-Type': 'application/json',
      },
      secrets: [key],
      authHint: `Check the API key in ${c.apiKeyEnv}`,
    };
  },

  operations: {
    async apply(p, s) {
      const operation = `apply ${describe(p)}`;
      const existing = await findPolicy(p, s, operation);
      const body = {
        name: p.resource.name,
        policy_actions: wireActions(p.resource.policyActions),
        ...(p.resource.organizationId ? { organization_id: p.resource.organizationId } : {}),
      };
      // One key per logical change: a retry after a lost answer is recognised by the server, not repeated.
      const headers = { ...s.headers, 'Idempotency-Key': randomUUID() };
      if (!existing) {
        const { json } = await s.request({ method: 'POST', url: `${s.baseUrl}/api/permissions/policies`, headers, body, context: { vendor: 'polytomic', operation: `create ${describe(p)}` } });
        return `polytomic: created ${describe(p)} with id ${(json as { data: PolicyBody }).data.id}`;
      }
      if (normalizeActions(existing.policy_actions) === normalizeActions(p.resource.policyActions)) {
        return `polytomic: ${describe(p)} (id ${existing.id}) already matches`;
      }
      // The page documents PATCH; both PATCH and the SDKs' PUT carry the whole policy and keep its id.
      await s.request({ method: 'PATCH', url: `${s.baseUrl}/api/permissions/policies/${segment(existing.id)}`, headers, body, context: { vendor: 'polytomic', operation: `update ${describe(p)}` } });
      return `polytomic: updated ${describe(p)} (id ${existing.id}) in place`;
    },

    async revoke(p, s) {
      const operation = `delete ${describe(p)}`;
      const existing = await findPolicy(p, s, operation);
      if (!existing) return `polytomic: ${describe(p)} was already gone`;
      const response = await s.request({
        method: 'DELETE',
        url: `${s.baseUrl}/api/permissions/policies/${segment(existing.id)}`,
        headers: { ...s.headers, 'Idempotency-Key': randomUUID() },
        acceptStatuses: [404],
        context: { vendor: 'polytomic', operation },
      });
      return response.status === 404 ? `polytomic: ${describe(p)} was already gone` : `polytomic: deleted ${describe(p)} (id ${existing.id})`;
    },
  },
};
