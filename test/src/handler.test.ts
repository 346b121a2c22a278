import { PAYLOAD_ENV } from '../../src/contract';
import { main, parsePayload } from '../../src/handler';

function capture(): { out: string[]; err: string[]; restore: () => void } {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
  return { out, err, restore: () => { o.mockRestore(); e.mockRestore(); } };
}

describe('handler entry', () => {
  test.each([
    [['grant'], {}, /usage: lifecycle-handler <apply\|revoke>, got "grant"/],
    [['apply'], {}, /no payload: SAAS_PERMISSIONS_PAYLOAD is empty/],
    [['apply'], { [PAYLOAD_ENV]: '{nope' }, /is not JSON/],
    [['apply'], { [PAYLOAD_ENV]: '{"v":1,"vendor":"okta"}' }, /names no known vendor: "okta"/],
    [['apply'], { [PAYLOAD_ENV]: '{"v":2,"vendor":"kore"}' }, /contract version 2, this handler reads up to 1/],
  ])('%j fails with exit 1 and a clear message', async (argv, env, message) => {
    const io = capture();
    const code = await main(argv as string[], env as NodeJS.ProcessEnv).finally(io.restore);
    expect(code).toBe(1);
    expect(io.err.join('')).toMatch(message);
  });

  test('removalPolicy retain makes a revoke that calls nothing', async () => {
    const payload = { v: 1, vendor: 'polarity', path: 's/p', removalPolicy: 'retain', http: {}, connection: { tokenEnv: 'T' }, resource: {} };
    const io = capture();
    const code = await main(['revoke'], { [PAYLOAD_ENV]: JSON.stringify(payload) }).finally(io.restore);
    expect(code).toBe(0);
    expect(io.out.join('')).toBe('polarity: s/p has removalPolicy "retain": left as it is at the vendor\n');
  });

  test('an unexpected error is reported with redaction too', async () => {
    const io = capture();
    const payload = { v: 1, vendor: 'polarity', path: 's/p', removalPolicy: 'destroy', http: {}, connection: { tokenEnv: 'MY_TOKEN', url: 'http://127.0.0.1:9' }, resource: null };
    const code = await main(['apply'], { [PAYLOAD_ENV]: JSON.stringify(payload), MY_TOKEN: 'very-secret-token' }).finally(io.restore);
    expect(code).toBe(1);
    expect(io.err.join('')).not.toContain('very-secret-token');
  });

  test('a URL from the environment that is not http(s) fails before any call, naming its source', async () => {
    const payload = { v: 1, vendor: 'britive', path: 's/p', removalPolicy: 'destroy', connection: { tokenEnv: 'T' }, resource: { profileId: 'p', permissionName: 'n', permissionType: 'role' } };
    const io = capture();
    const code = await main(['apply'], { [PAYLOAD_ENV]: JSON.stringify(payload), T: 'token-value-123', BRITIVE_TENANT: 'ftp://acme.example.com' }).finally(io.restore);
    expect(code).toBe(1);
    expect(io.err.join('')).toBe('britive: URL "ftp://acme.example.com" (from BRITIVE_TENANT) is not an http(s) URL\n');
  });

  test('parsePayload accepts a current payload', () => {
    expect(parsePayload('{"v":1,"vendor":"britive"}').vendor).toBe('britive');
  });
});
