/**
 * The Polytomic client against a simulator that keeps idempotency keys as Polytomic's guide "Idempotent requests"
 * says: a key's first answer (a 500 included) is every later answer for it, a key in flight answers 409, and GET and
 * DELETE carry none. Also two runs creating the same policy name at once.
 */
import { DEFAULT_CONNECTIONS } from '../../src/contract';
import { runTask } from '../../src/handler';
import { FAST_HTTP as http_, grantTask } from './grant-task';
import { POLYTOMIC_SIM_ROLES, Simulators, startSimulators } from '../../src/simulators';
import { polytomic } from '../../src/vendors/polytomic';
import { openSession } from '../../src/vendors/session';

let sims: Simulators;
beforeAll(async () => { sims = await startSimulators(); });
afterAll(async () => { await sims.stop(); });
beforeEach(() => { sims.polytomic.reset(); sims.polytomic.clearFaults(); sims.polytomic.requests.length = 0; });

const [roleA, roleB] = POLYTOMIC_SIM_ROLES;
const policy = { name: 'Ops', organizationId: null, policyActions: [{ action: 'read', roleIds: [roleA] }] };
const run = (op: 'apply' | 'revoke', resource: object = policy, settings = http_) => runTask(grantTask('polytomic', op, resource, settings), sims.env, []);
const keyOf = (method: string) => sims.polytomic.calls({ method }).map((r) => sims.polytomic.requestHeaders(r)!['idempotency-key']);
const polytomicError = (status: number) => ({ key: 'internal', message: 'internal error', metadata: {}, status });
/** Every policy named `name` the vendor holds (the snapshot keys by name, so it would hide a duplicate). */
async function policiesNamed(name: string) {
  const session = await openSession(polytomic, DEFAULT_CONNECTIONS.polytomic, http_, sims.env, []);
  const read = await polytomic.read({}, session);
  return read.exists ? read.held.filter((p) => p.name === name) : [];
}

describe('idempotency keys as the guide documents them', () => {
  test('a create answered 500 is tried again with a fresh key, not served the stored 500', async () => {
    sims.polytomic.injectFault({ kind: 'status', status: 500, method: 'POST', count: 1, body: polytomicError(500) });
    await expect(run('apply')).resolves.toMatch(/^polytomic: created policy "Ops" with id /);
    const [first, second] = keyOf('POST');
    expect(sims.polytomic.calls({ method: 'POST' }).map((r) => r.status)).toEqual([500, 200]);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
    expect(await policiesNamed('Ops')).toHaveLength(1);
  });

  test('a create whose answer was lost is asked again with the same key and served the stored answer: one policy', async () => {
    sims.polytomic.injectFault({ kind: 'lost', method: 'POST', count: 1 });
    await expect(run('apply')).resolves.toMatch(/^polytomic: created policy "Ops" with id /);
    expect(new Set(keyOf('POST')).size).toBe(1);
    expect(await policiesNamed('Ops')).toHaveLength(1);
  });

  test('a create failing three times with fresh keys says so, and leaves nothing', async () => {
    sims.polytomic.injectFault({ kind: 'status', status: 500, method: 'POST', count: 3, body: polytomicError(500) });
    await expect(run('apply')).rejects.toThrow(/HTTP 500.*Tried 3 times, each with a fresh Idempotency-Key/s);
    expect(new Set(keyOf('POST')).size).toBe(3);
  });

  test('a retry while the first request with the key is still processed gets 409, waits, and is served its answer', async () => {
    sims.polytomic.injectFault({ kind: 'delay', ms: 1200, method: 'POST', count: 1 });
    await expect(run('apply', policy, { ...http_, requestTimeoutMs: 400 })).resolves.toMatch(/^polytomic: created policy "Ops"/);
    await sims.polytomic.settled();
    const posts = sims.polytomic.calls({ method: 'POST' });
    expect(posts.map((r) => r.status)).toContain(409);
    expect(new Set(keyOf('POST')).size).toBe(1);
    expect(await policiesNamed('Ops')).toHaveLength(1);
  });

  test('PUT, the PATCH fallback, GET and DELETE carry no key (the PATCH would get the PUT\'s stored 405)', async () => {
    await run('apply');
    sims.polytomic.injectFault({ kind: 'status', status: 405, method: 'PUT', count: 1, body: { key: 'method_not_allowed', message: 'method not allowed', metadata: {}, status: 405 } });
    await expect(run('apply', { ...policy, policyActions: [{ action: 'read', roleIds: [roleB] }] })).resolves.toMatch(/updated/);
    await expect(run('revoke')).resolves.toMatch(/^polytomic: deleted policy "Ops"/);
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) expect([method, keyOf(method).filter(Boolean)]).toEqual([method, []]);
    expect(sims.polytomic.calls().map((r) => `${r.method} ${r.status}`)).toEqual(expect.arrayContaining(['PUT 405', 'PATCH 200', 'DELETE 204']));
  });

  test('the simulator replays a key\'s first answer for any later request with it, and refuses a malformed key', async () => {
    sims.polytomic.injectFault({ kind: 'status', status: 500, method: 'POST', count: 1, body: polytomicError(500) });
    const post = (key: string) => fetch(`${sims.polytomic.url}/api/permissions/policies`, {
      method: 'POST', body: JSON.stringify({ name: 'Ops' }),
      headers: { Authorization: `Bearer ${sims.env.POLYTOMIC_API_KEY}`, 'X-Polytomic-Version': '2024-02-08', 'Content-Type': 'application/json', 'Idempotency-Key': key },
    });
    expect((await post('key-00000001')).status).toBe(500);
    expect((await post('key-00000001')).status).toBe(500);
    expect((await post('short')).status).toBe(400);
    expect((await post('key-00000002')).status).toBe(200);
  });
});

