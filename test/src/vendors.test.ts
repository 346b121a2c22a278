/** The vendor clients against the simulators, through the handler's runOperation, as a provisioner would run them. */
import { SignJWT } from 'jose';
import { DEFAULT_HTTP_SETTINGS, Payload } from '../../src/contract';
import { runOperation } from '../../src/handler';
import { createHttpClient } from '../../src/http';
import { Simulators, startSimulators, POLYTOMIC_SIM_ROLES } from '../../src/simulators';
import { britive, listProfilePermissions } from '../../src/vendors/britive';

const http = { ...DEFAULT_HTTP_SETTINGS, baseBackoffMs: 1, requestTimeoutMs: 2000 };
let sims: Simulators;
beforeAll(async () => { sims = await startSimulators(); });
afterAll(async () => { await sims.stop(); });
beforeEach(() => {
  for (const s of [sims.polarity, sims.britive, sims.kore, sims.polytomic]) { s.reset(); s.clearFaults(); s.requests.length = 0; }
});

const base = { v: 1, path: 'test/grant', removalPolicy: 'destroy' as const, http };
const polarity = (resource: object): Payload => ({ ...base, vendor: 'polarity', connection: { tokenEnv: 'POLARITY_TOKEN' }, resource } as Payload);
const britivePayload = (resource: object): Payload => ({ ...base, vendor: 'britive', connection: { tokenEnv: 'BRITIVE_TOKEN' }, resource } as Payload);
const kore = (resource: object): Payload => ({
  ...base, vendor: 'kore', connection: { jwtEnv: 'KORE_JWT', clientIdEnv: 'KORE_CLIENT_ID', clientSecretEnv: 'KORE_CLIENT_SECRET' }, resource,
} as Payload);
const polytomic = (resource: object): Payload => ({
  ...base, vendor: 'polytomic', connection: { apiKeyEnv: 'POLYTOMIC_API_KEY', apiVersion: '2024-02-08' }, resource,
} as Payload);
const run = (op: 'apply' | 'revoke', payload: Payload, env: NodeJS.ProcessEnv = sims.env) => runOperation(op, payload, env, []);

describe('polarity', () => {
  test('grant answers 204 with no body; revoke of a missing grant is already done', async () => {
    const grant = { integrationId: 'virustotal', groupId: '7', permissions: ['read', 'admin'] };
    await expect(run('apply', polarity(grant))).resolves.toBe('polarity: granted read,admin on integration virustotal to group 7');
    expect(sims.polarity.requests[0]).toMatchObject({ method: 'POST', status: 204 });
    await expect(run('revoke', polarity(grant))).resolves.toBe('polarity: revoked all permissions on integration virustotal from group 7');
    await expect(run('revoke', polarity(grant))).resolves.toMatch(/already had no permissions/);
  });

  test('an unknown integration fails with the vendor\'s JSON:API error text', async () => {
    await expect(run('apply', polarity({ integrationId: 'nope', groupId: '7', permissions: ['read'] })))
      .rejects.toThrow(/polarity: grant read on integration nope for group 7 failed: POST .* answered HTTP 404: Not Found: integration nope does not exist/);
  });
});

