/** Kore.ai Search AI: one user on a connector's permission entity. */
import { DEFAULT_KORE_URL, ENV, KorePayload } from '../contract';
import { ConfigurationError } from '../errors';
import { VendorModule, VendorSession, randomUUID, requireEnv, resolveBaseUrl, segment } from './vendor';

function describe(p: KorePayload): string {
  const r = p.resource;
  return `user ${r.user} on entity ${r.entityId} of connector ${r.connectorId} (bot ${r.botId})`;
}

function entityUrl(p: KorePayload, s: VendorSession): string {
  const r = p.resource;
  return `${s.baseUrl}/api/public/bot/${segment(r.botId)}/connector/${segment(r.connectorId)}` +
    `/permission-entities/${segment(r.entityId)}`;
}

/** An HS256 JWT with the claims Kore.ai reads: appId (spelled exactly so) and a jti for apps that demand one. */
export async function mintKoreJwt(clientId: string, clientSecret: string): Promise<string> {
  const { SignJWT } = await import('jose/jwt/sign');
  return new SignJWT({ appId: clientId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('cdktf-saas-permissions')
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(clientSecret));
}

export const kore: VendorModule<KorePayload> = {
  readError(_status, body, text) {
    const errors = (body as { errors?: Array<{ msg?: string; code?: number | string }> })?.errors;
    if (Array.isArray(errors) && errors.length > 0) {
      return { message: errors.map((e) => e.msg).filter(Boolean).join('; '), code: String(errors[0].code ?? '') || undefined };
    }
    return { message: text.slice(0, 500) };
  },

  async connect(payload, env) {
    const c = payload.connection;
    const baseUrl = resolveBaseUrl('kore', c.url, env, ENV.koreUrl, DEFAULT_KORE_URL);
    let jwt = env[c.jwtEnv];
    const secrets: string[] = [];
    if (!jwt) {
      if (!env[c.clientIdEnv] && !env[c.clientSecretEnv]) {
        throw new ConfigurationError(
          `kore: no credentials: export ${c.jwtEnv}, or ${c.clientIdEnv} and ${c.clientSecretEnv}, in the environment of the terraform process`,
        );
      }
      const clientId = requireEnv(env, c.clientIdEnv, 'kore', 'the app client id');
      const clientSecret = requireEnv(env, c.clientSecretEnv, 'kore', 'the app client secret');
      secrets.push(clientSecret);
      jwt = await mintKoreJwt(clientId, clientSecret);
    }
    secrets.push(jwt);
    return {
      baseUrl,
      headers: { auth: jwt, 'Content-Type': 'application/json' },
      secrets,
      authHint: `Check ${c.jwtEnv}, or ${c.clientIdEnv} and ${c.clientSecretEnv}, and that the app has the scope "Permission Entity Management"`,
    };
  },

  operations: {
    async apply(p, s) {
      // PUT adds the listed users and keeps the others; adding a user already there changes nothing.
      await s.request({
        method: 'PUT',
        url: entityUrl(p, s),
        headers: s.headers,
        body: { userList: [p.resource.user] },
        context: { vendor: 'kore', operation: `add ${describe(p)}` },
      });
      return `kore: added ${describe(p)}`;
    },

    async revoke(p, s) {
      // DELETE with a body removes only the listed users; the entity stays.
      const response = await s.request({
        method: 'DELETE',
        url: entityUrl(p, s),
        headers: s.headers,
        body: { userList: [p.resource.user] },
        acceptStatuses: [404],
        context: { vendor: 'kore', operation: `remove ${describe(p)}` },
      });
      return response.status === 404
        ? `kore: entity ${p.resource.entityId} is gone, so ${p.resource.user} has no access through it`
        : `kore: removed ${describe(p)}`;
    },
  },
};
