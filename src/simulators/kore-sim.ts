/** Kore.ai Search AI simulator: permission entities of connectors, users added with PUT and removed with DELETE. */
import { jwtVerify } from 'jose';
import { INVALID_JSON, SimRequest, SimResponse, SimulatorServer, contentTypeIs, matchPath } from './sim-server';

export interface KoreSimOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Reject JWTs without a jti claim, as some apps do. */
  readonly requireJti?: boolean;
  /** `<botId>/<connectorId>` -> entity ids that exist there. */
  readonly entities?: Record<string, string[]>;
}

interface Entity {
  _id: string; entityId: string; meta: object; name: string; userIds: string[]; sourceType: string; type: string;
}

function error(status: number, code: number, msg: string): SimResponse {
  return { status, body: { errors: [{ msg, code }] } };
}

export class KoreSimulator extends SimulatorServer {
  private connectors = new Map<string, Entity[]>();
  /** Verified tokens, so each JWT is checked once (verification is async, routing is not). */
  private readonly verified = new Map<string, boolean>();

  constructor(private readonly options: KoreSimOptions) {
    super('kore');
    this.reset();
  }

  reset(): void {
    const seed = this.options.entities ?? { 'st-search/fc-drive': ['eng@example.com', 'sales@example.com'] };
    this.connectors = new Map(Object.entries(seed).map(([key, ids]) => [key, ids.map((entityId, i) => ({
      _id: `fpe-${i}-${entityId}`, entityId, meta: {}, name: entityId.split('@')[0], userIds: [], sourceType: 'googleDrive', type: 'googleGroup',
    }))]));
  }

  snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [key, entities] of this.connectors) {
      for (const e of entities) if (e.userIds.length > 0) out[`${key}/${e.entityId}`] = [...e.userIds].sort();
    }
    return out;
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
    const token = req.headers.auth;
    if (typeof token !== 'string' || this.verified.get(token) !== true) return error(401, 4001, 'Invalid or expired JWT in the auth header');
    let params = matchPath('/api/public/bot/:botId/connector/:connectorId/permission-entities', req.path);
    if (params && req.method === 'GET') {
      const entities = this.connectors.get(`${params.botId}/${params.connectorId}`);
      if (!entities) return error(404, 4004, 'Connector not found');
      const skip = Number(req.query.get('skip') ?? 0);
      const limit = Number(req.query.get('limit') ?? 100);
      return { status: 200, body: entities.slice(skip, skip + limit) };
    }
    params = matchPath('/api/public/bot/:botId/connector/:connectorId/permission-entities/:entityId', req.path);
    if (!params) return error(404, 4004, `no route for ${req.method} ${req.path}`);
    const entity = this.connectors.get(`${params.botId}/${params.connectorId}`)?.find((e) => e.entityId === params!.entityId);
    if (!entity) return error(404, 4004, `Permission entity ${params.entityId} not found`);
    if (req.method === 'GET') return { status: 200, body: entity };
    if (req.method !== 'PUT' && req.method !== 'DELETE') return error(405, 4005, 'method not allowed');
    if (!contentTypeIs(req, 'application/json')) return error(415, 4002, 'Content-Type must be application/json');
    const users = (req.body as { userList?: unknown })?.userList;
    if (req.body === INVALID_JSON || !Array.isArray(users) || users.length === 0 || users.some((u) => typeof u !== 'string' || !u)) {
      return error(400, 4002, 'userList must be a non-empty array of user ids');
    }
    if (req.method === 'PUT') {
      for (const u of users as string[]) if (!entity.userIds.includes(u)) entity.userIds.push(u);
    } else {
      entity.userIds = entity.userIds.filter((u) => !(users as string[]).includes(u));
    }
    return { status: 200, body: entity };
  }
}
