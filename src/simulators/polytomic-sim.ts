/**
 * Polytomic simulator: permissions policies wrapped in {data}, every action answered, idempotency keys honoured as
 * the vendor's guide "Idempotent requests" describes them: the first answer a key gets (an error, a 500 included) is
 * the answer every later request with that key gets, whatever its method, path or body; a request whose key is still
 * in flight gets 409 Conflict; a key is 8 to 255 letters, digits, dashes and underscores. Alternative mode: a policy
 * is updated only with PATCH (the seed page's verb); PUT answers 405.
 */
import { randomUUID } from 'crypto';
import {
  INVALID_JSON, RouteTable, SimRequest, SimResponse, SimulatorServer, contentTypeIs, notFoundPage, resolveRoute,
} from './sim-server';

export interface PolytomicSimRole {
  readonly id: string;
  readonly name: string;
  readonly system?: boolean;
}

export interface PolytomicSimOptions {
  readonly apiKey: string;
  readonly organizationId?: string;
  /** Roles that exist; policy actions may only name these. Default: POLYTOMIC_SIM_ROLES and one system role. */
  readonly roles?: PolytomicSimRole[];
}

interface PolicyAction { action: string; role_ids: string[] }
interface Policy { id: string; name: string; organization_id: string; policy_actions: PolicyAction[]; system: boolean }

/**
 * The actions the vendor's docs name. An action is a free string for the API; these are the ones it answers in
 * every policy, with no roles when they were not sent.
 */
