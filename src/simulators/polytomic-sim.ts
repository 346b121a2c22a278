/** Polytomic simulator: permissions policies wrapped in {data}, every action answered, idempotency keys honoured. */
import { randomUUID } from 'crypto';
import { POLYTOMIC_ACTIONS } from '../contract';
import { INVALID_JSON, SimRequest, SimResponse, SimulatorServer, contentTypeIs, matchPath } from './sim-server';

export interface PolytomicSimOptions {
  readonly apiKey: string;
  readonly organizationId?: string;
  /** Role ids that exist; policy actions may only name these. */
  readonly roleIds?: string[];
}

interface Policy {
  id: string; name: string; organization_id: string; policy_actions: Array<{ action: string; role_ids: string[] }>; system: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const POLYTOMIC_SIM_ORG = '0b7f1d2c-3e4a-4b5c-8d6e-7f8091a2b3c4';
export const POLYTOMIC_SIM_ROLES = ['6c1a2b3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d', '7d2b3c4e-5f60-4b7c-8d9e-0f1a2b3c4d5e', '8e3c4d5f-6071-4c8d-9eaf-1a2b3c4d5e6f'];

function error(status: number, message: string, key = 'invalid_request'): SimResponse {
  return { status, body: { key, message, metadata: {}, status } };
}

export class PolytomicSimulator extends SimulatorServer {
  private policies = new Map<string, Policy>();
  private idempotent = new Map<string, SimResponse>();

  constructor(private readonly options: PolytomicSimOptions) {
    super('polytomic');
    this.reset();
  }

  private get org(): string {
    return this.options.organizationId ?? POLYTOMIC_SIM_ORG;
  }

  reset(): void {
    this.idempotent.clear();
    const builtIn: Policy = { id: randomUUID(), name: 'Admin', organization_id: this.org, policy_actions: this.allActions([]), system: true };
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

  protected rateLimitedBody(): unknown {
    return { key: 'rate_limited', message: 'rate limit exceeded', metadata: {}, status: 429 };
  }

  private allActions(requested: Array<{ action: string; role_ids: string[] }>): Policy['policy_actions'] {
    return POLYTOMIC_ACTIONS.map((action) => ({
      action, role_ids: [...(requested.find((r) => r.action === action)?.role_ids ?? [])].sort(),
    }));
  }

  protected route(req: SimRequest): SimResponse {
    const auth = req.headers.authorization ?? '';
    const basic = `Basic ${Buffer.from(`${this.org}:${this.options.apiKey}`).toString('base64')}`;
    if (auth !== `Bearer ${this.options.apiKey}` && auth !== basic) {
      return { status: 401, body: { code: 401, context: {}, error: 'unauthorized: invalid API key', status: 401 } };
    }
    if (!req.headers['x-polytomic-version']) return error(400, 'the X-Polytomic-Version header is required');
    const key = req.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' && req.method !== 'GET' ? `${req.method} ${req.path} ${key}` : undefined;
    if (idempotencyKey && this.idempotent.has(idempotencyKey)) return this.idempotent.get(idempotencyKey)!;
    const response = this.dispatch(req);
    if (idempotencyKey && response.status < 500) this.idempotent.set(idempotencyKey, response);
    return response;
  }

  private dispatch(req: SimRequest): SimResponse {
    if (req.path === '/api/permissions/policies') {
      if (req.method === 'GET') return { status: 200, body: { data: [...this.policies.values()] } };
      if (req.method === 'POST') return this.write(req, undefined);
      return error(405, 'method not allowed');
    }
    const params = matchPath('/api/permissions/policies/:id', req.path);
    if (!params) return error(404, `no route for ${req.method} ${req.path}`, 'not_found');
    if (!UUID.test(params.id)) return error(400, `id ${params.id} is not a uuid`);
    const policy = this.policies.get(params.id);
    if (!policy) return error(404, `policy ${params.id} not found`, 'not_found');
    switch (req.method) {
      case 'GET': return { status: 200, body: { data: policy } };
      case 'PATCH':
      case 'PUT': return this.write(req, policy);
      case 'DELETE':
        if (policy.system) return error(403, 'system policies cannot be deleted', 'forbidden');
        this.policies.delete(policy.id);
        return { status: 204 };
      default: return error(405, 'method not allowed');
    }
  }

  private write(req: SimRequest, existing: Policy | undefined): SimResponse {
    if (!contentTypeIs(req, 'application/json')) return error(415, 'Content-Type must be application/json');
    const body = req.body as { name?: unknown; policy_actions?: unknown; organization_id?: unknown };
    if (req.body === INVALID_JSON || typeof body !== 'object' || body === null) return error(400, 'body must be a JSON object');
    if (typeof body.name !== 'string' || body.name.trim() === '') return error(400, 'name is required');
    if (body.organization_id !== undefined && body.organization_id !== null && body.organization_id !== this.org) {
      return error(403, `organization ${String(body.organization_id)} is not accessible with this key`, 'forbidden');
    }
    if (!Array.isArray(body.policy_actions) && body.policy_actions !== null) return error(400, 'policy_actions is required');
    const actions = (body.policy_actions ?? []) as Array<{ action?: unknown; role_ids?: unknown }>;
    for (const a of actions) {
      if (!POLYTOMIC_ACTIONS.includes(a.action as never)) return error(400, `unknown action ${JSON.stringify(a.action)}`);
      const roles = a.role_ids ?? [];
      if (!Array.isArray(roles)) return error(400, 'role_ids must be a list');
      const unknown = roles.find((r) => !(this.options.roleIds ?? POLYTOMIC_SIM_ROLES).includes(r as string));
      if (unknown !== undefined) return error(400, `role ${JSON.stringify(unknown)} not found`);
    }
    if (existing?.system) return error(403, 'system policies cannot be changed', 'forbidden');
    const policy: Policy = {
      id: existing?.id ?? randomUUID(), name: body.name, organization_id: this.org,
      policy_actions: this.allActions(actions as Policy['policy_actions']), system: false,
    };
    this.policies.set(policy.id, policy);
    return { status: 200, body: { data: policy } };
  }
}
