/**
 * The Britive simulator against the vendor's documented behaviour (vendor-docs/britive-profile-permissions.txt and the
 * Britive section of vendor-docs/README.md), with raw HTTP requests built from those facts alone.
 */
import { SIM_CREDENTIALS } from '../../../src/simulators';
import { call, expectProxyNotFound, useSimulators } from './raw-http';

const sims = useSimulators();
const auth = { Authorization: `TOKEN ${SIM_CREDENTIALS.britiveToken}` };
/** README: the API base is <tenant>/api. */
const api = (path: string) => `${sims().britive.url}/api${path}`;

const change = (papId: string, op: string, permission: { name: string; type: string }, headers: Record<string, string> = auth) =>
  call(api(`/paps/${papId}/permissions`), {
    method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ op, permission }),
  });
const list = (papId: string, query: string) => call(api(`/paps/${papId}/permissions?${query}`), { headers: auth });
const names = async (papId: string, query: string) => (await list(papId, query)).json.data.map((p: { name: string }) => p.name);
const britiveError = (status: number, errorCode: string, message: string) => ({ status, message, errorCode, details: null });

describe('authentication', () => {
  test('README: the header is "Authorization: TOKEN <token>"; anything else is a 401 in the error shape', async () => {
    expect((await list('pap-admins', 'page=0&size=20')).status).toBe(200);
    for (const header of [`Bearer ${SIM_CREDENTIALS.britiveToken}`, 'TOKEN wrong']) {
      const answer = await call(api('/paps/pap-admins/permissions?page=0&size=20'), { headers: { Authorization: header } });
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ status: 401, errorCode: expect.any(String), details: null });
    }
  });
});

describe('add and remove: POST <base>/paps/<papId>/permissions', () => {
  test('page: op add answers 200 with the permission as in the page\'s example', async () => {
    const answer = await change('pap-admins', 'add', { name: 'S3fullaccess', type: 'role' });
    expect({ status: answer.status, json: answer.json }).toEqual({
      status: 200,
      json: { papId: 'pap-admins', name: 'S3fullaccess', type: 'role', description: null, checkStatus: 'Success', message: '' },
    });
    expect(sims().britive.snapshot()).toEqual({ 'pap-admins': ['role:S3fullaccess'] });
  });

  test('README: op remove answers 200 (never 204) with {}', async () => {
    sims().britive.seed('pap-admins', { name: 'Application Administrator', type: 'role' });
    const answer = await change('pap-admins', 'remove', { name: 'Application Administrator', type: 'role' });
    expect({ status: answer.status, json: answer.json }).toEqual({ status: 200, json: {} });
    expect(sims().britive.snapshot()).toEqual({});
  });

  test('README: E1005 = duplicate (400); E1004 = does not exist (400 for a permission not attached)', async () => {
    await change('pap-admins', 'add', { name: 'Admins', type: 'group' });
    const duplicate = await change('pap-admins', 'add', { name: 'Admins', type: 'group' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.json).toMatchObject({ status: 400, errorCode: 'E1005', details: null });
    const absent = await change('pap-admins', 'remove', { name: 'Nobody', type: 'group' });
    expect(absent.status).toBe(400);
    expect(absent.json).toMatchObject({ status: 400, errorCode: 'E1004', details: null });
  });

  test('README: a missing profile is 404 E1004 for add, remove and list', async () => {
    const expected = { status: 404, json: britiveError(404, 'E1004', 'Profile pap-nope does not exist') };
    for (const answer of [
      await change('pap-nope', 'add', { name: 'x', type: 'role' }),
      await change('pap-nope', 'remove', { name: 'x', type: 'role' }),
      await list('pap-nope', 'page=0&size=20'),
    ]) expect({ status: answer.status, json: answer.json }).toEqual(expected);
  });

  test('README: the type is a free string; the well-known ones are stored in lower case and compared in any case', async () => {
    expect((await change('pap-admins', 'add', { name: 'ReadOnly', type: 'AWS Managed Policy' })).json.type).toBe('AWS Managed Policy');
    expect((await change('pap-admins', 'add', { name: 'Admins', type: 'Group' })).json.type).toBe('group');
    expect((await change('pap-admins', 'add', { name: 'Admins', type: 'GROUP' })).json.errorCode).toBe('E1005');
    expect((await change('pap-admins', 'add', { name: 'ReadOnly', type: 'aws managed policy' })).json.errorCode).toBe('E1005');
    expect(sims().britive.snapshot()).toEqual({ 'pap-admins': ['AWS Managed Policy:ReadOnly', 'group:Admins'] });
    expect((await change('pap-admins', 'remove', { name: 'Admins', type: 'Group' })).status).toBe(200);
    expect(sims().britive.snapshot()).toEqual({ 'pap-admins': ['AWS Managed Policy:ReadOnly'] });
  });

  test('a blank type is refused, as the official provider\'s StringIsNotWhiteSpace rule does', async () => {
    expect((await change('pap-admins', 'add', { name: 'x', type: '  ' })).status).toBe(400);
  });

  test('README: names may contain "/"', async () => {
    expect((await change('pap-admins', 'add', { name: 'org/team/admins', type: 'group' })).status).toBe(200);
    expect(await names('pap-admins', `page=0&size=10&filter=${encodeURIComponent('name eq org/team/admins')}`)).toEqual(['org/team/admins']);
  });
});

describe('listing: GET <base>/paps/<papId>/permissions', () => {
  beforeEach(() => {
    for (const name of ['AdministratorAccess', 'Admins', 'Billing', 'ReadOnly', 'SecurityAudit']) sims().britive.seed('pap-admins', { name, type: 'role' });
  });

  test('page: the envelope is {count, page, size, sort, filter, data} and items carry the example\'s fields', async () => {
    const answer = await list('pap-admins', 'page=0&size=20&sort=name,asc&filter=name%20co%20Admin');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      count: 2, page: 0, size: 20, sort: 'name: ASC', filter: 'name co Admin',
      data: ['AdministratorAccess', 'Admins'].map((name) => ({
        papId: 'pap-admins', name, type: 'role', description: null, checkStatus: 'Success', message: '', privileged: false,
      })),
    });
  });

  test('README: pages start at 0; keep paging while (page+1)*size < count', async () => {
    const seen: string[] = [];
    for (let page = 0; ; page++) {
      const answer = await list('pap-admins', `page=${page}&size=2`);
      seen.push(...answer.json.data.map((p: { name: string }) => p.name));
      if ((page + 1) * answer.json.size >= answer.json.count) break;
    }
    expect(seen).toEqual(['AdministratorAccess', 'Admins', 'Billing', 'ReadOnly', 'SecurityAudit']);
  });

  test('page: page and size are mandatory', async () => {
    expect((await list('pap-admins', 'size=20')).status).toBe(400);
    expect((await list('pap-admins', 'page=0')).status).toBe(400);
  });

  test('README and page: eq and co, the value quoted or not', async () => {
    const filtered = (filter: string) => names('pap-admins', `page=0&size=10&filter=${encodeURIComponent(filter)}`);
    expect(await filtered('name eq Admins')).toEqual(['Admins']); // the official provider's form
    expect(await filtered('name eq "Admins"')).toEqual(['Admins']);
    expect(await filtered('name co Admin')).toEqual(['AdministratorAccess', 'Admins']); // the page's example
    expect(await filtered('name co "Audit"')).toEqual(['SecurityAudit']); // the page's format line
    expect((await list('pap-admins', `page=0&size=10&filter=${encodeURIComponent('name sw Adm')}`)).status).toBe(400);
  });
});

