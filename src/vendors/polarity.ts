/** Polarity Server v5: a group's read/admin permissions on an integration (JSON:API). */
import { ENV, PolarityPayload } from '../contract';
import { VendorModule, requireEnv, resolveBaseUrl, segment } from './vendor';

const JSON_API = 'application/vnd.api+json';

function describe(p: PolarityPayload): string {
  return `integration ${p.resource.integrationId} for group ${p.resource.groupId}`;
}

export const polarity: VendorModule<PolarityPayload> = {
  readError(_status, body, text) {
    // No public source documents the error body: a JSON:API errors array or plain text.
    const errors = (body as { errors?: Array<{ title?: string; detail?: string; code?: string }> })?.errors;
    if (Array.isArray(errors) && errors.length > 0) {
      return {
        message: errors.map((e) => [e.title, e.detail].filter(Boolean).join(': ')).join('; '),
        code: errors[0].code,
      };
    }
    return { message: text.slice(0, 500) };
  },

  async connect(payload, env) {
    const token = requireEnv(env, payload.connection.tokenEnv, 'polarity', 'the API token');
    return {
      baseUrl: resolveBaseUrl('polarity', payload.connection.url, env, ENV.polarityUrl),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': JSON_API, Accept: JSON_API },
      secrets: [token],
      authHint: `Check the token in ${payload.connection.tokenEnv}`,
    };
  },

  operations: {
    async apply(p, s) {
      const { integrationId, groupId, permissions } = p.resource;
      // The POST replaces the group's whole permission set, so create and change are the same call.
      await s.request({
        method: 'POST',
        url: `${s.baseUrl}/api/integrations/${segment(integrationId)}/permissions`,
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
        context: { vendor: 'polarity', operation: `grant ${permissions.join(',')} on ${describe(p)}` },
      });
      return `polarity: granted ${permissions.join(',')} on integration ${integrationId} to group ${groupId}`;
    },

    async revoke(p, s) {
      const { integrationId, groupId } = p.resource;
      const response = await s.request({
        method: 'DELETE',
        url: `${s.baseUrl}/api/integrations/${segment(integrationId)}/relationships/permissions`,
        headers: s.headers,
        body: { data: [{ type: 'permissions', id: `integration:${integrationId}:${groupId}` }] },
        acceptStatuses: [404],
        context: { vendor: 'polarity', operation: `revoke all permissions on ${describe(p)}` },
      });
      return response.status === 404
        ? `polarity: group ${groupId} already had no permissions on integration ${integrationId}`
        : `polarity: revoked all permissions on integration ${integrationId} from group ${groupId}`;
    },
  },
};
