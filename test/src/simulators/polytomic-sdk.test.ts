/**
 * The official Polytomic TypeScript SDK (npm polytomic 1.18.1) against the simulator: what the vendor's own client
 * sends must be understood, and what the simulator answers must be what that client expects. What the SDK sends was
 * read from its source in node_modules: Authorization Bearer <token>, X-Polytomic-Version only when the `version`
 * option is set, PUT for update, no Idempotency-Key, Content-Type application/json only on requests with a body.
 */
import { Polytomic, PolytomicClient, PolytomicError } from 'polytomic';
import { POLYTOMIC_DOCUMENTED_ACTIONS, POLYTOMIC_SIM_ORG, POLYTOMIC_SIM_ROLES, POLYTOMIC_SIM_SYSTEM_ROLE, SIM_CREDENTIALS } from '../../../src/simulators';
import { RequestRecord } from '../../../src/simulators/sim-server';
import { call, expectProxyNotFound, useSimulators } from './raw-http';

const sims = useSimulators();
/** The version the official Terraform provider (v3) sends; the SDK sends none of its own. */
const VERSION = '2025-09-18';
const [ROLE_A, ROLE_B, ROLE_C] = POLYTOMIC_SIM_ROLES;

const sdk = (options: Partial<PolytomicClient.Options> = {}) =>
  new PolytomicClient({ token: SIM_CREDENTIALS.polytomicApiKey, environment: sims().polytomic.url, version: VERSION, ...options });
const headersOf = (record: RequestRecord) => sims().polytomic.requestHeaders(record)!;
/** Every documented action, each answered with no roles unless listed. */
const answered = (roles: Record<string, string[]>) => [...new Set([...POLYTOMIC_DOCUMENTED_ACTIONS, ...Object.keys(roles)])].sort()
  .map((action) => ({ action, role_ids: roles[action] ?? [] }));
const rejection = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected the SDK to throw'); }, (e: PolytomicError) => e);

test('the policy lifecycle through the SDK: create, list, get, update, remove, get after remove', async () => {
  const client = sdk();
  const everyAction = POLYTOMIC_DOCUMENTED_ACTIONS.map((action, i) => ({ action, role_ids: [POLYTOMIC_SIM_ROLES[i % 3]] }));

  const created = await client.permissions.policies.create({ name: 'Ops', policy_actions: everyAction });
  const id = created.data!.id!;
  expect(created.data).toEqual({
    id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Ops', organization_id: POLYTOMIC_SIM_ORG,
    policy_actions: everyAction.map((a) => ({ action: a.action, role_ids: a.role_ids })), system: false,
  });

  const listed = await client.permissions.policies.list();
  expect(listed.data!.map((p) => [p.name, p.system])).toEqual([['Admin', true], ['Ops', false]]);

  expect((await client.permissions.policies.get(id)).data).toEqual(created.data);

  // The update replaces the whole policy and keeps its id; actions not sent come back with no roles.
  const updated = await client.permissions.policies.update(id, { name: 'Sync operators', policy_actions: [{ action: 'trigger', role_ids: [ROLE_B] }] });
  expect(updated.data).toEqual({ ...created.data, name: 'Sync operators', policy_actions: answered({ trigger: [ROLE_B] }) });

  await expect(client.permissions.policies.remove(id)).resolves.toBeUndefined();
  const gone = await rejection(client.permissions.policies.get(id));
  expect(gone).toBeInstanceOf(Polytomic.NotFoundError);
  expect({ statusCode: gone.statusCode, body: gone.body })
    .toEqual({ statusCode: 404, body: { key: 'not_found', message: expect.any(String), metadata: {}, status: 404 } });

  const log = sims().polytomic.requests;
  expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
    'POST /api/permissions/policies 200',
    'GET /api/permissions/policies 200',
    `GET /api/permissions/policies/${id} 200`,
    `PUT /api/permissions/policies/${id} 200`,
    `DELETE /api/permissions/policies/${id} 204`,
    `GET /api/permissions/policies/${id} 404`,
  ]);
  for (const record of log) {
    expect(headersOf(record)).toMatchObject({
      authorization: `Bearer ${SIM_CREDENTIALS.polytomicApiKey}`, 'x-polytomic-version': VERSION, 'x-fern-sdk-name': 'polytomic', 'x-fern-sdk-version': '1.18.1',
    });
    expect(headersOf(record)['idempotency-key']).toBeUndefined();
    expect(headersOf(record)['content-type']).toBe(record.body ? 'application/json' : undefined);
  }
  expect(JSON.parse(log[3].body)).toEqual({ name: 'Sync operators', policy_actions: [{ action: 'trigger', role_ids: [ROLE_B] }] });
});