describe('the profile itself: GET <base>/paps/<papId>', () => {
  test('answers the profile, whatever skipIntegrityChecks says', async () => {
    const answer = await call(api('/paps/pap-oncall?skipIntegrityChecks=true'), { headers: auth });
    expect({ status: answer.status, json: answer.json }).toEqual({
      status: 200, json: { papId: 'pap-oncall', name: 'pap-oncall', description: null, status: 'active', appContainerId: 'app-1' },
    });
  });

  test('README: a missing profile is 404 E1004', async () => {
    const answer = await call(api('/paps/pap-nope'), { headers: auth });
    expect({ status: answer.status, json: answer.json }).toEqual({ status: 404, json: britiveError(404, 'E1004', 'Profile pap-nope does not exist') });
  });
});

describe('tenant-wide answers', () => {
  test('README: a 503 with errorCode MAINT0001 means the tenant is under maintenance', async () => {
    sims().britive.maintenance = true;
    const answer = await list('pap-admins', 'page=0&size=20');
    expect({ status: answer.status, errorCode: answer.json.errorCode }).toEqual({ status: 503, errorCode: 'MAINT0001' });
  });

  test('README: rate limiting answers 429 with an integer Retry-After', async () => {
    sims().britive.setRateLimits([{ limit: 1, windowMs: 60_000, retryAfter: true }]);
    await list('pap-admins', 'page=0&size=20');
    const answer = await list('pap-admins', 'page=0&size=20');
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  test('README: unknown routes answer 404 without the {status, message, errorCode} body', async () => {
    expectProxyNotFound(await call(`${sims().britive.url}/paps/pap-admins/permissions?page=0&size=20`, { headers: auth })); // no /api
    expectProxyNotFound(await call(api('/profiles/pap-admins/permissions'), { headers: auth }));
    expectProxyNotFound(await call(api('/paps/pap-admins/permissions/Admins'))); // no token either
  });

  test('a wrong method on a known path is the vendor\'s 405', async () => {
    const answer = await call(api('/paps/pap-admins/permissions'), { method: 'DELETE', headers: auth });
    expect(answer.status).toBe(405);
    expect(answer.json).toMatchObject({ status: 405, errorCode: expect.any(String), details: null });
    expect(answer.headers.get('allow')).toBe('GET, POST');
  });
});

describe('admin hooks (changes made in the vendor UI)', () => {
  test('seed and removePermission (type in any case)', async () => {
    sims().britive.seed('pap-readonly', { name: 'ViewOnly', type: 'Role' });
    expect((await list('pap-readonly', 'page=0&size=10')).json.data[0]).toMatchObject({ name: 'ViewOnly', type: 'role' });
    sims().britive.removePermission('pap-readonly', 'ViewOnly', 'ROLE');
    expect((await list('pap-readonly', 'page=0&size=10')).json.count).toBe(0);
    expect(() => sims().britive.removePermission('pap-readonly', 'ViewOnly', 'role')).toThrow(/not on pap-readonly/);
  });

  test('addProfile and removeProfile', async () => {
    sims().britive.addProfile('pap-new');
    expect((await change('pap-new', 'add', { name: 'x', type: 'role' })).status).toBe(200);
    sims().britive.removeProfile('pap-new');
    expect((await call(api('/paps/pap-new'), { headers: auth })).json.errorCode).toBe('E1004');
    expect(sims().britive.snapshot()).toEqual({});
  });
});