describe('two runs creating the same policy at once', () => {
  test('both creates land before either lists again: one policy remains, the smallest id', async () => {
    sims.polytomic.injectFault({ kind: 'delay', ms: 300, method: 'POST', count: 2 });
    const results = await Promise.all([run('apply'), run('apply')]);
    await sims.polytomic.settled();
    const left = await policiesNamed('Ops');
    expect(left).toHaveLength(1);
    const created = results.map((r) => /with id ([0-9a-f-]{36})/.exec(r)![1]);
    expect(left[0].id).toBe([...created].sort()[0]);
    expect(results.some((r) => /a concurrent create made 2 policies so named .*kept /.test(r))).toBe(true);
    expect(left[0].policy_actions?.find((a) => a.action === 'read')?.role_ids).toEqual([roleA]);
  });

  test('one run lists before the other\'s create lands: the later one still settles it', async () => {
    sims.polytomic.injectFault({ kind: 'delay', ms: 100, method: 'GET', count: 2 });
    sims.polytomic.injectFault({ kind: 'delay', ms: 400, method: 'POST', count: 1 });
    const results = await Promise.all([run('apply'), run('apply', { ...policy, policyActions: [{ action: 'query', roleIds: [roleB] }] })]);
    await sims.polytomic.settled();
    const left = await policiesNamed('Ops');
    expect(left).toHaveLength(1);
    expect(results.filter((r) => /a concurrent create/.test(r))).toHaveLength(1);
  });
});

describe('when the create or its clean-up goes wrong', () => {
  test('a create that landed although it answered 500 is found in the list and not created again', async () => {
    // A server that stores the policy, then fails its answer: the policy list shows it.
    let created: string | undefined;
    const { createServer } = await import('http');
    const server = createServer(async (req, res) => {
      for await (const _ of req) { /* drain */ }
      res.setHeader('Content-Type', 'application/json');
      if (req.method === 'POST') {
        created = '11111111-2222-4333-8444-555555555555';
        res.writeHead(500).end(JSON.stringify(polytomicError(500)));
        return;
      }
      const policies = [{ id: 'aaaaaaaa-0000-4000-8000-000000000000', name: 'Admin', organization_id: 'org', policy_actions: [], system: true }];
      if (created) policies.push({ id: created, name: 'Ops', organization_id: 'org', policy_actions: [{ action: 'read', role_ids: [roleA] }] as never, system: false });
      res.writeHead(200).end(JSON.stringify({ data: policies }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const env = { ...sims.env, POLYTOMIC_DEPLOYMENT_URL: `http://127.0.0.1:${(server.address() as import('net').AddressInfo).port}` };
    const line = await runTask(grantTask('polytomic', 'apply', policy), env, []).finally(() => new Promise((r) => server.close(r)));
    expect(line).toBe('polytomic: created policy "Ops" with id 11111111-2222-4333-8444-555555555555 (found in the policy list after HTTP 500 to the create)');
  });

  test('duplicates that cannot be removed fail the apply, listing every id and the one to keep', async () => {
    sims.polytomic.injectFault({ kind: 'delay', ms: 300, method: 'POST', count: 2 });
    sims.polytomic.injectFault({ kind: 'status', status: 403, method: 'DELETE', count: 2, body: { key: 'forbidden', message: 'key lacks delete', metadata: {}, status: 403 } });
    const outcomes = await Promise.allSettled([run('apply'), run('apply')]);
    await sims.polytomic.settled();
    const ids = (await policiesNamed('Ops')).map((p) => p.id).sort();
    expect(ids).toHaveLength(2);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const message = (outcome as PromiseRejectedResult).reason.message;
      expect(message).toContain(`a concurrent create made 2 policies named "Ops" (ids `);
      expect(message).toContain(`Delete every one but ${ids[0]} in Polytomic, then apply again`);
      for (const id of ids) expect(message).toContain(id);
    }
  });
});
