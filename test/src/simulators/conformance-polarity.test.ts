/**
 * The Polarity simulator against the vendor's documented behaviour (vendor-docs/polarity-integration-permissions.md and
 * the Polarity section of vendor-docs/README.md), with raw HTTP requests built from those facts alone.
 */
import { SIM_CREDENTIALS } from '../../../src/simulators';
import { call, expectProxyNotFound, useSimulators } from './raw-http';

const sims = useSimulators();
const JSON_API = 'application/vnd.api+json';
const auth = { Authorization: `Bearer ${SIM_CREDENTIALS.polarityToken}` };

/** The page's request body: one item per group, the group and the integration as JSON:API relationships. */
function item(integrationId: string, groupId: string, permissions: string[]) {
  return {
    type: 'permissions',
    attributes: { permissions },
    relationships: {
      group: { data: { type: 'groups', id: groupId } },
      integration: { data: { type: 'integrations', id: integrationId } },
    },
  };
}

const url = (path: string) => `${sims().polarity.url}${path}`;
const post = (integrationId: string, items: object[], headers: Record<string, string> = auth) =>
  call(url(`/api/integrations/${integrationId}/permissions`), {
    method: 'POST', headers: { ...headers, 'Content-Type': JSON_API }, body: JSON.stringify({ data: items }),
  });
const revoke = (integrationId: string, groupIds: string[]) =>
  call(url(`/api/integrations/${integrationId}/relationships/permissions`), {
    method: 'DELETE', headers: { ...auth, 'Content-Type': JSON_API },
    body: JSON.stringify({ data: groupIds.map((g) => ({ type: 'permissions', id: `integration:${integrationId}:${g}` })) }),
  });
const read = (integrationId: string) => call(url(`/api/integrations/${integrationId}/permissions`), { headers: auth });
const notFound = (detail: string) => ({ errors: [{ status: '404', title: 'Not Found', detail }] });

describe('authentication', () => {
  test('README: a request without a valid bearer token is refused with 401', async () => {
    const answer = await read('virustotal');
    expect(answer.status).toBe(200);
    const refused = await call(url('/api/integrations/virustotal/permissions'), { headers: { Authorization: 'Bearer wrong' } });
    expect(refused.status).toBe(401);
    expect(refused.contentType).toBe(JSON_API);
    expect(refused.json.errors[0]).toMatchObject({ status: '401' });
  });

  test('README: POST /api/users/login with identification and password answers {data: {token, expiration_time}}', async () => {
    const login = (body: string, contentType = JSON_API) => call(url('/api/users/login'), { method: 'POST', headers: { 'Content-Type': contentType }, body });
    const answer = await login(JSON.stringify({ identification: 'admin', password: 'sim-admin-password' }));
    expect(answer.status).toBe(200);
    expect(answer.json.data).toEqual({ token: expect.any(String), expiration_time: expect.any(Number) });
    expect(answer.json.data.expiration_time).toBeGreaterThan(Date.now() / 1000);
    // The session token is a bearer token like an API key.
    expect((await call(url('/api/integrations/virustotal'), { headers: { Authorization: `Bearer ${answer.json.data.token}` } })).status).toBe(200);
    // README: 401 on bad credentials, 400 on a malformed body.
    expect((await login(JSON.stringify({ identification: 'admin', password: 'nope' }))).status).toBe(401);
    expect((await login('{"identification": "admin"')).status).toBe(400);
  });
});

