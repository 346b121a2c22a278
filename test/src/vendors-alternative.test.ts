/**
 * The vendor clients against the simulators' alternative mode: the other reading of each answer the vendors leave
 * undocumented. A client must reach the same verdicts under both readings.
 */
import { DEFAULT_CONNECTIONS, VendorName } from '../../src/contract';
import { runTask } from '../../src/handler';
import { FAST_HTTP as http_, grantTask as task } from './grant-task';
import { Simulators, startSimulators } from '../../src/simulators';

let sims: Simulators;
beforeAll(async () => { sims = await startSimulators({}, { alternative: true }); });
afterAll(async () => { await sims.stop(); });
beforeEach(() => {
  for (const s of [sims.polarity, sims.britive, sims.kore, sims.polytomic]) { s.reset(); s.clearFaults(); s.requests.length = 0; }
});

const run = (vendor: VendorName, op: 'apply' | 'revoke', resource: object) => runTask(task(vendor, op, resource), sims.env, []);
const statuses = (sim: { requests: Array<{ method: string; status: unknown }> }) => sim.requests.map((r) => `${r.method} ${r.status}`);

describe('kore: a DELETE of a user the entity does not hold answers 404', () => {
  const grant = { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'ana@example.com' };

  test('the revoke is confirmed by the entity\'s userIds, not left stuck', async () => {
    await run('kore', 'apply', grant);
    await expect(run('kore', 'revoke', grant)).resolves.toMatch(/^kore: removed /);
    sims.kore.requests.length = 0;
    await expect(run('kore', 'revoke', grant)).resolves.toBe('kore: ana@example.com was already not on entity eng@example.com of connector fc-drive (Kore answered 404; confirmed by the entity\'s userIds)');
    expect(statuses(sims.kore)).toContain('DELETE 404');
    expect(statuses(sims.kore).at(-1)).toBe('GET 200');
  });

  test('Kore\'s 404 while the entity still lists the user is not a revoke', async () => {
    await run('kore', 'apply', grant);
    const notOnIt = { errors: [{ msg: 'User ana@example.com is not associated with permission entity', code: 4004 }] };
    sims.kore.injectFault({ kind: 'status', status: 404, method: 'DELETE', count: 2, body: notOnIt });
    await expect(run('kore', 'revoke', grant)).rejects.toThrow(/could not be confirmed: the DELETE answered Kore's 404 .* still lists ana@example.com in its userIds/);
    expect(sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
  });
});

describe('britive: what the official provider accepts on add', () => {
  const grant = { profileId: 'pap-admins', permissionName: 'Admins', permissionType: 'group' };

  test('an add answered 200 with no body is an add', async () => {
    await expect(run('britive', 'apply', grant)).resolves.toBe('britive: added group "Admins" on profile pap-admins');
    expect(sims.britive.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 200']);
    expect(sims.britive.snapshot()).toEqual({ 'pap-admins': ['group:Admins'] });
  });

  test.each([201, 202])('an add answered %i is an add', async (status) => {
    sims.britive.injectFault({ kind: 'status', status, method: 'POST', count: 1, body: {} });
    await expect(run('britive', 'apply', grant)).resolves.toBe('britive: added group "Admins" on profile pap-admins');
  });

  test('a remove answered 202 (accepted for later) is still not a revoke', async () => {
    sims.britive.injectFault({ kind: 'status', status: 202, method: 'POST', count: 1, body: {} });
    await expect(run('britive', 'revoke', grant)).rejects.toThrow(/answered HTTP 202 where the vendor documents 200/);
  });
});

describe('britive: the token kinds Britive\'s Python SDK sends', () => {
  const { BritiveSimulator } = jest.requireActual('../../src/simulators') as typeof import('../../src/simulators');
  const grant = { profileId: 'pap-admins', permissionName: 'Admins', permissionType: 'group' };
  test.each([
    ['an API token (under 50 characters)', 'TOKEN', 'short-api-token-1234'],
    ['an OAuth access token', 'Bearer', 'eyJ'.padEnd(80, 'x')],
    ['a federated workload token', 'WorkloadToken', `github-actions::${'y'.repeat(60)}`],
  ])('%s is sent as %s', async (_what, scheme, token) => {
    const sim = new BritiveSimulator({ token });
    const url = await sim.start();
    try {
      await expect(runTask(task('britive', 'apply', grant), { ...sims.env, BRITIVE_TENANT: url, BRITIVE_TOKEN: token }, [])).resolves.toMatch(/^britive: added/);
      expect(String(sim.requestHeaders(sim.requests[0])!.authorization).split(' ')[0]).toBe(scheme);
    } finally {
      await sim.stop();
    }
  });
});

describe('polarity: lists paged by meta.page.total, links only a hint', () => {
  const read = async (integrationId: string) => {
    const { polarity } = await import('../../src/vendors/polarity');
    const { openSession } = await import('../../src/vendors/session');
    return polarity.read({ integrationId }, await openSession(polarity, DEFAULT_CONNECTIONS.polarity, http_, sims.env, []));
  };

  test('a permissions read paged 2 at a time with no links still sees every group', async () => {
    for (const group of ['3', '4', '5', '6', '7']) sims.polarity.seed('virustotal', group, ['read']);
    const held = await read('virustotal');
    expect(held.exists && [...held.held.keys()]).toEqual(['3', '4', '5', '6', '7']);
    expect(sims.polarity.requests.map((r) => r.path)).toEqual([
      '/api/integrations/virustotal/permissions',
      '/api/integrations/virustotal/permissions?page[number]=2',
      '/api/integrations/virustotal/permissions?page[number]=3',
    ]);
  });

  test('removing a group that holds nothing answers JSON:API\'s success, and the revoke is done', async () => {
    await expect(run('polarity', 'revoke', { integrationId: 'virustotal', groupId: '7' })).resolves.toBe('polarity: revoked all permissions on integration virustotal from group 7');
    expect(sims.polarity.snapshot()).toEqual({});
  });

  test('an integration list whose links stop early is read to its meta.page.total: a listed integration is never "gone"', async () => {
    const { createServer } = await import('http');
    const ids = ['a1', 'virustotal', 'z9'];
    const server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      res.setHeader('Content-Type', 'application/vnd.api+json');
      if (req.method === 'DELETE' || url.pathname.endsWith('/permissions')) {
        res.writeHead(404).end(JSON.stringify({ errors: [{ status: '404', title: 'Not Found' }] }));
        return;
      }
      // A server capping pages at one item, whose links name only the page itself.
      const n = Number(url.searchParams.get('page[number]'));
      res.writeHead(200).end(JSON.stringify({ data: ids.slice(n - 1, n).map((id) => ({ type: 'integrations', id })), meta: { page: { total: ids.length } }, links: { self: req.url } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const env = { ...sims.env, POLARITY_URL: `http://127.0.0.1:${(server.address() as import('net').AddressInfo).port}` };
    const error = await runTask(task('polarity', 'revoke', { integrationId: 'virustotal', groupId: '7' }), env, []).catch((e) => e)
      .finally(() => new Promise((r) => server.close(r)));
    expect(error.message).toMatch(/could not be confirmed: the DELETE answered 404 and reading the integration's permissions failed: .*answered 404 although the server lists integration virustotal/);
  });
});

describe('idempotent no-ops say "already held" where the vendor shows it', () => {
  test('kore: a user the entity list shows on the entity before the PUT', async () => {
    const entity = sims.kore.entity('st-search', 'fc-drive', 'eng@example.com')!;
    sims.kore.addUsers('st-search', 'fc-drive', 'eng@example.com', ['ana@example.com']);
    // Named by a form the path does not take: Kore's 404, then the entity list, which shows the user already there.
    sims.kore.injectFault({ kind: 'status', status: 404, method: 'PUT', count: 1, body: { errors: [{ msg: 'Permission entity not found', code: 4004 }] } });
    await expect(run('kore', 'apply', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'ana@example.com' }))
      .resolves.toBe(`kore: user ana@example.com on entity eng@example.com of connector fc-drive (bot st-search) already held (the connector's entity list showed it on entity ${entity._id}); the PUT changed nothing`);
  });

  test('the mode is also a control call: POST /__sim/mode', async () => {
    const set = (alternative: boolean) => fetch(`${sims.kore.url}/__sim/mode`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ alternative }) });
    expect((await set(false)).status).toBe(204);
    expect(sims.kore.alternative).toBe(false);
    await set(true);
    expect(sims.kore.alternative).toBe(true);
  });
});

describe('kore: another refusal of a DELETE for a user not on the entity', () => {
  const grant = { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'ana@example.com' };
  const refusal = { errors: [{ msg: 'User is not associated with the permission entity', code: 4002 }] };

  test('a 400 is confirmed by the entity\'s userIds when they lack the user', async () => {
    sims.kore.injectFault({ kind: 'status', status: 400, method: 'DELETE', count: 1, body: refusal });
    await expect(run('kore', 'revoke', grant)).resolves.toMatch(/^kore: ana@example.com was already not on entity eng@example.com .*Kore answered HTTP 400; confirmed by the entity's userIds/);
  });

  test('a 400 while the entity lists the user stays a failure', async () => {
    await run('kore', 'apply', grant);
    sims.kore.injectFault({ kind: 'status', status: 400, method: 'DELETE', count: 1, body: refusal });
    await expect(run('kore', 'revoke', grant)).rejects.toThrow(/HTTP 400 \(4002\): User is not associated/);
  });
});
