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
    [['apply'], { [PAYLOAD_ENV]: '{"v":3,"vendor":"kore"}' }, /contract version 3, this handler reads up to 2/],
    [['revoke'], { [PAYLOAD_ENV]: '{"v":2,"vendor":"polarity","path":"terraform_data.polarity_revoke[\\"a/1\\"]","identity":["a"]}' },
      /polarity: terraform_data.polarity_revoke\["a\/1"\]: the identity in state is \["a"\], expected values for integrationId, groupId/],
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

  test('a revoke payload names the grant by identity values, in the order of IDENTITY_FIELDS; null policy is destroy', () => {
    const payload = parsePayload(JSON.stringify({
      v: 2, vendor: 'polytomic', path: 'terraform_data.polytomic_revoke["org/P"]', connection: { apiKeyEnv: 'K', apiVersion: 'v' },
      removalPolicy: null, identity: ['org', 'Policy P'],
    }));
    expect(payload).toMatchObject({ removalPolicy: 'destroy', resource: { organizationId: 'org', name: 'Policy P' } });
    expect('identity' in payload).toBe(false);
  });

  test('a revoke payload whose removal policy in state is retain calls nothing', async () => {
    const payload = { v: 2, vendor: 'kore', path: 'terraform_data.kore_revoke["k"]', connection: {}, removalPolicy: 'retain', identity: ['b', 'c', 'e', 'u'] };
    const io = capture();
    const code = await main(['revoke'], { [PAYLOAD_ENV]: JSON.stringify(payload) }).finally(io.restore);
    expect(code).toBe(0);
    expect(io.out.join('')).toBe('kore: terraform_data.kore_revoke["k"] has removalPolicy "retain": left as it is at the vendor\n');
  });
});