describe('britive', () => {
  const grant = { profileId: 'pap-admins', permissionName: 'Admins', permissionType: 'group' };

  test('add is one call; adding what exists (E1005) is confirmed by a listing and succeeds', async () => {
    await expect(run('apply', britivePayload(grant))).resolves.toBe('britive: added group "Admins" on profile pap-admins');
    expect(sims.britive.requests).toHaveLength(1);
    sims.britive.requests.length = 0;
    await expect(run('apply', britivePayload(grant))).resolves.toMatch(/already attached/);
    expect(sims.britive.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  test('E1005 for a different type is not mistaken for success', async () => {
    sims.britive.seed('pap-admins', { name: 'Admins', type: 'group' });
    // Force E1005 although the listing will not show a role named Admins.
    sims.britive.injectFault({ kind: 'status', status: 400, count: 1, method: 'POST', body: { status: 400, message: 'duplicate', errorCode: 'E1005' } });
    await expect(run('apply', britivePayload({ ...grant, permissionType: 'role' }))).rejects.toThrow(/HTTP 400 \(E1005\): duplicate/);
  });

  test('removing what is gone (E1004) succeeds', async () => {
    await expect(run('revoke', britivePayload(grant))).resolves.toBe('britive: group "Admins" on profile pap-admins was already gone');
  });

  test('the listing pages through count with page and size', async () => {
    for (const type of ['role', 'group', 'policy']) sims.britive.seed('pap-admins', { name: 'Shared', type });
    const connection = await britive.connect(britivePayload(grant) as never, sims.env);
    const session = { request: createHttpClient({ settings: http, readError: britive.readError }), baseUrl: connection.baseUrl, headers: connection.headers };
    const found = await listProfilePermissions(session, 'pap-admins', 'Shared', 'list', 1);
    expect(found.map((p) => p.type).sort()).toEqual(['group', 'policy', 'role']);
    expect(sims.britive.requests.map((r) => r.path)).toEqual([0, 1, 2].map((page) =>
      `/api/paps/pap-admins/permissions?page=${page}&size=1&filter=name%20eq%20%22Shared%22`));
  });
});

describe('kore', () => {
  const grant = { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'ana@example.com' };

  test('a JWT minted from client id and secret (with appId and jti) is accepted', async () => {
    await expect(run('apply', kore(grant))).resolves.toBe('kore: added user ana@example.com on entity eng@example.com of connector fc-drive (bot st-search)');
    expect(sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
    await run('revoke', kore(grant));
    expect(sims.kore.snapshot()).toEqual({});
  });

  test('KORE_JWT is used when set; a JWT signed with the wrong secret is refused with a hint', async () => {
    const jwt = await new SignJWT({ appId: 'cs-3f0c2d4e-8b1a-4c55-9e77-1d2c3b4a5f60' }).setProtectedHeader({ alg: 'HS256' })
      .setSubject('x').setJti('1').sign(new TextEncoder().encode('wrong-secret'));
    const error = await run('apply', kore(grant), { ...sims.env, KORE_JWT: jwt }).catch((e) => e);
    expect(error.message).toMatch(/HTTP 401 \(4001\): Invalid or expired JWT.*Check KORE_JWT, or KORE_CLIENT_ID and KORE_CLIENT_SECRET/);
  });

  test('no credentials at all names every variable that could hold them', async () => {
    const env = { KORE_URL: sims.env.KORE_URL };
    await expect(run('apply', kore(grant), env)).rejects.toThrow('kore: no credentials: export KORE_JWT, or KORE_CLIENT_ID and KORE_CLIENT_SECRET');
  });

  test('rolling per-minute and per-hour limits answer 429 with Retry-After, and the deadline bounds the wait', async () => {
    sims.kore.setRateLimits([{ limit: 2, windowMs: 60_000, retryAfter: true }, { limit: 100, windowMs: 3_600_000, retryAfter: true }]);
    const quick = { ...kore(grant), http: { ...http, deadlineMs: 1500 } } as Payload;
    await run('apply', quick);
    await run('revoke', quick);
    const error = await run('apply', quick).catch((e) => e);
    expect(error.message).toMatch(/kore: add user ana@example.com .* answered HTTP 429 \(429\): Rate limit exceeded \(gave up after 1 attempt: the run's deadline of 1500 ms would pass before the next try\)/);
    expect(sims.kore.requests.map((r) => r.status)).toEqual([200, 200, 429]);
    sims.kore.setRateLimits([]);
  });

  test('removing a user from an entity that is gone succeeds', async () => {
    await expect(run('revoke', kore({ ...grant, entityId: 'deleted@example.com' }))).resolves.toMatch(/entity deleted@example.com is gone/);
  });
});

describe('polytomic', () => {
  const [roleA, roleB] = POLYTOMIC_SIM_ROLES;
  const policy = { name: 'Ops', organizationId: null, policyActions: [{ action: 'read', roleIds: [roleA] }] };

  test('create, re-apply with no change, update in place keeping the id, delete', async () => {
    await expect(run('apply', polytomic(policy))).resolves.toMatch(/^polytomic: created policy "Ops" with id /);
    const id = (sims.polytomic.snapshot() as Record<string, { id: string }>).Ops.id;
    sims.polytomic.requests.length = 0;
    await expect(run('apply', polytomic(policy))).resolves.toMatch(/already matches/);
    expect(sims.polytomic.requests.map((r) => r.method)).toEqual(['GET']);
    await expect(run('apply', polytomic({ ...policy, policyActions: [{ action: 'run', roleIds: [roleB] }] }))).resolves.toBe(`polytomic: updated policy "Ops" (id ${id}) in place`);
    expect(sims.polytomic.snapshot()).toEqual({ Ops: { id, actions: { run: [roleB] } } });
    await expect(run('revoke', polytomic(policy))).resolves.toBe(`polytomic: deleted policy "Ops" (id ${id})`);
    await expect(run('revoke', polytomic(policy))).resolves.toMatch(/already gone/);
  });

  test('a create whose answer is lost is retried with the same Idempotency-Key: one policy', async () => {
    sims.polytomic.injectFault({ kind: 'lost', method: 'POST', count: 1 });
    await run('apply', polytomic(policy));
    expect(Object.keys(sims.polytomic.snapshot())).toEqual(['Ops']);
    const posts = sims.polytomic.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
  });

  test('a built-in (system) policy is refused before any write', async () => {
    await expect(run('apply', polytomic({ ...policy, name: 'Admin' }))).rejects.toThrow(/"Admin" is a built-in \(system\) policy/);
  });

  test('the version header is required by the simulator, as by the vendor', async () => {
    const payload = polytomic(policy) as Payload & { connection: { apiVersion: string } };
    await expect(run('apply', { ...payload, connection: { ...payload.connection, apiVersion: '' } } as Payload)).rejects.toThrow(/X-Polytomic-Version header is required/);
  });
});