export const POLYTOMIC_DOCUMENTED_ACTIONS = [
  'apply_policy', 'create', 'delete', 'edit', 'export', 'modify_policy', 'query', 'read', 'sync_to', 'trigger',
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const POLYTOMIC_SIM_ORG = '0b7f1d2c-3e4a-4b5c-8d6e-7f8091a2b3c4';
export const POLYTOMIC_SIM_ROLES = ['6c1a2b3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d', '7d2b3c4e-5f60-4b7c-8d9e-0f1a2b3c4d5e', '8e3c4d5f-6071-4c8d-9eaf-1a2b3c4d5e6f'];
export const POLYTOMIC_SIM_SYSTEM_ROLE = '9f4d5e60-7182-4d9e-8fb0-2b3c4d5e6f70';
export const POLYTOMIC_SIM_DEFAULT_ROLES: PolytomicSimRole[] = [
  ...POLYTOMIC_SIM_ROLES.map((id, i) => ({ id, name: ['Analysts', 'Engineers', 'Operators'][i] })),
  { id: POLYTOMIC_SIM_SYSTEM_ROLE, name: 'Admin', system: true },
];

/** The Idempotency-Key as sent, or undefined when none is; stored per credential, as keys belong to an account. */
function idempotencyKey(req: SimRequest): string | undefined {
  const key = req.headers['idempotency-key'];
  return typeof key === 'string' ? key : undefined;
}
const storedKey = (req: SimRequest, key: string) => `${req.headers.authorization ?? ''} ${key}`;

function error(status: number, message: string, key = 'invalid_request'): SimResponse {
  return { status, body: { key, message, metadata: {}, status } };
}

export class PolytomicSimulator extends SimulatorServer {
  private policies = new Map<string, Policy>();
  /** Idempotency key -> the first answer it got. */
  private idempotent = new Map<string, SimResponse>();
  /** Keys whose first request has not been answered yet. */
  private readonly inFlight = new Set<string>();

  private readonly routes: RouteTable = {
    '/api/permissions/policies': {
      GET: () => ({ status: 200, body: { data: [...this.policies.values()] } }),
      POST: (req) => this.write(req, undefined),
    },
    '/api/permissions/policies/:id': {
      GET: (_req, p) => this.withPolicy(p.id, (policy) => ({ status: 200, body: { data: policy } })),
      // The doc page shows PATCH, every current official client sends PUT; both carry the whole policy.
      PATCH: (req, p) => this.withPolicy(p.id, (policy) => this.write(req, policy)),
      PUT: (req, p) => this.withPolicy(p.id, (policy) => this.write(req, policy)),
      DELETE: (_req, p) => this.withPolicy(p.id, (policy) => this.remove(policy)),
    },
    '/api/permissions/roles': {
      GET: () => ({ status: 200, body: { data: this.roles.map((r) => ({ id: r.id, name: r.name, organization_id: this.org, system: r.system ?? false })) } }),
    },
  };

  protected readonly hooks = ['seedPolicy', 'setPolicyActions', 'removePolicy'];

  constructor(private readonly options: PolytomicSimOptions) {
    super('polytomic');
    this.reset();
  }

  private get org(): string {
    return this.options.organizationId ?? POLYTOMIC_SIM_ORG;
  }

  private get roles(): PolytomicSimRole[] {
    return this.options.roles ?? POLYTOMIC_SIM_DEFAULT_ROLES;
  }

  reset(): void {
    this.idempotent.clear();
    this.inFlight.clear();
    const builtIn: Policy = { id: randomUUID(), name: 'Admin', organization_id: this.org, policy_actions: this.answered([]), system: true };
    this.policies = new Map([[builtIn.id, builtIn]]);
  }

  snapshot(): Record<string, { id: string; actions: Record<string, string[]> }> {
    const out: Record<string, { id: string; actions: Record<string, string[]> }> = {};
    for (const p of this.policies.values()) {
      if (p.system) continue;
      out[p.name] = { id: p.id, actions: Object.fromEntries(p.policy_actions.filter((a) => a.role_ids.length > 0).map((a) => [a.action, a.role_ids])) };
    }
    return out;
  }

  // Hooks that change the organization as an admin would in Polytomic's UI. Each throws when what it names does not
  // exist, so a drift test cannot silently set up nothing. Actions are given as action -> role ids.

  seedPolicy(name: string, actions: Record<string, string[]>, options: { system?: boolean } = {}): string {
    const policy: Policy = { id: randomUUID(), name, organization_id: this.org, policy_actions: this.hookActions(actions), system: options.system ?? false };
    this.policies.set(policy.id, policy);
    return policy.id;
  }

  setPolicyActions(id: string, actions: Record<string, string[]>): void {
    // A new object, not a mutation: a response kept for an Idempotency-Key replay must still say what it said.
    this.policies.set(id, { ...this.hookPolicy(id), policy_actions: this.hookActions(actions) });
  }

  removePolicy(id: string): void {
    this.policies.delete(this.hookPolicy(id).id);
  }

  private hookPolicy(id: string): Policy {
    const policy = this.policies.get(id);
    if (!policy) throw new Error(`polytomic sim: policy ${id} does not exist`);
    return policy;
  }

  private hookActions(actions: Record<string, string[]>): PolicyAction[] {
    const requested = Object.entries(actions).map(([action, role_ids]) => ({ action, role_ids }));
    const unknown = requested.flatMap((a) => a.role_ids).find((r) => !this.roles.some((role) => role.id === r));
    if (unknown !== undefined) throw new Error(`polytomic sim: role ${unknown} does not exist`);
    return this.answered(requested);
  }

  /** What the server holds and answers: every documented action plus every one sent, roles sorted and unique. */
  private answered(requested: PolicyAction[]): PolicyAction[] {
    const roles = new Map<string, Set<string>>(POLYTOMIC_DOCUMENTED_ACTIONS.map((a) => [a, new Set()]));
    for (const { action, role_ids } of requested) {
      const set = roles.get(action) ?? new Set();
      for (const r of role_ids) set.add(r);
      roles.set(action, set);
    }
    return [...roles].sort(([a], [b]) => a.localeCompare(b)).map(([action, set]) => ({ action, role_ids: [...set].sort() }));
  }

  protected rateLimitedBody(): unknown {
    return { key: 'rate_limited', message: 'rate limit exceeded', metadata: {}, status: 429 };
  }

  protected route(req: SimRequest): SimResponse {
    const route = resolveRoute(this.routes, req);
    if (!route) return notFoundPage();
    const auth = req.headers.authorization ?? '';
    const basic = `Basic ${Buffer.from(`${this.org}:${this.options.apiKey}`).toString('base64')}`;
    if (auth !== `Bearer ${this.options.apiKey}` && auth !== basic) {
      return { status: 401, body: { code: 401, context: {}, error: 'unauthorized: invalid API key', status: 401 } };
    }
    if (!req.headers['x-polytomic-version']) return error(400, 'the X-Polytomic-Version header is required');
    if (!route.handler) return { ...error(405, `method ${req.method} not allowed`, 'method_not_allowed'), headers: { Allow: route.allow } };
    // Alternative: a server of the seed page's API versions, which update only with PATCH.
    if (this.alternative && req.method === 'PUT') return { ...error(405, 'method PUT not allowed', 'method_not_allowed'), headers: { Allow: 'GET, PATCH, DELETE' } };
    return route.handler(req, route.params);
  }

  protected admit(req: SimRequest): SimResponse | undefined {
    const key = idempotencyKey(req);
    if (key === undefined) return undefined;
    if (!/^[A-Za-z0-9_-]{8,255}$/.test(key)) return error(400, 'Idempotency-Key must be 8 to 255 letters, digits, dashes or underscores');
    const stored = this.idempotent.get(storedKey(req, key));
    if (stored) return stored;
    if (this.inFlight.has(storedKey(req, key))) return error(409, 'a request with this Idempotency-Key is in progress', 'conflict');
    this.inFlight.add(storedKey(req, key));
    return undefined;
  }

  protected settle(req: SimRequest, answer: SimResponse | undefined): void {
    const key = idempotencyKey(req);
    if (key === undefined) return;
    this.inFlight.delete(storedKey(req, key));
    // A rate limiter answers before the request is processed: nothing is recorded for the key.
    if (answer && answer.status !== 429) this.idempotent.set(storedKey(req, key), answer);
  }

  private withPolicy(id: string, then: (policy: Policy) => SimResponse): SimResponse {
    if (!UUID.test(id)) return error(400, `id ${id} is not a uuid`);
    const policy = this.policies.get(id);
    return policy ? then(policy) : error(404, `policy ${id} not found`, 'not_found');
  }

  private remove(policy: Policy): SimResponse {
    if (policy.system) return error(403, 'system policies cannot be deleted', 'forbidden');
    this.policies.delete(policy.id);
    return { status: 204 };
  }

  private write(req: SimRequest, existing: Policy | undefined): SimResponse {
    if (!contentTypeIs(req, 'application/json')) return error(415, 'Content-Type must be application/json');
    const body = req.body as { name?: unknown; policy_actions?: unknown; organization_id?: unknown };
    if (req.body === INVALID_JSON || typeof body !== 'object' || body === null || Array.isArray(body)) return error(400, 'body must be a JSON object');
    if (typeof body.name !== 'string' || body.name.trim() === '') return error(400, 'name is required');
    if (body.organization_id !== undefined && body.organization_id !== null && body.organization_id !== this.org) {
      return error(403, `organization ${String(body.organization_id)} is not accessible with this key`, 'forbidden');
    }
    // Every official client types policy_actions and role_ids as optional; missing and null both mean none.
    if (body.policy_actions !== undefined && body.policy_actions !== null && !Array.isArray(body.policy_actions)) {
      return error(400, 'policy_actions must be a list');
    }
    const requested: PolicyAction[] = [];
    for (const a of (body.policy_actions ?? []) as Array<{ action?: unknown; role_ids?: unknown }>) {
      if (typeof a?.action !== 'string' || a.action.trim() === '') return error(400, 'policy_actions[].action must be a non-empty string');
      const roles = a.role_ids ?? [];
      if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) return error(400, 'role_ids must be a list of role ids');
      const unknown = roles.find((r) => !this.roles.some((role) => role.id === r));
      if (unknown !== undefined) return error(400, `role ${JSON.stringify(unknown)} not found`);
      requested.push({ action: a.action, role_ids: roles as string[] });
    }
    if (existing?.system) return error(403, 'system policies cannot be changed', 'forbidden');
    const policy: Policy = {
      id: existing?.id ?? randomUUID(), name: body.name, organization_id: this.org, policy_actions: this.answered(requested), system: false,
    };
    this.policies.set(policy.id, policy);
    return { status: 200, body: { data: policy } };
  }
}
