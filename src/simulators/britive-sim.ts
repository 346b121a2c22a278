/**
 * Britive simulator: permissions attached to profiles (paps), paged listing, errorCode-bearing errors. Alternative
 * mode (undocumented): an add answers 200 with no body, which the official provider accepts.
 */
import {
  INVALID_JSON, RouteTable, SimRequest, SimResponse, SimulatorServer, contentTypeIs, notFoundPage, resolveRoute,
} from './sim-server';

export interface BritiveSimOptions {
  readonly token: string;
  readonly profiles?: string[];
}

interface Permission { name: string; type: string }

/**
 * The permission type is a free string for the API, yet the well-known types come back in lower case whatever case
 * they were sent in; this is why the official provider compares types with EqualFold, and why clients must.
 */
const WELL_KNOWN_TYPES = ['role', 'group', 'policy', 'permission'];

function canonicalType(type: string): string {
  return WELL_KNOWN_TYPES.includes(type.toLowerCase()) ? type.toLowerCase() : type;
}

const samePermission = (a: Permission, b: Permission) => a.name === b.name && a.type.toLowerCase() === b.type.toLowerCase();

function error(status: number, errorCode: string, message: string, headers?: Record<string, string>): SimResponse {
  return { status, headers, body: { status, message, errorCode, details: null } };
}

const profileMissing = (papId: string) => error(404, 'E1004', `Profile ${papId} does not exist`);

export class BritiveSimulator extends SimulatorServer {
  private paps = new Map<string, Permission[]>();
  /** When set, every call answers 503 MAINT0001. */
  maintenance = false;

  private readonly routes: RouteTable = {
    '/api/paps/:papId': { GET: (_req, p) => this.profile(p.papId) },
    '/api/paps/:papId/permissions': {
      GET: (req, p) => this.list(p.papId, req),
      POST: (req, p) => this.change(p.papId, req),
    },
  };

  protected readonly hooks = ['seed', 'removePermission', 'addProfile', 'removeProfile'];

  constructor(private readonly options: BritiveSimOptions) {
    super('britive');
    this.reset();
  }

  reset(): void {
    this.paps = new Map((this.options.profiles ?? ['pap-admins', 'pap-readonly', 'pap-oncall']).map((id) => [id, []]));
    this.maintenance = false;
  }

  snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [pap, permissions] of this.paps) {
      if (permissions.length > 0) out[pap] = permissions.map((p) => `${p.type}:${p.name}`).sort();
    }
    return out;
  }

  // Hooks that change the tenant as an admin would in Britive's UI. Each throws when the object it names is not in
  // the state it expects, so a drift test cannot silently set up nothing.

  /** Attaches a permission, as the API would store it (well-known types in lower case). */
  seed(papId: string, permission: Permission): void {
    const permissions = this.permissionsOf(papId);
    const stored = { name: permission.name, type: canonicalType(permission.type) };
    if (permissions.some((p) => samePermission(p, stored))) throw new Error(`britive sim: ${stored.type}:${stored.name} is already on ${papId}`);
    permissions.push(stored);
  }

  /** Detaches a permission; the type matches in any case, as the API's own checks do. */
  removePermission(papId: string, name: string, type: string): void {
    const permissions = this.permissionsOf(papId);
    const index = permissions.findIndex((p) => samePermission(p, { name, type }));
    if (index < 0) throw new Error(`britive sim: ${type}:${name} is not on ${papId}`);
    permissions.splice(index, 1);
  }

  addProfile(id: string): void {
    if (this.paps.has(id)) throw new Error(`britive sim: profile ${id} already exists`);
    this.paps.set(id, []);
  }

  /** Deletes the profile and every permission attached to it. */
  removeProfile(id: string): void {
    if (!this.paps.delete(id)) throw new Error(`britive sim: profile ${id} does not exist`);
  }

  private permissionsOf(papId: string): Permission[] {
    const permissions = this.paps.get(papId);
    if (!permissions) throw new Error(`britive sim: profile ${papId} does not exist`);
    return permissions;
  }

  /**
   * The scheme the tenant expects for its token, written here apart from the client so a test checks one against the
   * other: API tokens are short (`TOKEN`), federated workload tokens read `<provider>::<token>` (`WorkloadToken`),
   * other long tokens are OAuth access tokens (`Bearer`), as Britive's Python SDK tells them apart.
   */
  private get scheme(): string {
    const token = this.options.token;
    if (token.length < 50) return 'TOKEN';
    return token.split('::').length > 1 ? 'WorkloadToken' : 'Bearer';
  }

  protected rateLimitedBody(): unknown {
    return { status: 429, message: 'Too many requests', errorCode: 'E1029', details: null };
  }

  protected route(req: SimRequest): SimResponse {
    if (this.maintenance) return error(503, 'MAINT0001', 'The tenant is under maintenance');
    const route = resolveRoute(this.routes, req);
    if (!route) return notFoundPage();
    if (req.headers.authorization !== `${this.scheme} ${this.options.token}`) return error(401, 'E1001', 'Unauthorized: invalid token');
    if (!route.handler) return error(405, 'E1000', `method ${req.method} not allowed`, { Allow: route.allow });
    return route.handler(req, route.params);
  }

  /** The profile's own record; the query (skipIntegrityChecks=true, sent by the official provider) changes nothing here. */
  private profile(papId: string): SimResponse {
    if (!this.paps.has(papId)) return profileMissing(papId);
    return { status: 200, body: { papId, name: papId, description: null, status: 'active', appContainerId: 'app-1' } };
  }

  private list(papId: string, req: SimRequest): SimResponse {
    const permissions = this.paps.get(papId);
    if (!permissions) return profileMissing(papId);
    const page = Number(req.query.get('page'));
    const size = Number(req.query.get('size'));
    if (!req.query.has('page') || !req.query.has('size') || !Number.isInteger(page) || page < 0 || !Number.isInteger(size) || size < 1) {
      return error(400, 'E1000', 'page and size are mandatory integers');
    }
    const filter = req.query.get('filter') ?? '';
    let matching = permissions;
    if (filter) {
      // The official provider sends the value unquoted (`name eq Admins`); the doc page also shows it quoted.
      const m = /^name (eq|co) (?:"(.*)"|(.*))$/.exec(filter);
      if (!m) return error(400, 'E1000', `unsupported filter ${filter}: operators are eq and co`);
      const value = m[2] ?? m[3];
      matching = permissions.filter((p) => (m[1] === 'eq' ? p.name === value : p.name.includes(value)));
    }
    const sorted = [...matching].sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
    return {
      status: 200,
      body: {
        count: sorted.length, page, size, sort: 'name: ASC', filter,
        data: sorted.slice(page * size, (page + 1) * size).map((p) => ({
          papId, name: p.name, type: p.type, description: null, checkStatus: 'Success', message: '', privileged: false,
        })),
      },
    };
  }

  private change(papId: string, req: SimRequest): SimResponse {
    const permissions = this.paps.get(papId);
    if (!permissions) return profileMissing(papId);
    if (!contentTypeIs(req, 'application/json')) return error(415, 'E1000', 'Content-Type must be application/json');
    const body = req.body as { op?: unknown; permission?: { name?: unknown; type?: unknown } };
    const { name, type } = body?.permission ?? {};
    if (req.body === INVALID_JSON || typeof name !== 'string' || name.trim() === '' || typeof type !== 'string' || type.trim() === '') {
      return error(400, 'E1000', 'body must be {"op": "add"|"remove", "permission": {"name", "type"}} with non-empty name and type');
    }
    const wanted = { name, type: canonicalType(type) };
    const index = permissions.findIndex((p) => samePermission(p, wanted));
    if (body.op === 'add') {
      if (index >= 0) return error(400, 'E1005', `Permission ${name} of type ${type} already exists on the profile`);
      permissions.push(wanted);
      if (this.alternative) return { status: 200 };
      return { status: 200, body: { papId, name, type: wanted.type, description: null, checkStatus: 'Success', message: '' } };
    }
    if (body.op === 'remove') {
      if (index < 0) return error(400, 'E1004', `Permission ${name} of type ${type} does not exist on the profile`);
      permissions.splice(index, 1);
      return { status: 200, body: {} };
    }
    return error(400, 'E1000', `unknown op ${JSON.stringify(body.op)}`);
  }
}