describe('POST /api/integrations/<ID>/permissions', () => {
  test('page: success is 204 with no content', async () => {
    const answer = await post('virustotal', [item('virustotal', '7', ['read'])]);
    expect({ status: answer.status, text: answer.text, contentType: answer.contentType }).toEqual({ status: 204, text: '', contentType: '' });
    expect(sims().polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] } });
  });

  test('page: giving admin also gives read, so the server holds both', async () => {
    expect((await post('virustotal', [item('virustotal', '7', ['admin'])])).status).toBe(204);
    expect(sims().polarity.snapshot()).toEqual({ virustotal: { 7: ['admin', 'read'] } });
  });

  test('page: the POST replaces the set, so sending only read removes admin', async () => {
    await post('virustotal', [item('virustotal', '7', ['read', 'admin'])]);
    expect((await post('virustotal', [item('virustotal', '7', ['read'])])).status).toBe(204);
    expect(sims().polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] } });
  });

  test('page: at least one permission, and only read or admin', async () => {
    for (const permissions of [[], ['write']]) {
      const answer = await post('virustotal', [item('virustotal', '7', permissions)]);
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0].status).toBe('400');
    }
    expect(sims().polarity.snapshot()).toEqual({});
  });

  test('page: group 1 ("All Polarity Users") always exists', async () => {
    expect((await post('shodan', [item('shodan', '1', ['read'])])).status).toBe(204);
  });

  test('page: group ids are numeric, sent as JSON:API string ids', async () => {
    expect((await post('shodan', [item('shodan', 'analysts', ['read'])])).status).toBe(400);
  });

  test('an unknown group is a JSON:API 404 naming it, and a POST of several groups changes none of them', async () => {
    const answer = await post('virustotal', [item('virustotal', '7', ['read']), item('virustotal', '99', ['read'])]);
    expect(answer.status).toBe(404);
    expect(answer.contentType).toBe(JSON_API);
    expect(answer.json).toEqual(notFound('group 99 does not exist'));
    expect(sims().polarity.snapshot()).toEqual({});
  });

  test('an unknown integration is a JSON:API 404', async () => {
    const answer = await post('nope', [item('nope', '7', ['read'])]);
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual(notFound('integration nope does not exist'));
  });
});

describe('DELETE /api/integrations/<ID>/relationships/permissions', () => {
  test('page: removes all of a group\'s permissions; success is 204 with no body', async () => {
    sims().polarity.seed('virustotal', '7', ['read']);
    sims().polarity.seed('virustotal', '8', ['admin']);
    const answer = await revoke('virustotal', ['7']);
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 204, text: '' });
    expect(sims().polarity.snapshot()).toEqual({ virustotal: { 8: ['admin', 'read'] } });
  });

  test('a group that holds nothing is a JSON:API 404', async () => {
    const answer = await revoke('virustotal', ['7']);
    expect(answer.status).toBe(404);
    expect(answer.contentType).toBe(JSON_API);
    expect(answer.json.errors[0]).toMatchObject({ status: '404', title: 'Not Found' });
  });
});

