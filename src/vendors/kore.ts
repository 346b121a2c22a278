/** Kore.ai Search AI: one user on a connector's permission entity. */
import { DEFAULT_KORE_URL, KoreConnection, KoreGrant } from '../contract';
import { ConfigurationError, HttpError, UnexpectedAnswerError } from '../errors';
import { HttpResponse } from '../http';
import { PageBudget } from './paging';
import { ScopeRead, VendorClient, VendorSession, apiUrl, randomUUID, requireEnv, resolveBaseUrl, unconfirmed } from './vendor';

const PAGE_SIZE = 100;

export interface KoreScope { readonly botId: string; readonly connectorId: string; readonly entityId: string }
export interface KoreEntity { readonly _id: string; readonly entityId: string; readonly userIds: string[] }
/** The entity the path id named (its `_id` and source id) and the users associated with it. */
export interface KoreHeld { readonly entity: KoreEntity; readonly users: string[] }

function describe(g: KoreGrant): string {
  return `user ${g.user} on entity ${g.entityId} of connector ${g.connectorId} (bot ${g.botId})`;
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

/** Kore's own error shape, `{errors: [{msg, code}]}`; a 404 without it came from something else (a host, a proxy). */
function isKoreError(response: HttpResponse): boolean {
  const errors = (response.json as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) && errors.length > 0 && typeof (errors[0] as { msg?: unknown })?.msg === 'string';
}

function entityUrl(s: VendorSession, scope: KoreScope, id: string): string {
  return apiUrl(s.baseUrl, 'kore')`/api/public/bot/${scope.botId}/connector/${scope.connectorId}/permission-entities/${id}`;
}

function toEntity(value: unknown): KoreEntity | undefined {
  const e = value as { _id?: unknown; entityId?: unknown; userIds?: unknown } | undefined;
  if (typeof e?._id !== 'string' || typeof e.entityId !== 'string' || !Array.isArray(e.userIds)) return undefined;
  return { _id: e._id, entityId: e.entityId, userIds: e.userIds.map(String) };
}

/**
 * Every permission entity of the connector (a bare JSON array, paged with skip and limit). The next page starts
 * after what the last one held, and only an empty page ends the list: the server may cap `limit` below what was asked.
 */
export async function listEntities(s: VendorSession, scope: { botId: string; connectorId: string }, operation: string): Promise<KoreEntity[]> {
  const entities = new Map<string, KoreEntity>();
  const budget = new PageBudget(s.limits, 'kore', operation);
  for (;;) {
    const url = apiUrl(s.baseUrl, 'kore')`/api/public/bot/${scope.botId}/connector/${scope.connectorId}/permission-entities?skip=${String(entities.size)}&limit=${String(PAGE_SIZE)}`;
    budget.page(url);
    const { json } = await s.request({ method: 'GET', url, headers: s.headers, success: { body: 'json' }, context: { vendor: 'kore', operation } });
    if (!Array.isArray(json)) throw new UnexpectedAnswerError({ vendor: 'kore', operation }, 'GET', url, 'answered something other than a list of entities');
    const before = entities.size;
    for (const item of json) {
      const entity = toEntity(item);
      if (!entity) throw new UnexpectedAnswerError({ vendor: 'kore', operation }, 'GET', url, `answered an entity without _id, entityId and userIds: ${s.excerpt(JSON.stringify(item))}`);
      entities.set(entity._id, entity);
    }
    budget.items(entities.size, url);
    // An empty page ends the list; so does one that brings nothing new (a server that ignores skip).
    if (entities.size === before) return [...entities.values()];
  }
}

/**
 * The docs call the path id "the unique ID of the permission entity", which may be its `_id` or its source id. The
 * id is sent as given; only after Kore's own 404 is it looked up in the connector's entity list, by either form.
 */
async function resolveEntity(s: VendorSession, scope: KoreScope, operation: string): Promise<KoreEntity | undefined> {
  const entities = await listEntities(s, scope, operation);
  return entities.find((e) => e._id === scope.entityId) ?? entities.find((e) => e.entityId === scope.entityId);
}

/** PUT (add) or DELETE (remove) one user; on Kore's 404 for the path id, retries with the entity the list names. */
async function changeUser(g: KoreGrant, s: VendorSession, method: 'PUT' | 'DELETE', operation: string): Promise<{ response: HttpResponse; via?: KoreEntity; unlisted?: true }> {
  const send = (id: string) => s.request({
    method, url: entityUrl(s, g, id), headers: s.headers, body: { userList: [g.user] },
    // The docs give no status or body for either call: done (200, 204) with no body or a JSON one, not 202.
    success: { statuses: [200, 204], body: 'empty-or-json' }, handle: [404], context: { vendor: 'kore', operation },
  });
  const response = await send(g.entityId);
  if (response.status !== 404 || !isKoreError(response)) return { response };
  const entity = await resolveEntity(s, g, operation);
  if (!entity) return { response, unlisted: true };
  const other = entity._id === g.entityId ? entity.entityId : entity._id;
  return { response: await send(other), via: entity };
}

export const kore: VendorClient<KoreConnection, KoreGrant, KoreScope, KoreHeld> = {
  vendor: 'kore',

  readError(_status, body, text) {
    const errors = (body as { errors?: Array<{ msg?: string; code?: number | string }> })?.errors;
    if (Array.isArray(errors) && errors.length > 0) {
      return { message: errors.map((e) => e.msg).filter(Boolean).join('; '), code: String(errors[0].code ?? '') || undefined };
    }
    return { message: text };
  },

  async connect(c, env) {
    const url = resolveBaseUrl('kore', c.url, env, c.urlEnv, DEFAULT_KORE_URL);
    let jwt = env[c.jwtEnv];
    const secrets: string[] = [];
    if (!jwt) {
      if (!env[c.clientIdEnv] && !env[c.clientSecretEnv]) {
        throw new ConfigurationError(`kore: no credentials: export ${c.jwtEnv}, or ${c.clientIdEnv} and ${c.clientSecretEnv}, in the environment of the terraform process`);
      }
      const clientId = requireEnv(env, c.clientIdEnv, 'kore', 'the app client id');
      const clientSecret = requireEnv(env, c.clientSecretEnv, 'kore', 'the app client secret');
      secrets.push(clientSecret);
      jwt = await mintKoreJwt(clientId, clientSecret);
    }
    secrets.push(jwt);
    return {
      ...url,
      headers: { auth: jwt, 'Content-Type': 'application/json' },
      secrets,
      authHint: `Check ${c.jwtEnv}, or ${c.clientIdEnv} and ${c.clientSecretEnv}, and that the app has the scope "Permission Entity Management"`,
    };
  },

  scopeOf: (g) => ({ botId: g.botId, connectorId: g.connectorId, entityId: g.entityId }),
  scopeKey: (scope) => `${scope.botId}/${scope.connectorId}/${scope.entityId}`,

  async read(scope, s): Promise<ScopeRead<KoreHeld>> {
    const operation = `read entity ${scope.entityId} of connector ${scope.connectorId} (bot ${scope.botId})`;
    const url = entityUrl(s, scope, scope.entityId);
    const response = await s.request({ method: 'GET', url, headers: s.headers, success: { body: 'json' }, handle: [404], context: { vendor: 'kore', operation } });
    if (response.status === 404) {
      if (!isKoreError(response)) {
        throw new UnexpectedAnswerError({ vendor: 'kore', operation }, 'GET', url, `answered a 404 that is not Kore's ({errors: [{msg}]}): ${s.excerpt(response.text)}`, `Check ${s.urlSource}`);
      }
      const entity = await resolveEntity(s, scope, operation);
      if (!entity) return { exists: false, detail: `entity ${scope.entityId} is not among the connector's permission entities` };
      return { exists: true, held: { entity, users: entity.userIds } };
    }
    const entity = toEntity(response.json);
    if (!entity) throw new UnexpectedAnswerError({ vendor: 'kore', operation }, 'GET', url, `answered without _id, entityId and userIds: ${s.excerpt(response.text)}`);
    return { exists: true, held: { entity, users: entity.userIds } };
  },

  async apply(g, s) {
    const operation = `add ${describe(g)}`;
    // PUT adds the listed users and keeps the others; adding a user already there changes nothing.
    const { response, via } = await changeUser(g, s, 'PUT', operation);
    if (response.status === 404) {
      const hint = via ? `The connector lists the entity as ${via._id} (source id ${via.entityId}), yet a PUT by either id answered 404`
        : isKoreError(response) ? `The connector has no entity whose _id or entityId is ${JSON.stringify(g.entityId)}` : `Check ${s.urlSource}`;
      throw new HttpError({ vendor: 'kore', operation }, 'PUT', entityUrl(s, g, g.entityId), 404, s.excerpt(kore.readError(404, response.json, response.text).message), undefined, hint);
    }
    // Only when the entity list was read before the PUT is it known whether the user was there already.
    if (via?.userIds.includes(g.user)) return `kore: ${describe(g)} already held (the connector's entity list showed it on entity ${via._id}); the PUT changed nothing`;
    return `kore: added ${describe(g)}${via ? ` (entity ${via._id}, source id ${via.entityId}, found in the connector's entity list)` : ''}`;
  },

  async revoke(g, s) {
    const operation = `remove ${describe(g)}`;
    let result: Awaited<ReturnType<typeof changeUser>>;
    try {
      result = await changeUser(g, s, 'DELETE', operation);
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) throw unconfirmed('kore', operation, `reading the connector's entity list failed: ${error.message}`, s);
      // Kore's own refusal (a 400 or 409 for a user not on the entity would be as plausible as a 404): only the
      // entity's userIds can turn it into a confirmed revoke; otherwise the refusal stands.
      if (error instanceof HttpError && [400, 409, 422].includes(error.status) && error.vendorCode !== undefined) {
        const read = await kore.read(kore.scopeOf(g), s).catch(() => undefined);
        if (read?.exists && !read.held.users.includes(g.user)) {
          return `kore: ${g.user} was already not on entity ${g.entityId} of connector ${g.connectorId} (Kore answered HTTP ${error.status}; confirmed by the entity's userIds)`;
        }
      }
      throw error;
    }
    const { response, via, unlisted } = result;
    const gone = `kore: entity ${g.entityId} is gone from connector ${g.connectorId} (confirmed by its entity list), so ${g.user} has no access through it`;
    if (response.status !== 404) return `kore: removed ${describe(g)}${via ? ` (entity ${via._id}, found in the connector's entity list)` : ''}`;
    if (!isKoreError(response)) throw unconfirmed('kore', operation, `the DELETE answered a 404 that is not Kore's: ${s.excerpt(response.text)}`, s);
    // Kore's 404, and the connector's entity list, read successfully, has no entity by either id: it is gone.
    if (unlisted) return gone;
    // Kore's 404 says the entity is gone, or (undocumented) that the user is not on it: the entity's userIds decide.
    let read: ScopeRead<KoreHeld>;
    try {
      read = await kore.read(kore.scopeOf(g), s);
    } catch (error) {
      throw unconfirmed('kore', operation, `the DELETE answered Kore's 404 and reading the entity failed: ${(error as Error).message}`, s);
    }
    if (!read.exists) return gone;
    if (read.held.users.includes(g.user)) {
      throw unconfirmed('kore', operation, `the DELETE answered Kore's 404 (${s.excerpt(kore.readError(404, response.json, response.text).message)}), yet entity ${read.held.entity._id} still lists ${g.user} in its userIds`, s);
    }
    return `kore: ${g.user} was already not on entity ${g.entityId} of connector ${g.connectorId} (Kore answered 404; confirmed by the entity's userIds)`;
  },
};
