/**
 * Polarity Server v5 simulator: integration permissions per group, JSON:API, 204 with no body on success. The read
 * endpoints follow JSON:API conventions; no public page documents them (see the vendor-docs README). Lists are paged
 * with `page[size]` / `page[number]` (default 100) and carry `meta.page.total`, as the integration list is documented.
 * Alternative mode (undocumented): lists carry no `links`, the permissions read pages 2 at a time, and removing a
 * group that holds nothing answers 204, JSON:API's success for a member already absent.
 */
import {
  INVALID_JSON, RouteTable, SimRequest, SimResponse, SimulatorServer, contentTypeIs, notFoundPage, resolveRoute,
} from './sim-server';

const JSON_API = 'application/vnd.api+json';

export interface PolaritySimOptions {
  readonly token: string;
  /** Integrations that exist; permissions can only be set on these. */
  readonly integrations?: string[];
  /** Group ids that exist (numeric strings); default '1' ("All Polarity Users") to '20'. */
  readonly groups?: string[];
  /** Users for POST /api/users/login: identification -> password. */
  readonly users?: Record<string, string>;
}

function errors(status: number, title: string, detail: string, headers?: Record<string, string>): SimResponse {
  return { status, contentType: JSON_API, headers, body: { errors: [{ status: String(status), title, detail }] } };
}

const ok = (body: unknown): SimResponse => ({ status: 200, contentType: JSON_API, body });

/** The server stores what a permission set implies: admin always comes with read. */
function implied(permissions: string[]): string[] {
  const set = new Set(permissions);
  if (set.has('admin')) set.add('read');
  return [...set].sort();
}

const byNumber = (a: string, b: string) => Number(a) - Number(b) || a.localeCompare(b);

export class PolaritySimulator extends SimulatorServer {
  /** integration id -> group id -> permissions */
  private grants = new Map<string, Map<string, string[]>>();
  private groups = new Set<string>();
  private sessions = new Set<string>();

  private readonly routes: RouteTable = {
    '/api/integrations': { GET: (req) => this.listIntegrations(req) },
    '/api/integrations/:id': { GET: (_req, p) => this.integration(p.id) },
    '/api/integrations/:id/permissions': {
      GET: (req, p) => this.readPermissions(p.id, req),
      POST: (req, p) => this.setPermissions(p.id, req),
    },
    '/api/integrations/:id/relationships/permissions': {
      GET: (_req, p) => this.readLinkage(p.id),
      DELETE: (req, p) => this.removePermissions(p.id, req),
    },
  };

  protected readonly hooks = ['seed', 'removeGrant', 'addIntegration', 'removeIntegration', 'addGroup', 'removeGroup'];

  constructor(private readonly options: PolaritySimOptions) {
    super('polarity');
    this.reset();
  }

  reset(): void {
    this.grants = new Map((this.options.integrations ?? ['virustotal', 'shodan', 'urlscan']).map((id) => [id, new Map()]));
    this.groups = new Set(this.options.groups ?? Array.from({ length: 20 }, (_, i) => String(i + 1)));
    this.sessions.clear();
  }

  snapshot(): Record<string, Record<string, string[]>> {
    const out: Record<string, Record<string, string[]>> = {};
    for (const [integration, groups] of this.grants) {
      if (groups.size > 0) out[integration] = Object.fromEntries([...groups].sort());
    }
    return out;
  }

  // Hooks that change what the server holds as an admin would in Polarity's UI. Each throws when the object it names
  // is not in the state it expects, so a drift test cannot silently set up nothing.

  seed(integrationId: string, groupId: string, permissions: string[]): void {
    this.groupsOf(integrationId).set(this.knownGroup(groupId), implied(permissions));
  }

  removeGrant(integrationId: string, groupId: string): void {
    if (!this.groupsOf(integrationId).delete(groupId)) throw new Error(`polarity sim: group ${groupId} holds nothing on ${integrationId}`);
  }

  addIntegration(id: string): void {
    if (this.grants.has(id)) throw new Error(`polarity sim: integration ${id} already exists`);
    this.grants.set(id, new Map());
  }

  /** Removes the integration and every grant on it. */
  removeIntegration(id: string): void {
    if (!this.grants.delete(id)) throw new Error(`polarity sim: integration ${id} does not exist`);
  }

  addGroup(id: string): void {
    if (!/^\d+$/.test(id)) throw new Error(`polarity sim: group ids are numeric, got ${id}`);
    if (this.groups.has(id)) throw new Error(`polarity sim: group ${id} already exists`);
    this.groups.add(id);
  }

  /** Removes the group and what it held on every integration. */
  removeGroup(id: string): void {
    this.groups.delete(this.knownGroup(id));
    for (const groups of this.grants.values()) groups.delete(id);
  }