describe('reading back (README: JSON:API conventions, not a documented page)', () => {
  test('GET /api/integrations/<ID>/permissions lists each group that holds something', async () => {
    expect(await read('virustotal')).toMatchObject({ status: 200, contentType: JSON_API, json: { data: [] } });
    await post('virustotal', [item('virustotal', '12', ['admin']), item('virustotal', '3', ['read'])]);
    const answer = await read('virustotal');
    const resource = (group: string, permissions: string[]) => ({
      type: 'permissions', id: `integration:virustotal:${group}`, attributes: { permissions },
      relationships: { group: { data: { type: 'groups', id: group } }, integration: { data: { type: 'integrations', id: 'virustotal' } } },
    });
    expect(answer.json).toEqual({ data: [resource('3', ['read']), resource('12', ['admin', 'read'])], meta: { page: { total: 2 } } });
  });

  test('GET /api/integrations/<ID>/permissions of an unknown integration is a JSON:API 404', async () => {
    const answer = await read('nope');
    expect({ status: answer.status, contentType: answer.contentType, json: answer.json })
      .toEqual({ status: 404, contentType: JSON_API, json: notFound('integration nope does not exist') });
  });

  test('GET /api/integrations/<ID> answers the integration, 404 when it does not exist', async () => {
    const answer = await call(url('/api/integrations/shodan'), { headers: auth });
    expect({ status: answer.status, contentType: answer.contentType, json: answer.json })
      .toEqual({ status: 200, contentType: JSON_API, json: { data: { type: 'integrations', id: 'shodan', attributes: { name: 'shodan' } } } });
    const missing = await call(url('/api/integrations/nope'), { headers: auth });
    expect({ status: missing.status, json: missing.json }).toEqual({ status: 404, json: notFound('integration nope does not exist') });
  });

  test('Polarity docs: GET /api/integrations pages with page[size] and page[number] (from 1), meta.page.total; links.next while more remain', async () => {
    for (const id of ['a1', 'a2']) sims().polarity.addIntegration(id);
    const page = (size: number, number: number) => call(url(`/api/integrations?page[size]=${size}&page[number]=${number}`), { headers: auth });
    const ids = async (size: number, number: number) => (await page(size, number)).json.data.map((d: { id: string }) => d.id);
    const first = await page(2, 1);
    expect(first.json).toMatchObject({ meta: { page: { total: 6 } }, links: { next: '/api/integrations?page[size]=2&page[number]=2' } });
    const all = [...await ids(2, 1), ...await ids(2, 2), ...await ids(2, 3)];
    expect(all).toEqual(['a1', 'a2', 'shodan', 'urlscan', 'virustotal', 'virustotal_3_7_4_node_18_63e5110da4_1697729362']);
    expect((await page(2, 3)).json.links).toBeUndefined();
    expect((await call(`${sims().polarity.url}${first.json.links.next}`, { headers: auth })).json.data.map((d: { id: string }) => d.id)).toEqual(['shodan', 'urlscan']);
    expect((await page(2, 0)).status).toBe(400);
  });
});

describe('routes', () => {
  test('an unknown path is the proxy\'s HTML 404, not a JSON:API error, with or without a token', async () => {
    expectProxyNotFound(await call(url('/api/integration/virustotal/permissions'), { headers: auth }));
    expectProxyNotFound(await call(url('/v5/api/integrations'), { headers: auth }));
    expectProxyNotFound(await call(url('/api/integrations/virustotal/permissions/7')));
  });

  test('a wrong method on a known path is the vendor\'s JSON:API 405', async () => {
    const answer = await call(url('/api/integrations/virustotal/permissions'), { method: 'DELETE', headers: auth });
    expect({ status: answer.status, contentType: answer.contentType }).toEqual({ status: 405, contentType: JSON_API });
    expect(answer.json.errors[0].status).toBe('405');
    expect(answer.headers.get('allow')).toBe('GET, POST');
  });
});

describe('admin hooks (changes made in the vendor UI)', () => {
  test('seed and removeGrant', async () => {
    sims().polarity.seed('urlscan', '4', ['admin']);
    expect((await read('urlscan')).json.data[0].attributes.permissions).toEqual(['admin', 'read']);
    sims().polarity.removeGrant('urlscan', '4');
    expect((await read('urlscan')).json.data).toEqual([]);
    expect(() => sims().polarity.removeGrant('urlscan', '4')).toThrow(/holds nothing/);
  });

  test('addIntegration and removeIntegration', async () => {
    sims().polarity.addIntegration('greynoise');
    expect((await post('greynoise', [item('greynoise', '2', ['read'])])).status).toBe(204);
    sims().polarity.removeIntegration('greynoise');
    expect((await read('greynoise')).status).toBe(404);
    expect(sims().polarity.snapshot()).toEqual({});
  });

  test('addGroup and removeGroup; removing a group removes what it held', async () => {
    expect((await post('shodan', [item('shodan', '42', ['read'])])).status).toBe(404);
    sims().polarity.addGroup('42');
    expect((await post('shodan', [item('shodan', '42', ['read'])])).status).toBe(204);
    sims().polarity.removeGroup('42');
    expect(sims().polarity.snapshot()).toEqual({});
    expect((await post('shodan', [item('shodan', '42', ['read'])])).json).toEqual(notFound('group 42 does not exist'));
  });
});
