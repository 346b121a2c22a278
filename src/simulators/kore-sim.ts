/**
 * Kore.ai Search AI simulator: permission entities of connectors, users added with PUT and removed with DELETE.
 * Alternative mode (undocumented): a DELETE naming a user the entity does not hold answers Kore's 404.
 */
import { createHash } from 'crypto';
import { jwtVerify } from 'jose';
import {
  INVALID_JSON, RouteTable, SimRequest, SimResponse, SimulatorServer, contentTypeIs, notFoundPage, resolveRoute,
} from './sim-server';

export interface KoreSimOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Reject JWTs without a jti claim, as some apps do. */
  readonly requireJti?: boolean;
  /** `<botId>/<connectorId>` -> entity ids that exist there; these keys are also the bots and connectors that exist. */
  readonly entities?: Record<string, string[]>;
}

export interface KoreEntity {
  _id: string; entityId: string; meta: object; name: string; userIds: string[]; sourceType: string; type: string;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;
const ENTITIES = '/api/public/bot/:botId/connector/:connectorId/permission-entities';

function error(status: number, code: number, msg: string, headers?: Record<string, string>): SimResponse {
  return { status, headers, body: { errors: [{ msg, code }] } };
}

/** A stable `fpe-<uuid>` per bot, connector and source id, shaped like the name-based UUIDs of the doc's samples. */
function entityObjectId(key: string): string {
  const h = createHash('sha1').update(key).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `fpe-${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function addUsersTo(entity: KoreEntity, users: string[]): void {
  for (const u of users) if (!entity.userIds.includes(u)) entity.userIds.push(u);
}

function removeUsersFrom(entity: KoreEntity, users: string[]): void {
  entity.userIds = entity.userIds.filter((u) => !users.includes(u));
}

function newEntity(connectorKey: string, entityId: string): KoreEntity {
  return {
    _id: entityObjectId(`${connectorKey}/${entityId}`), entityId, meta: {}, name: entityId.split('@')[0], userIds: [],
    sourceType: 'googleDrive', type: 'googleGroup',
  };
}

export class KoreSimulator extends SimulatorServer {
  /** `<botId>/<connectorId>` -> its entities */
  private connectors = new Map<string, KoreEntity[]>();
  /** Verified tokens, so each JWT is checked once (verification is async, routing is not). */
  private readonly verified = new Map<string, boolean>();

  private readonly routes: RouteTable = {
    [ENTITIES]: { GET: (req, p) => this.list(p, req) },
    [`${ENTITIES}/:id`]: {
      GET: (_req, p) => this.withEntity(p, (e) => ({ status: 200, body: e })),
      PUT: (req, p) => this.withEntity(p, (e) => this.changeUsers(e, req, 'add')),
      DELETE: (req, p) => this.withEntity(p, (e) => this.changeUsers(e, req, 'remove')),
    },
  };

  protected readonly hooks = ['addUsers', 'removeUsers', 'addEntity', 'removeEntity'];

  constructor(private readonly options: KoreSimOptions) {
    super('kore');
    this.reset();
  }

  reset(): void {
    const seed = this.options.entities ?? { 'st-search/fc-drive': ['eng@example.com', 'sales@example.com'] };
    this.connectors = new Map(Object.entries(seed).map(([key, ids]) => [key, ids.map((entityId) => newEntity(key, entityId))]));
  }

  snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [key, entities] of this.connectors) {
      for (const e of entities) if (e.userIds.length > 0) out[`${key}/${e.entityId}`] = [...e.userIds].sort();
    }
    return out;
  }

  // Hooks that change the app as an admin would in Kore's UI. Each throws when the entity it names is not in the
  // state it expects, so a drift test cannot silently set up nothing. Entities are named by `_id` or source id.

  addUsers(botId: string, connectorId: string, entityId: string, users: string[]): void {
    addUsersTo(this.existing(botId, connectorId, entityId), users);
  }

  removeUsers(botId: string, connectorId: string, entityId: string, users: string[]): void {
    removeUsersFrom(this.existing(botId, connectorId, entityId), users);
  }

  /** Creates the entity, and its bot and connector when they do not exist yet; returns a copy of it. */
  addEntity(botId: string, connectorId: string, entityId: string): KoreEntity {
    const key = `${botId}/${connectorId}`;
    if (this.find(botId, connectorId, entityId)) throw new Error(`kore sim: entity ${entityId} already exists in ${key}`);
    const entity = newEntity(key, entityId);
    this.connectors.set(key, [...(this.connectors.get(key) ?? []), entity]);
    return structuredClone(entity);
  }

  removeEntity(botId: string, connectorId: string, entityId: string): void {
    const entity = this.existing(botId, connectorId, entityId);
    const key = `${botId}/${connectorId}`;
    this.connectors.set(key, this.connectors.get(key)!.filter((e) => e !== entity));
  }

  /** A copy of the entity, by `_id` or source id; undefined when there is none. */
  entity(botId: string, connectorId: string, idOrEntityId: string): KoreEntity | undefined {
    const entity = this.find(botId, connectorId, idOrEntityId);
    return entity && structuredClone(entity);
  }

  private find(botId: string, connectorId: string, id: string): KoreEntity | undefined {
    return this.connectors.get(`${botId}/${connectorId}`)?.find((e) => e._id === id || e.entityId === id);
  }

  private existing(botId: string, connectorId: string, id: string): KoreEntity {
    const entity = this.find(botId, connectorId, id);
    if (!entity) throw new Error(`kore sim: no entity ${id} in ${botId}/${connectorId}`);
    return entity;
  }

  protected rateLimitedBody(): unknown {
    return { errors: [{ msg: 'Rate limit exceeded', code: 429 }] };
  }

  protected async beforeRoute(req: SimRequest): Promise<void> {
    if (typeof req.headers.auth === 'string') await this.verify(req.headers.auth);
  }

  /** Checks an `auth` JWT; jose's verification is asynchronous, so route() reads the cached verdict. */
  async verify(token: string): Promise<boolean> {
    const cached = this.verified.get(token);
    if (cached !== undefined) return cached;
    let ok = false;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(this.options.clientSecret), { algorithms: ['HS256'] });
      ok = protectedHeader.alg === 'HS256' && payload.appId === this.options.clientId && typeof payload.sub === 'string' &&
        (!this.options.requireJti || typeof payload.jti === 'string');
    } catch {
      ok = false;
    }
    this.verified.set(token, ok);
    return ok;
  }

  protected route(req: SimRequest): SimResponse {
    const route = resolveRoute(this.routes, req);
    if (!route) return notFoundPage();
    const token = req.headers.auth;
    if (typeof token !== 'string' || this.verified.get(token) !== true) return error(401, 4001, 'Invalid or expired JWT in the auth header');
    if (!route.handler) return error(405, 4005, `method ${req.method} not allowed`, { Allow: route.allow });
    return route.handler(req, route.params);
  }

  /** The entities of an existing connector, or the 404 that names the first missing object (bot, then connector). */
  private entitiesOf(botId: string, connectorId: string): KoreEntity[] | SimResponse {
    if (![...this.connectors.keys()].some((key) => key.startsWith(`${botId}/`))) return error(404, 4004, `Bot ${botId} not found`);
    return this.connectors.get(`${botId}/${connectorId}`) ?? error(404, 4004, `Connector ${connectorId} not found`);
  }

  private list(params: Record<string, string>, req: SimRequest): SimResponse {
    const entities = this.entitiesOf(params.botId, params.connectorId);
    if (!Array.isArray(entities)) return entities;
    const skip = Number(req.query.get('skip') ?? 0);
    const limit = Number(req.query.get('limit') ?? DEFAULT_LIMIT);
    if (!Number.isInteger(skip) || skip < 0 || !Number.isInteger(limit) || limit < 1) {
      return error(400, 4002, 'skip must be an integer >= 0 and limit an integer >= 1');
    }
    return { status: 200, body: entities.slice(skip, skip + Math.min(limit, MAX_LIMIT)) };
  }

  private withEntity(params: Record<string, string>, then: (entity: KoreEntity) => SimResponse): SimResponse {
    const entities = this.entitiesOf(params.botId, params.connectorId);
    if (!Array.isArray(entities)) return entities;
    // Which id the real path takes is not documented, so both the `_id` and the source id find the entity.
    const entity = entities.find((e) => e._id === params.id || e.entityId === params.id);
    return entity ? then(entity) : error(404, 4004, `Permission entity ${params.id} not found`);
  }

  /** Adding and removing are both idempotent; the entity itself always stays. */
  private changeUsers(entity: KoreEntity, req: SimRequest, op: 'add' | 'remove'): SimResponse {
    if (!contentTypeIs(req, 'application/json')) return error(415, 4002, 'Content-Type must be application/json');
    const users = (req.body as { userList?: unknown })?.userList;
    if (req.body === INVALID_JSON || !Array.isArray(users) || users.length === 0 || users.some((u) => typeof u !== 'string' || !u)) {
      return error(400, 4002, 'userList must be a non-empty array of user ids');
    }
    if (op === 'remove' && this.alternative) {
      const absent = (users as string[]).filter((u) => !entity.userIds.includes(u));
      if (absent.length > 0) return error(404, 4004, `User ${absent.join(', ')} is not associated with permission entity ${entity._id}`);
    }
    if (op === 'add') addUsersTo(entity, users as string[]);
    else removeUsersFrom(entity, users as string[]);
    return { status: 200, body: entity };
  }
}