  private groupsOf(integrationId: string): Map<string, string[]> {
    const groups = this.grants.get(integrationId);
    if (!groups) throw new Error(`polarity sim: integration ${integrationId} does not exist`);
    return groups;
  }

  private knownGroup(id: string): string {
    if (!this.groups.has(id)) throw new Error(`polarity sim: group ${id} does not exist`);
    return id;
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
    // Login is the one route that needs no token.
    if (req.path === '/api/users/login') {
      return req.method === 'POST' ? this.login(req) : errors(405, 'Method Not Allowed', `${req.method} ${req.path}`, { Allow: 'POST' });
    }
    const route = resolveRoute(this.routes, req);
    if (!route) return notFoundPage();
    if (!this.authorized(req)) return errors(401, 'Unauthorized', 'missing or invalid bearer token');
    if (!route.handler) return errors(405, 'Method Not Allowed', `${req.method} ${req.path}`, { Allow: route.allow });
    return route.handler(req, route.params);
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
    return ok({ data: { token, expiration_time: Math.floor(Date.now() / 1000) + 3600 } });
  }

  private listIntegrations(req: SimRequest): SimResponse {
    const ids = [...this.grants.keys()].sort();
    return this.paged(req, '/api/integrations', ids.map((id) => this.integrationResource(id)), 100);
  }

  /** One page of a list: `meta.page.total` always, `links.next` while more remain unless in alternative mode. */
  private paged(req: SimRequest, path: string, items: unknown[], defaultSize: number): SimResponse {
    const size = Number(req.query.get('page[size]') ?? defaultSize);
    const number = Number(req.query.get('page[number]') ?? 1);
    if (!Number.isInteger(size) || size < 1 || !Number.isInteger(number) || number < 1) {
      return errors(400, 'Bad Request', 'page[size] and page[number] must be positive integers (pages start at 1)');
    }
    const body: Record<string, unknown> = { data: items.slice((number - 1) * size, number * size), meta: { page: { total: items.length } } };
    if (!this.alternative && number * size < items.length) body.links = { next: `${path}?page[size]=${size}&page[number]=${number + 1}` };
    return ok(body);
  }

  private integrationResource(id: string) {
    return { type: 'integrations', id, attributes: { name: id } };
  }

  private integration(id: string): SimResponse {
    if (!this.grants.has(id)) return errors(404, 'Not Found', `integration ${id} does not exist`);
    return ok({ data: this.integrationResource(id) });
  }

  private readPermissions(integrationId: string, req: SimRequest): SimResponse {
    const groups = this.grants.get(integrationId);
    if (!groups) return errors(404, 'Not Found', `integration ${integrationId} does not exist`);
    const path = `/api/integrations/${encodeURIComponent(integrationId)}/permissions`;
    const data = [...groups.keys()].sort(byNumber).map((group) => ({
      type: 'permissions',
      id: `integration:${integrationId}:${group}`,
      attributes: { permissions: groups.get(group) },
      relationships: {
        group: { data: { type: 'groups', id: group } },
        integration: { data: { type: 'integrations', id: integrationId } },
      },
    }));
    return this.paged(req, path, data, this.alternative ? 2 : 100);
  }

  private readLinkage(integrationId: string): SimResponse {
    const groups = this.grants.get(integrationId);
    if (!groups) return errors(404, 'Not Found', `integration ${integrationId} does not exist`);
    return ok({ data: [...groups.keys()].sort(byNumber).map((group) => ({ type: 'permissions', id: `integration:${integrationId}:${group}` })) });
  }

  private setPermissions(integrationId: string, req: SimRequest): SimResponse {
    if (!contentTypeIs(req, JSON_API)) return errors(415, 'Unsupported Media Type', `expected Content-Type ${JSON_API}`);
    const groups = this.grants.get(integrationId);
    if (!groups) return errors(404, 'Not Found', `integration ${integrationId} does not exist`);
    const data = (req.body as { data?: unknown })?.data;
    if (req.body === INVALID_JSON || !Array.isArray(data) || data.length === 0) {
      return errors(400, 'Bad Request', 'body must be {"data": [permission, ...]}');
    }
    // Every item is checked before any is applied: a POST naming several groups changes all of them or none.
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
      if (!this.groups.has(group.id)) return errors(404, 'Not Found', `group ${group.id} does not exist`);
      updates.push([group.id, implied(permissions)]);
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
    if (!groupIds.some((g) => groups.has(g)) && !this.alternative) return errors(404, 'Not Found', 'no such permission');
    for (const g of groupIds) groups.delete(g);
    return { status: 204 };
  }
}
