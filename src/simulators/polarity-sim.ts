/** Polarity Server v5 simulator: integration permissions per group, JSON:API, 204 with no body on success. */
import { INVALID_JSON, SimRequest, SimResponse, SimulatorServer, contentTypeIs, matchPath } from './sim-server';

const JSON_API = 'application/vnd.api+json';

export interface PolaritySimOptions {
  readonly token: string;
  /** Integrations that exist; permissions can only be set on these. */
  readonly integrations?: string[];
  /** Users for POST /api/users/login: identification -> password. */
  readonly users?: Record<string, string>;
}

function errors(status: number, title: string, detail: string): SimResponse {
  return { status, contentType: JSON_API, body: { errors: [{ status: String(status), title, detail }] } };
}

export class PolaritySimulator extends SimulatorServer {
  /** integration id -> group id -> permissions */
  private grants = new Map<string, Map<string, string[]>>();
  private sessions = new Set<string>();

  constructor(private readonly options: PolaritySimOptions) {
    super('polarity');
    this.reset();
  }

  reset(): void {
    this.grants = new Map((this.options.integrations ?? ['virustotal', 'shodan', 'urlscan']).map((id) => [id, new Map()]));
    this.sessions.clear();
  }

  snapshot(): Record<string, Record<string, string[]>> {
    const out: Record<string, Record<string, string[]>> = {};
    for (const [integration, groups] of this.grants) {
      if (groups.size > 0) out[integration] = Object.fromEntries([...groups].sort());
    }
    return out;
  }

  /** For tests that start from a grant that already exists at the vendor. */
  seed(integrationId: string, groupId: string, permissions: string[]): void {
    this.grants.get(integrationId)?.set(groupId, [...permissions].sort());
  }

  protected rateLimitedBody(): unknown {
    return { errors: [{ status: '429', title: 'Too Many Requests', detail: 'rate limit exceeded' }] };
  }

  private authorized(req: SimRequest): boolean {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : undefined;
    return token === this.options.token || (token !== undefined && this.sessions.has(token));
  }

  protected route(req: SimRequest): SimResponse {
    if (req.method === 'POST' && req.path === '/api/users/login') return this.login(req);
    if (!this.authorized(req)) return errors(401, 'Unauthorized', 'missing or invalid bearer token');

    if (req.method === 'GET' && req.path === '/api/integrations') {
      const size = Number(req.query.get('page[size]') ?? 10);
      const number = Number(req.query.get('page[number]') ?? 1);
      const ids = [...this.grants.keys()];
      const page = ids.slice((number - 1) * size, number * size);
      return { status: 200, contentType: JSON_API, body: { data: page.map((id) => ({ type: 'integrations', id })), meta: { total: ids.length } } };
    }
    let params = matchPath('/api/integrations/:id/permissions', req.path);
    if (params && req.method === 'POST') return this.setPermissions(params.id, req);
    params = matchPath('/api/integrations/:id/relationships/permissions', req.path);
    if (params && req.method === 'DELETE') return this.removePermissions(params.id, req);
    return errors(404, 'Not Found', `no route for ${req.method} ${req.path}`);
  }

  private login(req: SimRequest): SimResponse {
    if (!contentTypeIs(req, JSON_API)) return errors(415, 'Unsupported Media Type', `expected ${JSON_API}`);
    const body = req.body as { identification?: unknown; password?: unknown };
    if (req.body === INVALID_JSON || typeof body?.identification !== 'string' || typeof body.password !== 'string') {
      return errors(400, 'Bad Request', 'identification and password are required');
    }
    if (this.options.users?.[body.identification] !== body.password) return errors(401, 'Unauthorized', 'invalid credentials');
    const token = `session-${this.sessions.size + 1}-${Date.now()}`;
    this.sessions.add(token);
    return { status: 200, contentType: JSON_API, body: { data: { token, expiration_time: Math.floor(Date.now() / 1000) + 3600 } } };
  }

  private setPermissions(integrationId: string, req: SimRequest): SimResponse {
    if (!contentTypeIs(req, JSON_API)) return errors(415, 'Unsupported Media Type', `expected Content-Type ${JSON_API}`);
    const groups = this.grants.get(integrationId);
    if (!groups) return errors(404, 'Not Found', `integration ${integrationId} does not exist`);
    const data = (req.body as { data?: unknown })?.data;
    if (req.body === INVALID_JSON || !Array.isArray(data) || data.length === 0) {
      return errors(400, 'Bad Request', 'body must be {"data": [permission, ...]}');
    }
    const updates: Array<[string, string[]]> = [];
    for (const item of data as Array<Record<string, any>>) {
      const permissions = item?.attributes?.permissions;
      const group = item?.relationships?.group?.data;
      const integration = item?.relationships?.integration?.data;
      if (item?.type !== 'permissions') return errors(400, 'Bad Request', 'data[].type must be "permissions"');
      if (!Array.isArray(permissions) || permissions.length === 0) {
        return errors(400, 'Bad Request', 'at least one permission must be specified');
      }
      if (permissions.some((p) => p !== 'read' && p !== 'admin')) {
        return errors(400, 'Bad Request', `invalid permission in ${JSON.stringify(permissions)}: valid values are read and admin`);
      }
      if (group?.type !== 'groups' || typeof group.id !== 'string' || !/^\d+$/.test(group.id)) {
        return errors(400, 'Bad Request', 'relationships.group.data must be {"type": "groups", "id": "<numeric id>"}');
      }
      if (integration?.type !== 'integrations' || integration.id !== integrationId) {
        return errors(400, 'Bad Request', 'relationships.integration.data.id must match the integration in the path');
      }
      updates.push([group.id, [...new Set<string>(permissions)].sort()]);
    }
    // The POST replaces each listed group's permission set.
    for (const [group, permissions] of updates) groups.set(group, permissions);
    return { status: 204 };
  }

  private removePermissions(integrationId: string, req: SimRequest): SimResponse {
    if (!contentTypeIs(req, JSON_API)) return errors(415, 'Unsupported Media Type', `expected Content-Type ${JSON_API}`);
    const groups = this.grants.get(integrationId);
    if (!groups) return errors(404, 'Not Found', `integration ${integrationId} does not exist`);
    const data = (req.body as { data?: unknown })?.data;
    if (!Array.isArray(data) || data.length === 0) return errors(400, 'Bad Request', 'body must be {"data": [{"type": "permissions", "id": ...}]}');
    const groupIds: string[] = [];
    for (const item of data as Array<Record<string, any>>) {
      const match = /^integration:(.+):(\d+)$/.exec(String(item?.id ?? ''));
      if (item?.type !== 'permissions' || !match || match[1] !== integrationId) {
        return errors(400, 'Bad Request', 'permission id must be "integration:<INTEGRATION_ID>:<GROUP_ID>"');
      }
      groupIds.push(match[2]);
    }
    if (!groupIds.some((g) => groups.has(g))) return errors(404, 'Not Found', 'no such permission');
    for (const g of groupIds) groups.delete(g);
    return { status: 204 };
  }
}
