/**
 * The vendor clients against the simulators, through the handler's runTask, as a provisioner would run them: every
 * success is the vendor's documented answer, and a revoke counts only when the vendor confirms the grant is gone.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { SignJWT } from 'jose';
import { DEFAULT_CONNECTIONS, VendorName } from '../../src/contract';
import { runTask } from '../../src/handler';
import { FAST_HTTP as http_, grantTask as task } from './grant-task';
import { Simulators, startSimulators, POLYTOMIC_SIM_ROLES } from '../../src/simulators';

let sims: Simulators;
beforeAll(async () => { sims = await startSimulators(); });
afterAll(async () => { await sims.stop(); });
beforeEach(() => {
  for (const s of [sims.polarity, sims.britive, sims.kore, sims.polytomic]) { s.reset(); s.clearFaults(); s.requests.length = 0; }
});

const run = (vendor: VendorName, op: 'apply' | 'revoke', resource: object, env: NodeJS.ProcessEnv = sims.env) => runTask(task(vendor, op, resource), env, []);
/** The simulator's URL with a path no vendor route has: what a wrong base URL or a proxy prefix looks like. */
const wrongPath = (name: string, url: string) => ({ ...sims.env, [name]: `${url}/wrong` });

/**
 * A server answering each request from `route` (method, path with query) -> [status, body, headers]: a string body is
 * sent as it is (an SSO page), anything else as JSON. Logs what it got.
 */
