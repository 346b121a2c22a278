/**
 * The Kore.ai simulator against the vendor's documented behaviour (vendor-docs/kore-permission-entities.txt and the
 * Kore.ai section of vendor-docs/README.md), with raw HTTP requests built from those facts alone.
 */
import { SignJWT } from 'jose';
import { SIM_CREDENTIALS } from '../../../src/simulators';
import { call, expectProxyNotFound, useSimulators } from './raw-http';

const sims = useSimulators();
const BASE = '/api/public/bot/st-search/connector/fc-drive/permission-entities';
const FPE_ID = /^fpe-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** README: HS256 signed with the client secret, payload {sub, appId}; this app enforces jti. */
function jwt(claims: Record<string, unknown> = { appId: SIM_CREDENTIALS.koreClientId }, secret: string = SIM_CREDENTIALS.koreClientSecret, jti = true) {
  const token = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('conformance').setIssuedAt().setExpirationTime('5m');
  if (jti) token.setJti(`jti-${Math.random()}`);
  return token.sign(new TextEncoder().encode(secret));
}

let token: string;
beforeAll(async () => { token = await jwt(); });

const url = (path: string) => `${sims().kore.url}${path}`;
const get = (path: string) => call(url(path), { headers: { auth: token } });
const users = (method: 'PUT' | 'DELETE', path: string, userList: unknown) =>
  call(url(path), { method, headers: { auth: token, 'Content-Type': 'application/json' }, body: JSON.stringify({ userList }) });
const koreError = (msg: string) => ({ errors: [{ msg, code: expect.any(Number) }] });

describe('authentication', () => {
  test('README: the JWT goes in the "auth" header; a bad signature, appId, missing jti or another header is a 401', async () => {
    expect((await get(BASE)).status).toBe(200);
    const refused = [
      await call(url(BASE), { headers: { auth: await jwt(undefined, 'wrong-secret') } }),
      await call(url(BASE), { headers: { auth: await jwt({ appId: 'cs-00000000-0000-0000-0000-000000000000' }) } }),
      await call(url(BASE), { headers: { auth: await jwt({ app_id: SIM_CREDENTIALS.koreClientId }) } }), // README: claim spelled appId
      await call(url(BASE), { headers: { auth: await jwt(undefined, undefined, false) } }), // README: apps may enforce jti
      await call(url(BASE), { headers: { Authorization: `Bearer ${token}` } }),
    ];
    for (const answer of refused) {
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(koreError(expect.any(String)));
    }
  });
});

describe('list: GET .../permission-entities', () => {
  test('page: a bare JSON array of entities with _id, entityId, meta, name, userIds, sourceType, type', async () => {
    const answer = await get(BASE);
    expect(answer.status).toBe(200);
    expect(Array.isArray(answer.json)).toBe(true);
    expect(answer.json.map((e: { entityId: string }) => e.entityId)).toEqual(['eng@example.com', 'sales@example.com', 'legal@example.com']);
    for (const entity of answer.json) {
      expect(entity).toEqual({
        _id: expect.stringMatching(FPE_ID), entityId: expect.any(String), meta: {}, name: expect.any(String), userIds: [],
        sourceType: 'googleDrive', type: 'googleGroup',
      });
    }
    expect(new Set(answer.json.map((e: { _id: string }) => e._id)).size).toBe(3);
  });

  test('page: skip and limit; no limit means 100, and a larger limit is capped', async () => {
    for (let i = 0; i < 600; i++) sims().kore.addEntity('st-search', 'fc-drive', `group-${i}@example.com`);
    const ids = async (query: string) => (await get(`${BASE}${query}`)).json.map((e: { entityId: string }) => e.entityId);
    expect(await ids('?skip=1&limit=2')).toEqual(['sales@example.com', 'legal@example.com']);
    expect(await ids('')).toHaveLength(100);
    expect(await ids('?skip=600')).toEqual(['group-597@example.com', 'group-598@example.com', 'group-599@example.com']);
    expect(await ids('?limit=1000')).toHaveLength(500);
    expect((await get(`${BASE}?limit=-1`)).status).toBe(400);
  });

  test('README: a 404 from the API names the missing bot or connector in errors[].msg', async () => {
    const bot = await get('/api/public/bot/st-nope/connector/fc-drive/permission-entities');
    expect({ status: bot.status, json: bot.json }).toEqual({ status: 404, json: koreError('Bot st-nope not found') });
    const connector = await get('/api/public/bot/st-search/connector/fc-nope/permission-entities');
    expect({ status: connector.status, json: connector.json }).toEqual({ status: 404, json: koreError('Connector fc-nope not found') });
  });
});

