/** Britive simulator: permissions attached to profiles (paps), paged listing, errorCode-bearing errors. */
import { INVALID_JSON, SimRequest, SimResponse, SimulatorServer, contentTypeIs, matchPath } from './sim-server';

export interface BritiveSimOptions {
  readonly token: string;
  readonly profiles?: string[];
  /** Permission types the tenant accepts; case-sensitive as the API is. */
  readonly types?: string[];
}

interface Permission { name: string; type: string }

function error(status: number, errorCode: string, message: string): SimResponse {
  return { status, body: { status, message, errorCode, details: null } };
}

export class BritiveSimulator extends SimulatorServer {
  private paps = new Map<string, Permission[]>();
  /** When set, every call answers 503 MAINT0001. */
  maintenance = false;

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

  /** For tests that start from a permission that already exists at the vendor. */
  seed(papId: string, permission: Permission): void {
    this.paps.get(papId)?.push(permission);
  }

  protected rateLimitedBody(): unknown {
    return { status: 429, message: 'Too many requests', errorCode: 'E1029', details: null };
  }

  protected route(req: SimRequest): SimResponse {
    if (this.maintenance) return error(503, 'MAINT0001', 'The tenant is under maintenance');
    if (req.headers.authorization !== `TOKEN ${this.options.token}`) return error(401, 'E1001', 'Unauthorized: invalid token');
    const params = matchPath('/api/paps/:papId/permissions', req.path);
    if (!params) return error(404, 'E1000', `no route for ${req.method} ${req.path}`);
    const permissions = this.paps.get(params.papId);
    if (!permissions) return error(404, 'E1004', `Profile ${params.papId} does not exist`);
    if (req.method === 'GET') return this.list(params.papId, permissions, req);
    if (req.method === 'POST') return this.change(params.papId, permissions, req);
    return error(405, 'E1000', 'method not allowed');
  }

  private list(papId: string, permissions: Permission[], req: SimRequest): SimResponse {
    const page = Number(req.query.get('page'));
    const size = Number(req.query.get('size'));
    if (!req.query.has('page') || !req.query.has('size') || !Number.isInteger(page) || !Number.isInteger(size) || size < 1) {
      return error(400, 'E1000', 'page and size are mandatory integers');
    }
    const filter = req.query.get('filter') ?? '';
    let matching = permissions;
    if (filter) {
      const m = /^name (eq|co) "?(.*?)"?$/.exec(filter);
      if (!m) return error(400, 'E1000', `unsupported filter ${filter}: operators are eq and co`);
      matching = permissions.filter((p) => (m[1] === 'eq' ? p.name === m[2] : p.name.includes(m[2])));
    }
    const sorted = [...matching].sort((a, b) => a.name.localeCompare(b.name));
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

  private change(papId: string, permissions: Permission[], req: SimRequest): SimResponse {
    if (!contentTypeIs(req, 'application/json')) return error(415, 'E1000', 'Content-Type must be application/json');
    const body = req.body as { op?: unknown; permission?: { name?: unknown; type?: unknown } };
    if (req.body === INVALID_JSON || typeof body?.permission?.name !== 'string' || typeof body.permission.type !== 'string') {
      return error(400, 'E1000', 'body must be {"op": "add"|"remove", "permission": {"name", "type"}}');
    }
    const { name, type } = body.permission as Permission;
    if (!(this.options.types ?? ['role', 'group', 'policy', 'permission']).includes(type)) {
      return error(400, 'E1000', `Invalid permission type ${type}`);
    }
    const index = permissions.findIndex((p) => p.name === name && p.type === type);
    if (body.op === 'add') {
      if (index >= 0) return error(400, 'E1005', `Permission ${name} of type ${type} already exists on the profile`);
      permissions.push({ name, type });
      return { status: 200, body: { papId, name, type, description: null, checkStatus: 'Success', message: '' } };
    }
    if (body.op === 'remove') {
      if (index < 0) return error(400, 'E1004', `Permission ${name} of type ${type} does not exist on the profile`);
      permissions.splice(index, 1);
      return { status: 200, body: {} };
    }
    return error(400, 'E1000', `unknown op ${JSON.stringify(body.op)}`);
  }
}