test('the SDK sends no X-Polytomic-Version unless told to; the header is required, so that request is a 400', async () => {
  const error = await rejection(sdk({ version: undefined }).permissions.policies.list());
  expect({ statusCode: error.statusCode, body: error.body })
    .toEqual({ statusCode: 400, body: { key: 'invalid_request', message: expect.stringContaining('X-Polytomic-Version'), metadata: {}, status: 400 } });
  expect(headersOf(sims().polytomic.requests[0])['x-polytomic-version']).toBeUndefined();
});

test('roles list: {data: [{id, name, organization_id, system}]} with a system role', async () => {
  const roles = await sdk().permissions.roles.list();
  expect(roles.data!.map((r) => r.id)).toEqual([...POLYTOMIC_SIM_ROLES, POLYTOMIC_SIM_SYSTEM_ROLE, '248df4b7-aa70-47b8-a036-33ac447e668d']);
  for (const role of roles.data!) expect(role).toEqual({ id: expect.any(String), name: expect.any(String), organization_id: POLYTOMIC_SIM_ORG, system: role.id === POLYTOMIC_SIM_SYSTEM_ROLE });
  expect(sims().polytomic.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/permissions/roles']);
});

test('actions are free strings: one the docs do not name is kept, role_ids may be left out', async () => {
  const created = await sdk().permissions.policies.create({ name: 'Custom', policy_actions: [{ action: 'run_query_runner', role_ids: [ROLE_C] }, { action: 'read' }] });
  expect(created.data!.policy_actions).toEqual(answered({ run_query_runner: [ROLE_C] }));
  expect(sims().polytomic.snapshot()).toEqual({ Custom: { id: created.data!.id, actions: { run_query_runner: [ROLE_C] } } });
});

test('errors reach the SDK as its typed errors with the documented bodies', async () => {
  const unknownRole = await rejection(sdk().permissions.policies.create({ name: 'Bad', policy_actions: [{ action: 'read', role_ids: ['00000000-0000-4000-8000-000000000000'] }] }));
  expect(unknownRole).toBeInstanceOf(Polytomic.BadRequestError);
  expect(unknownRole.body).toEqual({ key: expect.any(String), message: expect.stringContaining('00000000-0000-4000-8000-000000000000'), metadata: {}, status: 400 });

  const systemId = sims().polytomic.seedPolicy('Built in', { read: [ROLE_A] }, { system: true });
  const forbidden = await rejection(sdk().permissions.policies.remove(systemId));
  expect(forbidden).toBeInstanceOf(Polytomic.ForbiddenError);
  expect((forbidden.body as { status: number }).status).toBe(403);

  const unauthorized = await rejection(sdk({ token: 'wrong' }).permissions.policies.list());
  expect(unauthorized).toBeInstanceOf(Polytomic.UnauthorizedError);
  expect(unauthorized.body).toEqual({ code: 401, context: {}, error: expect.any(String), status: 401 });
  expect(sims().polytomic.snapshot()).toEqual({});
});

describe('beyond what the SDK sends', () => {
  const raw = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(`${sims().polytomic.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${SIM_CREDENTIALS.polytomicApiKey}`, 'X-Polytomic-Version': VERSION, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  test('doc page: PATCH replaces the whole policy too, with null policy_actions allowed', async () => {
    const id = sims().polytomic.seedPolicy('Ops', { read: [ROLE_A], query: [ROLE_B] });
    const answer = await raw('PATCH', `/api/permissions/policies/${id}`, { name: 'Ops', policy_actions: [{ action: 'read', role_ids: null }, { action: 'export', role_ids: [ROLE_C] }] });
    expect(answer.status).toBe(200);
    expect(answer.json.data).toMatchObject({ id, policy_actions: answered({ export: [ROLE_C] }) });
    expect((await raw('PATCH', `/api/permissions/policies/${id}`, { name: 'Ops', policy_actions: null })).json.data.policy_actions).toEqual(answered({}));
  });

  test('README: Basic base64("<organization id>:<deployment key>") is accepted', async () => {
    const basic = `Basic ${Buffer.from(`${POLYTOMIC_SIM_ORG}:${SIM_CREDENTIALS.polytomicApiKey}`).toString('base64')}`;
    expect((await raw('GET', '/api/permissions/policies', undefined, { Authorization: basic })).status).toBe(200);
  });

  test('README: an Idempotency-Key replays the first answer instead of creating twice', async () => {
    const key = { 'Idempotency-Key': 'create-ops-1' };
    const first = await raw('POST', '/api/permissions/policies', { name: 'Ops', policy_actions: [{ action: 'read', role_ids: [ROLE_A] }] }, key);
    const second = await raw('POST', '/api/permissions/policies', { name: 'Ops', policy_actions: [{ action: 'read', role_ids: [ROLE_A] }] }, key);
    expect(second.json).toEqual(first.json);
    expect(Object.keys(sims().polytomic.snapshot())).toEqual(['Ops']);
  });

  test('delete answers 204 with no body; an unknown id is 404 not_found', async () => {
    const id = sims().polytomic.seedPolicy('Ops', { read: [ROLE_A] });
    const deleted = await raw('DELETE', `/api/permissions/policies/${id}`);
    expect({ status: deleted.status, text: deleted.text }).toEqual({ status: 204, text: '' });
    const again = await raw('DELETE', `/api/permissions/policies/${id}`);
    expect({ status: again.status, json: again.json }).toEqual({ status: 404, json: { key: 'not_found', message: expect.any(String), metadata: {}, status: 404 } });
  });

  test('an unknown path is the proxy\'s HTML 404; a wrong method on a known one is the vendor\'s 405', async () => {
    expectProxyNotFound(await raw('GET', '/api/permissions/policy'));
    expectProxyNotFound(await raw('GET', '/api/permissions/roles/extra/path'));
    const wrong = await raw('DELETE', '/api/permissions/policies');
    expect({ status: wrong.status, status_in_body: wrong.json.status, allow: wrong.headers.get('allow') }).toEqual({ status: 405, status_in_body: 405, allow: 'GET, POST' });
  });

  test('admin hooks: seedPolicy, setPolicyActions, removePolicy show through the SDK', async () => {
    const id = sims().polytomic.seedPolicy('Ops', { read: [ROLE_A] });
    sims().polytomic.setPolicyActions(id, { sync_to: [ROLE_B], custom: [ROLE_C] });
    expect((await sdk().permissions.policies.get(id)).data!.policy_actions).toEqual(answered({ sync_to: [ROLE_B], custom: [ROLE_C] }));
    sims().polytomic.removePolicy(id);
    await expect(sdk().permissions.policies.get(id)).rejects.toBeInstanceOf(Polytomic.NotFoundError);
    expect(() => sims().polytomic.setPolicyActions(id, {})).toThrow(/does not exist/);
    expect(() => sims().polytomic.seedPolicy('Bad', { read: ['not-a-role'] })).toThrow(/not-a-role/);
  });
});