describe('one entity: GET, PUT, DELETE .../permission-entities/<id>', () => {
  test('README: the path takes either the _id or the source id (which one the real API takes is not stated)', async () => {
    const byEntityId = await get(`${BASE}/${encodeURIComponent('eng@example.com')}`);
    expect(byEntityId.status).toBe(200);
    expect(byEntityId.json).toMatchObject({ _id: expect.stringMatching(FPE_ID), entityId: 'eng@example.com', userIds: [] });
    const byObjectId = await get(`${BASE}/${byEntityId.json._id}`);
    expect(byObjectId.json).toEqual(byEntityId.json);
  });

  test('README: a missing entity is a 404 naming it', async () => {
    const answer = await get(`${BASE}/nobody@example.com`);
    expect({ status: answer.status, json: answer.json }).toEqual({ status: 404, json: koreError('Permission entity nobody@example.com not found') });
    const put = await users('PUT', `${BASE}/fpe-00000000-0000-5000-8000-000000000000`, ['ana@example.com']);
    expect(put.json).toEqual(koreError('Permission entity fpe-00000000-0000-5000-8000-000000000000 not found'));
  });

  test('README: PUT {"userList": [...]} adds users, which show in userIds; adding again changes nothing', async () => {
    const first = await users('PUT', `${BASE}/eng@example.com`, ['ana@example.com', 'bo@example.com']);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ entityId: 'eng@example.com', userIds: ['ana@example.com', 'bo@example.com'] });
    const again = await users('PUT', `${BASE}/eng@example.com`, ['bo@example.com']);
    expect(again.json.userIds).toEqual(['ana@example.com', 'bo@example.com']);
    expect(sims().kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com', 'bo@example.com'] });
  });

  test('README: DELETE with a body removes only the listed users and the entity stays', async () => {
    sims().kore.addUsers('st-search', 'fc-drive', 'eng@example.com', ['ana@example.com', 'bo@example.com']);
    const answer = await users('DELETE', `${BASE}/eng@example.com`, ['ana@example.com', 'zed@example.com']);
    expect({ status: answer.status, userIds: answer.json.userIds }).toEqual({ status: 200, userIds: ['bo@example.com'] });
    const repeated = await users('DELETE', `${BASE}/eng@example.com`, ['ana@example.com']);
    expect(repeated.json.userIds).toEqual(['bo@example.com']);
    expect((await get(`${BASE}/eng@example.com`)).status).toBe(200);
  });

  test('page: the body is {"userList": [...]} sent as application/json', async () => {
    for (const userList of [[], [''], [42], 'ana@example.com']) {
      const answer = await users('PUT', `${BASE}/eng@example.com`, userList);
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(koreError(expect.any(String)));
    }
    const text = await call(url(`${BASE}/eng@example.com`), {
      method: 'PUT', headers: { auth: token, 'Content-Type': 'text/plain' }, body: JSON.stringify({ userList: ['ana@example.com'] }),
    });
    expect(text.status).toBe(415);
    expect(sims().kore.snapshot()).toEqual({});
  });
});

describe('routes and limits', () => {
  test('README: a 404 from a wrong host or path does not name an object', async () => {
    expectProxyNotFound(await get('/api/public/bot/st-search/connector/fc-drive/permission-entity/eng@example.com'));
    expectProxyNotFound(await get('/api/bot/st-search/connector/fc-drive/permission-entities'));
    expectProxyNotFound(await call(url('/api/public/bot/st-search/connectors')));
  });

  test('a wrong method on a known path is the vendor\'s 405', async () => {
    const answer = await call(url(BASE), { method: 'POST', headers: { auth: token, 'Content-Type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(405);
    expect(answer.json).toEqual(koreError(expect.any(String)));
    expect(answer.headers.get('allow')).toBe('GET');
  });

  test('README: rate limits per rolling minute and hour answer 429 in the error shape', async () => {
    sims().kore.setRateLimits([{ limit: 2, windowMs: 60_000, retryAfter: true }, { limit: 1800, windowMs: 3_600_000, retryAfter: true }]);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await get(BASE));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers[2].json).toEqual(koreError(expect.any(String)));
  });
});

describe('admin hooks (changes made in the vendor UI)', () => {
  test('addEntity returns the new entity; entity() reads by either id and returns a copy', async () => {
    const created = sims().kore.addEntity('st-search', 'fc-wiki', 'ops@example.com');
    expect(created).toMatchObject({ _id: expect.stringMatching(FPE_ID), entityId: 'ops@example.com', userIds: [] });
    expect((await get(`/api/public/bot/st-search/connector/fc-wiki/permission-entities/${created._id}`)).json).toEqual(created);
    const copy = sims().kore.entity('st-search', 'fc-wiki', created._id)!;
    copy.userIds.push('mallory@example.com');
    expect(sims().kore.entity('st-search', 'fc-wiki', 'ops@example.com')).toEqual(created);
    expect(sims().kore.entity('st-search', 'fc-wiki', 'nobody@example.com')).toBeUndefined();
  });

  test('addUsers, removeUsers and removeEntity', async () => {
    sims().kore.addUsers('st-search', 'fc-drive', 'sales@example.com', ['ana@example.com', 'bo@example.com']);
    sims().kore.removeUsers('st-search', 'fc-drive', 'sales@example.com', ['ana@example.com']);
    expect((await get(`${BASE}/sales@example.com`)).json.userIds).toEqual(['bo@example.com']);
    sims().kore.removeEntity('st-search', 'fc-drive', 'sales@example.com');
    expect((await get(`${BASE}/sales@example.com`)).status).toBe(404);
    expect(sims().kore.snapshot()).toEqual({});
    expect(() => sims().kore.addUsers('st-search', 'fc-drive', 'sales@example.com', ['x@example.com'])).toThrow(/no entity/);
  });
});
