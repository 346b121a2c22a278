/** Britive: a permission (role, group, ...) attached to a profile (pap). */
import { BritivePayload, ENV } from '../contract';
import { HttpError } from '../errors';
import { VendorModule, VendorSession, requireEnv, resolveBaseUrl, segment } from './vendor';

export const BRITIVE_NOT_FOUND = 'E1004';
export const BRITIVE_DUPLICATE = 'E1005';
export const BRITIVE_MAINTENANCE = 'MAINT0001';
const PAGE_SIZE = 100;

function describe(p: BritivePayload): string {
  const r = p.resource;
  return `${r.permissionType} ${JSON.stringify(r.permissionName)} on profile ${r.profileId}`;
}

interface BritivePermission { name: string; type: string }

/** Pages through the profile's permissions named `name`, keeping on while (page+1)*size < count. */
export async function listProfilePermissions(
  s: VendorSession, profileId: string, name: string, operation: string, pageSize = PAGE_SIZE,
): Promise<BritivePermission[]> {
  const found: BritivePermission[] = [];
  for (let page = 0; ; page++) {
    const query = `page=${page}&size=${pageSize}&filter=${encodeURIComponent(`name eq "${name}"`)}`;
    const { json } = await s.request({
      method: 'GET',
      url: `${s.baseUrl}/paps/${segment(profileId)}/permissions?${query}`,
      headers: s.headers,
      context: { vendor: 'britive', operation },
    });
    const envelope = json as { count: number; page: number; size: number; data: BritivePermission[] };
    found.push(...envelope.data);
    if ((envelope.page + 1) * envelope.size >= envelope.count || envelope.data.length === 0) return found;
  }
}

async function changePermission(p: BritivePayload, s: VendorSession, op: 'add' | 'remove', operation: string) {
  const { profileId, permissionName, permissionType } = p.resource;
  return s.request({
    method: 'POST',
    url: `${s.baseUrl}/paps/${segment(profileId)}/permissions`,
    headers: s.headers,
    body: { op, permission: { name: permissionName, type: permissionType } },
    acceptStatuses: op === 'remove' ? [404] : [],
    context: { vendor: 'britive', operation },
  });
}

export const britive: VendorModule<BritivePayload> = {
  readError(_status, body, text) {
    const b = body as { message?: string; errorCode?: string; details?: string } | undefined;
    if (b && (b.message || b.errorCode)) {
      return { message: [b.message, b.details].filter(Boolean).join(': '), code: b.errorCode };
    }
    return { message: text.slice(0, 500) };
  },

  // A tenant under maintenance will not come back within a retry budget; say so at once.
  isRetryable: (status, code) => !(status === 503 && code === BRITIVE_MAINTENANCE),

  async connect(payload, env) {
    const token = requireEnv(env, payload.connection.tokenEnv, 'britive', 'the API token');
    const tenant = resolveBaseUrl('britive', payload.connection.tenant, env, ENV.britiveTenant);
    return {
      baseUrl: `${tenant}/api`,
      headers: { Authorization: `TOKEN ${token}`, 'Content-Type': 'application/json' },
      secrets: [token],
      authHint: `Check the token in ${payload.connection.tokenEnv}`,
    };
  },

  operations: {
    async apply(p, s) {
      const operation = `add ${describe(p)}`;
      try {
        await changePermission(p, s, 'add', operation);
        return `britive: added ${describe(p)}`;
      } catch (error) {
        // E1005 also answers a retry whose first answer was lost; the listing confirms the exact type is there.
        if (!(error instanceof HttpError) || error.vendorCode !== BRITIVE_DUPLICATE) throw error;
        const present = await listProfilePermissions(s, p.resource.profileId, p.resource.permissionName, operation);
        if (present.some((x) => x.name === p.resource.permissionName && x.type === p.resource.permissionType)) {
          return `britive: ${describe(p)} was already attached`;
        }
        throw error;
      }
    },

    async revoke(p, s) {
      const operation = `remove ${describe(p)}`;
      try {
        const response = await changePermission(p, s, 'remove', operation);
        if (response.status === 404) return `britive: ${describe(p)} was already gone`;
        return `britive: removed ${describe(p)}`;
      } catch (error) {
        if (error instanceof HttpError && error.vendorCode === BRITIVE_NOT_FOUND) {
          return `britive: ${describe(p)} was already gone`;
        }
        throw error;
      }
    },
  },
};