async function scriptedVendor(route: (method: string, path: string) => [number, unknown?, Record<string, string>?]) {
  const seen: string[] = [];
  const server = http.createServer(async (req, res) => {
    for await (const _ of req) { /* drain */ }
    seen.push(`${req.method} ${req.url}`);
    const [status, body, headers] = route(req.method!, req.url!);
    const json = body !== undefined && typeof body !== 'string';
    res.writeHead(status, { ...(json ? { 'Content-Type': 'application/json' } : {}), ...headers });
    res.end(body === undefined ? '' : json ? JSON.stringify(body) : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('polarity', () => {
  const grant = { integrationId: 'virustotal', groupId: '7', permissions: ['read', 'admin'] };

  test('grant answers 204; revoke answers 204; a second revoke is confirmed by reading the permissions', async () => {
    await expect(run('polarity', 'apply', grant)).resolves.toBe('polarity: granted read,admin on integration virustotal to group 7');
    expect(sims.polarity.requests[0]).toMatchObject({ method: 'POST', status: 204 });
    await expect(run('polarity', 'revoke', grant)).resolves.toBe('polarity: revoked all permissions on integration virustotal from group 7');
    sims.polarity.requests.length = 0;
    await expect(run('polarity', 'revoke', grant)).resolves.toBe('polarity: group 7 already had no permissions on integration virustotal (confirmed by reading them)');
    expect(sims.polarity.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 404', 'GET 200']);
  });

  test('a revoke through a wrong URL (a 404 that is no vendor answer) fails and names the variable to check', async () => {
    await run('polarity', 'apply', grant);
    const error = await run('polarity', 'revoke', grant, wrongPath('POLARITY_URL', sims.polarity.url)).catch((e) => e);
    expect(error.message).toMatch(/^polarity: revoke all permissions on integration virustotal for group 7 could not be confirmed: the DELETE answered 404 and reading/);
    expect(error.message).toMatch(/Check POLARITY_URL/);
    expect(sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['admin', 'read'] } });
  });

  test('a revoke on an integration that is gone is confirmed by the integration list', async () => {
    sims.polarity.removeIntegration('urlscan');
    await expect(run('polarity', 'revoke', { integrationId: 'urlscan', groupId: '7' })).resolves.toMatch(/integration urlscan is not in the server's integration list, so group 7 has no permissions on it \(confirmed\)/);
  });

  test('the read treats admin as implying read', async () => {
    sims.polarity.seed('shodan', '3', ['admin']);
    await run('polarity', 'apply', { integrationId: 'shodan', groupId: '4', permissions: ['read'] });
    const { polarity } = await import('../../src/vendors/polarity');
    const { openSession } = await import('../../src/vendors/session');
    const session = await openSession(polarity, DEFAULT_CONNECTIONS.polarity, http_, sims.env, []);
    const read = await polarity.read({ integrationId: 'shodan' }, session);
    expect(read.exists && Object.fromEntries(read.held)).toEqual({ 3: ['admin', 'read'], 4: ['read'] });
  });

  test('an unknown group fails with the vendor\'s JSON:API error text', async () => {
    await expect(run('polarity', 'apply', { ...grant, groupId: '99' })).rejects.toThrow(/POST .* answered HTTP 404: Not Found: group 99 does not exist/);
  });

  test('".." as an id never reaches the server: refused on apply, nothing to revoke', async () => {
    await expect(run('polarity', 'apply', { integrationId: '..', groupId: '7', permissions: ['read'] })).rejects.toThrow(/integrationId must not be "\.\."/);
    await expect(run('polarity', 'revoke', { integrationId: '..', groupId: '7' })).resolves.toMatch(/integrationId "\.\." cannot be part of a request path, so no grant can exist under it: nothing to revoke/);
    expect(sims.polarity.requests).toEqual([]);
  });
});

describe('britive', () => {
  const grant = { profileId: 'pap-admins', permissionName: 'Admins', permissionType: 'group' };

  test('add is one call; adding what exists (E1005) is confirmed by a listing that matches the type case-insensitively', async () => {
    await expect(run('britive', 'apply', grant)).resolves.toBe('britive: added group "Admins" on profile pap-admins');
    expect(sims.britive.requests).toHaveLength(1);
    sims.britive.requests.length = 0;
    await expect(run('britive', 'apply', { ...grant, permissionType: 'Group' })).resolves.toMatch(/already held \(Britive answered E1005 and the listing shows it\)/);
    expect(sims.britive.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/paps/pap-admins/permissions',
      // The official provider's lookup: name eq <name>, unquoted.
      'GET /api/paps/pap-admins/permissions?page=0&size=100&filter=name%20eq%20Admins',
    ]);
  });

  test('E1005 for a different type is not mistaken for success', async () => {
    sims.britive.seed('pap-admins', { name: 'Admins', type: 'group' });
    sims.britive.injectFault({ kind: 'status', status: 400, count: 1, method: 'POST', body: { status: 400, message: 'duplicate', errorCode: 'E1005' } });
    await expect(run('britive', 'apply', { ...grant, permissionType: 'role' })).rejects.toThrow(/HTTP 400 \(E1005\): duplicate/);
  });

  test('any type the API takes is accepted', async () => {
    await expect(run('britive', 'apply', { ...grant, permissionType: 'ResourceManagerPolicy' })).resolves.toMatch(/added ResourceManagerPolicy/);
  });

  test('removing what is gone (E1004, Britive\'s own not-found) succeeds; a 404 without E1004 does not', async () => {
    await expect(run('britive', 'revoke', grant)).resolves.toBe('britive: group "Admins" on profile pap-admins was already gone (Britive answered E1004)');
    await run('britive', 'apply', grant);
    const error = await run('britive', 'revoke', grant, wrongPath('BRITIVE_TENANT', sims.britive.url)).catch((e) => e);
    expect(error.message).toMatch(/^britive: remove group "Admins" on profile pap-admins could not be confirmed: the POST answered 404 without Britive's error code E1004/);
    expect(error.message).toMatch(/Check BRITIVE_TENANT/);
    expect(sims.britive.snapshot()).toEqual({ 'pap-admins': ['group:Admins'] });
  });

  test('the read pages through count with page and size, and says when the profile itself is gone', async () => {
    const { britive, listProfilePermissions } = await import('../../src/vendors/britive');
    const { openSession } = await import('../../src/vendors/session');
    for (const type of ['role', 'group', 'policy']) sims.britive.seed('pap-admins', { name: 'Shared', type });
    const session = await openSession(britive, DEFAULT_CONNECTIONS.britive, http_, sims.env, []);
    const found = await listProfilePermissions(session, 'pap-admins', 'Shared', 'list', 1);
    expect(found.exists && found.held.map((p) => p.type).sort()).toEqual(['group', 'policy', 'role']);
    expect(sims.britive.requests.map((r) => r.path)).toEqual([0, 1, 2].map((page) => `/api/paps/pap-admins/permissions?page=${page}&size=1&filter=name%20eq%20Shared`));
    sims.britive.removeProfile('pap-readonly');
    await expect(britive.read({ profileId: 'pap-readonly' }, session)).resolves.toEqual({ exists: false, detail: 'profile pap-readonly does not exist (Britive\'s own lookup answered E1004)' });
  });
});

describe('kore', () => {
  const grant = { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'ana@example.com' };

  test('a JWT minted from client id and secret (with appId and jti) is accepted', async () => {
    await expect(run('kore', 'apply', grant)).resolves.toBe('kore: added user ana@example.com on entity eng@example.com of connector fc-drive (bot st-search)');
    expect(sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
    await run('kore', 'revoke', grant);
    expect(sims.kore.snapshot()).toEqual({});
  });

  test('the entity may be named by its _id or its source id', async () => {
    const entity = sims.kore.entity('st-search', 'fc-drive', 'eng@example.com')!;
    await expect(run('kore', 'apply', { ...grant, entityId: entity._id })).resolves.toMatch(/^kore: added user ana@example.com on entity fpe-/);
    expect(sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
  });

  test('KORE_JWT is used when set; a JWT signed with the wrong secret is refused with a hint', async () => {
    const jwt = await new SignJWT({ appId: 'cs-3f0c2d4e-8b1a-4c55-9e77-1d2c3b4a5f60' }).setProtectedHeader({ alg: 'HS256' })
      .setSubject('x').setJti('1').sign(new TextEncoder().encode('wrong-secret'));
    const error = await run('kore', 'apply', grant, { ...sims.env, KORE_JWT: jwt }).catch((e) => e);
    expect(error.message).toMatch(/HTTP 401 \(4001\): Invalid or expired JWT.*Check KORE_JWT, or KORE_CLIENT_ID and KORE_CLIENT_SECRET/);
  });

  test('no credentials at all names every variable that could hold them', async () => {
    await expect(run('kore', 'apply', grant, { KORE_URL: sims.env.KORE_URL })).rejects.toThrow('kore: no credentials: export KORE_JWT, or KORE_CLIENT_ID and KORE_CLIENT_SECRET');
  });

  test('rolling per-minute and per-hour limits answer 429 with Retry-After, and the deadline bounds the wait', async () => {
    sims.kore.setRateLimits([{ limit: 2, windowMs: 60_000, retryAfter: true }, { limit: 100, windowMs: 3_600_000, retryAfter: true }]);
    const quick = { ...task('kore', 'apply', grant), http: { ...http_, deadlineMs: 1500 } };
    await runTask(quick, sims.env, []);
    await runTask({ ...quick, operation: 'revoke' }, sims.env, []);
    const error = await runTask(quick, sims.env, []).catch((e) => e);
    expect(error.message).toMatch(/kore: add user ana@example.com .* answered HTTP 429 \(429\): Rate limit exceeded \(gave up after 1 attempt: the run's deadline of 1500 ms would pass before the next try\)/);
    expect(sims.kore.requests.map((r) => r.status)).toEqual([200, 200, 429]);
    sims.kore.setRateLimits([]);
  });

  test('removing a user from an entity that is gone is confirmed by the connector\'s entity list', async () => {
    await expect(run('kore', 'revoke', { ...grant, entityId: 'deleted@example.com' })).resolves.toMatch(/entity deleted@example.com is gone from connector fc-drive \(confirmed by its entity list\)/);
    // The list is read until an empty page: the server may cap a page below the limit asked for.
    expect(sims.kore.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 404', 'GET 200', 'GET 200']);
  });

  test('a wrong host or path, or a bot the host does not have, never counts as revoked', async () => {
    await run('kore', 'apply', grant);
    await expect(run('kore', 'revoke', grant, wrongPath('KORE_URL', sims.kore.url))).rejects.toThrow(/could not be confirmed: the DELETE answered a 404 that is not Kore's.*Check KORE_URL/);
    await expect(run('kore', 'revoke', { ...grant, botId: 'st-other-region' })).rejects.toThrow(/could not be confirmed: reading the connector's entity list failed: .*Bot st-other-region not found/);
    expect(sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
  });
});

describe('polytomic', () => {
  const [roleA, roleB] = POLYTOMIC_SIM_ROLES;
  const policy = { name: 'Ops', organizationId: null, policyActions: [{ action: 'read', roleIds: [roleA] }] };

  test('create, re-apply with no change, update in place with PUT keeping the id, delete', async () => {
    await expect(run('polytomic', 'apply', policy)).resolves.toMatch(/^polytomic: created policy "Ops" with id /);
    const id = (sims.polytomic.snapshot() as Record<string, { id: string }>).Ops.id;
    sims.polytomic.requests.length = 0;
    await expect(run('polytomic', 'apply', policy)).resolves.toMatch(/already held: it has the declared actions, nothing was written/);
    expect(sims.polytomic.requests.map((r) => r.method)).toEqual(['GET']);
    await expect(run('polytomic', 'apply', { ...policy, policyActions: [{ action: 'sync_to', roleIds: [roleB] }] })).resolves.toBe(`polytomic: updated policy "Ops" (id ${id}) in place`);
    expect(sims.polytomic.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'PUT']);
    expect(sims.polytomic.snapshot()).toEqual({ Ops: { id, actions: { sync_to: [roleB] } } });
    await expect(run('polytomic', 'revoke', policy)).resolves.toBe(`polytomic: deleted policy "Ops" (id ${id})`);
    await expect(run('polytomic', 'revoke', policy)).resolves.toMatch(/already gone \(confirmed by the policy list\)/);
  });

  test('a server that refuses PUT (405) is updated with the documented PATCH', async () => {
    await run('polytomic', 'apply', policy);
    sims.polytomic.injectFault({ kind: 'status', status: 405, method: 'PUT', count: 1, body: { key: 'method_not_allowed', message: 'method not allowed', metadata: {}, status: 405 } });
    await expect(run('polytomic', 'apply', { ...policy, policyActions: [{ action: 'read', roleIds: [roleA, roleB] }] })).resolves.toMatch(/updated/);
    expect(sims.polytomic.requests.map((r) => `${r.method} ${r.status}`).slice(-2)).toEqual(['PUT 405', 'PATCH 200']);
  });

  test('any action is accepted, and actions with no roles grant nothing', async () => {
    await run('polytomic', 'apply', { ...policy, policyActions: [{ action: 'run_model', roleIds: [roleA] }, { action: 'export', roleIds: [] }] });
    expect(sims.polytomic.snapshot()).toMatchObject({ Ops: { actions: { run_model: [roleA] } } });
  });

  test('a create whose answer is lost is retried with the same Idempotency-Key: one policy', async () => {
    sims.polytomic.injectFault({ kind: 'lost', method: 'POST', count: 1 });
    await run('polytomic', 'apply', policy);
    expect(Object.keys(sims.polytomic.snapshot())).toEqual(['Ops']);
    expect(sims.polytomic.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  test('a built-in (system) policy is refused before any write', async () => {
    await expect(run('polytomic', 'apply', { ...policy, name: 'Admin' })).rejects.toThrow(/"Admin" is a built-in \(system\) policy/);
  });

  test('an ambiguous name is refused at apply and revoke, listing the ids', async () => {
    const first = sims.polytomic.seedPolicy('Twins', { read: [roleA] });
    const second = sims.polytomic.seedPolicy('Twins', { read: [roleB] });
    for (const op of ['apply', 'revoke'] as const) {
      const error = await run('polytomic', op, { ...policy, name: 'Twins' }).catch((e) => e);
      expect(error.message).toMatch(/2 policies are named "Twins"/);
      expect(error.message).toContain(first);
      expect(error.message).toContain(second);
    }
    expect(sims.polytomic.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  test('a DELETE answered by a 404 that is not Polytomic\'s is not a revoke', async () => {
    await run('polytomic', 'apply', policy);
    sims.polytomic.injectFault({ kind: 'status', status: 404, method: 'DELETE', count: 1, body: '<html>Not Found</html>' });
    await expect(run('polytomic', 'revoke', policy)).rejects.toThrow(/could not be confirmed: the DELETE of policy .* answered a 404 that is not Polytomic's/);
    expect(Object.keys(sims.polytomic.snapshot())).toEqual(['Ops']);
  });

  test('the version header is required by the simulator, as by the vendor', async () => {
    const t = task('polytomic', 'apply', policy);
    await expect(runTask({ ...t, connection: { ...DEFAULT_CONNECTIONS.polytomic, apiVersion: '' } }, sims.env, [])).rejects.toThrow(/X-Polytomic-Version header is required/);
  });
});

describe('answers that are not the vendor\'s', () => {
  const cases: Array<[VendorName, string, object]> = [
    ['polarity', 'POLARITY_URL', { integrationId: 'virustotal', groupId: '7', permissions: ['read'] }],
    ['britive', 'BRITIVE_TENANT', { profileId: 'pap-admins', permissionName: 'Admins', permissionType: 'group' }],
    ['kore', 'KORE_URL', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'ana@example.com' }],
    ['polytomic', 'POLYTOMIC_DEPLOYMENT_URL', { name: 'Ops', organizationId: null, policyActions: [{ action: 'read', roleIds: [POLYTOMIC_SIM_ROLES[0]] }] }],
  ];

  test.each(cases)('%s: a 200 HTML login page is a failure that names the content type', async (vendor, urlVariable, resource) => {
    const sso = await scriptedVendor(() => [200, '<html><body>Sign in with SSO</body></html>', { 'Content-Type': 'text/html' }]);
    const error = await run(vendor, 'apply', resource, { ...sims.env, [urlVariable]: sso.url }).catch((e) => e);
    await sso.close();
    expect(error.message).toMatch(/answered HTTP 200 (with a body of type text\/html where the vendor answers|where the vendor documents 204 \(text\/html: )/);
    expect(error.message).toContain(`Check ${urlVariable}`);
  });

  test.each(cases)('%s: a redirect is not followed', async (vendor, urlVariable, resource) => {
    const redirect = await scriptedVendor(() => [302, '', { Location: `${sims.polarity.url}/elsewhere` }]);
    const error = await run(vendor, 'apply', resource, { ...sims.env, [urlVariable]: redirect.url }).catch((e) => e);
    await redirect.close();
    expect(error.message).toMatch(/answered HTTP 302, a redirect to http:\/\/127\.0\.0\.1:\d+\/elsewhere; the API does not redirect and it is not followed/);
    expect(sims.polarity.requests).toEqual([]);
  });
});

describe('reads that confirm a revoke page through everything the vendor holds', () => {
  test('kore: a server that caps a page below the limit asked for still shows the entity on a later page', async () => {
    const entities = [
      { _id: 'fpe-1', entityId: 'other@example.com', userIds: [] },
      { _id: 'fpe-2', entityId: 'eng@example.com', userIds: ['ana@example.com'] },
    ];
    const kore = await scriptedVendor((method, path) => {
      if (method === 'DELETE' && path.endsWith('/eng%40example.com')) return [404, { errors: [{ msg: 'Permission entity eng@example.com not found', code: 4004 }] }];
      if (method === 'DELETE' && path.endsWith('/fpe-2')) return [200, { ...entities[1], userIds: [] }];
      const skip = Number(/skip=(\d+)/.exec(path)?.[1] ?? 0);
      return [200, entities.slice(skip, skip + 1)];
    });
    const line = await run('kore', 'revoke', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'ana@example.com' }, { ...sims.env, KORE_URL: kore.url }).finally(kore.close);
    expect(line).toMatch(/^kore: removed user ana@example.com .* \(entity fpe-2, found in the connector's entity list\)$/);
    expect(kore.seen.filter((r) => r.startsWith('GET')).map((r) => /skip=\d+/.exec(r)![0])).toEqual(['skip=0', 'skip=1', 'skip=2']);
  });

  test('polarity: a group on the second page of the permissions is not taken for absent', async () => {
    const polarity = await scriptedVendor((method, path) => {
      if (method === 'DELETE') return [404, { errors: [{ title: 'Not Found', detail: 'no such permission' }] }];
      if (path === '/api/integrations/virustotal/permissions') return [200, { data: [], links: { next: '/api/integrations/virustotal/permissions?page[number]=2' } }];
      return [200, { data: [{ type: 'permissions', id: 'integration:virustotal:7', attributes: { permissions: ['read'] }, relationships: { group: { data: { type: 'groups', id: '7' } } } }] }];
    });
    const error = await run('polarity', 'revoke', { integrationId: 'virustotal', groupId: '7' }, { ...sims.env, POLARITY_URL: polarity.url }).finally(polarity.close).catch((e) => e);
    expect(error.message).toMatch(/could not be confirmed: the DELETE answered 404 but the integration still lists group 7 with read/);
  });

  test('polarity: a next page on another origin is not followed (it would carry the token there)', async () => {
    const polarity = await scriptedVendor((method) => (method === 'DELETE'
      ? [404, { errors: [{ title: 'Not Found' }] }]
      : [200, { data: [], links: { next: 'https://elsewhere.example.com/page2' } }]));
    const error = await run('polarity', 'revoke', { integrationId: 'virustotal', groupId: '7' }, { ...sims.env, POLARITY_URL: polarity.url }).finally(polarity.close).catch((e) => e);
    expect(error.message).toMatch(/answered a next page on another origin \(https:\/\/elsewhere\.example\.com\)/);
  });

  test('polytomic: a policy list that does not reach any organization does not confirm a policy gone', async () => {
    const polytomic = await scriptedVendor(() => [200, { data: [] }]);
    const error = await run('polytomic', 'revoke', { name: 'Ops', organizationId: null, policyActions: [] }, { ...sims.env, POLYTOMIC_DEPLOYMENT_URL: polytomic.url }).finally(polytomic.close).catch((e) => e);
    expect(error.message).toMatch(/could not be confirmed: the policy list \(0 policies\) shows no built-in policy, so this key may not reach the policy's organization/);
  });

  test('a DELETE answered 202 (accepted for later) is not a revoke', async () => {
    const kore = await scriptedVendor(() => [202, {}]);
    const error = await run('kore', 'revoke', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'ana@example.com' }, { ...sims.env, KORE_URL: kore.url }).finally(kore.close).catch((e) => e);
    expect(error.message).toMatch(/answered HTTP 202 where the vendor documents 200 or 204/);
  });
});

