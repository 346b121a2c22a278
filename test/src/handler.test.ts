import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ADDRESS_ENV, PAYLOAD_ENV } from '../../src/contract';
import { PATH_NOT_IN_CODE, constructPathOf } from '../../src/stack-manifest';
import { forgetAdvice, forgetToken } from '../../src/forget';
import { FORGET_ENV, main, parseTask } from '../../src/handler';

function capture(): { out: string[]; err: string[]; restore: () => void } {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
  return { out, err, restore: () => { o.mockRestore(); e.mockRestore(); } };
}

async function run(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main(argv, env).finally(io.restore);
  return { code, out: io.out.join(''), err: io.err.join('') };
}

const ADDRESS = 'terraform_data.polarity_revoke["virustotal/7"]';
const revokePayload = (extra: object = {}) => JSON.stringify({
  v: 3, vendor: 'polarity', key: 'virustotal/7', identity: ['virustotal', '7'], stored: '{"path":"s/analysts"}',
  providers: { polarity: { path: 's/polarity', connection: { url: 'http://127.0.0.1:9', urlEnv: 'POLARITY_URL', tokenEnv: 'T' }, http: { maxRetries: 0 } } },
  ...extra,
});

describe('handler entry', () => {
  test.each([
    [['grant'], {}, /usage: lifecycle-handler <apply\|revoke>, got "grant"/],
    [['apply'], {}, /no payload: SAAS_PERMISSIONS_PAYLOAD is empty/],
    [['apply'], { [PAYLOAD_ENV]: '{nope' }, /is not JSON/],
    [['apply'], { [PAYLOAD_ENV]: '{"v":1,"vendor":"okta"}' }, /names no known vendor: "okta"/],
    [['apply'], { [PAYLOAD_ENV]: '{"v":4,"vendor":"kore"}' }, /contract version 4, this handler reads up to 3/],
    [['revoke'], { [PAYLOAD_ENV]: revokePayload({ identity: ['a'] }), [ADDRESS_ENV]: ADDRESS },
      /polarity: terraform_data.polarity_revoke\["virustotal\/7"\]: the identity in state is \["a"\], expected values for integrationId, groupId/],
  ])('%j fails with exit 1 and a clear message', async (argv, env, message) => {
    const { code, err } = await run(argv as string[], env as Record<string, string>);
    expect(code).toBe(1);
    expect(err).toMatch(message);
  });

  test('an unexpected error is reported with redaction too', async () => {
    const payload = { v: 3, vendor: 'polarity', path: 's/p', connection: { tokenEnv: 'MY_TOKEN', urlEnv: 'U', url: 'http://127.0.0.1:9' }, resource: null };
    const { code, err } = await run(['apply'], { [PAYLOAD_ENV]: JSON.stringify(payload), MY_TOKEN: 'very-secret-token' });
    expect(code).toBe(1);
    expect(err).not.toContain('very-secret-token');
  });

  test('a URL from the environment that is not http(s), or holds a password, fails before any call, naming its source', async () => {
    const payload = { v: 3, vendor: 'britive', path: 's/p', connection: { tokenEnv: 'T', tenantEnv: 'BRITIVE_TENANT' }, resource: { profileId: 'p', permissionName: 'n', permissionType: 'role' } };
    const env = { [PAYLOAD_ENV]: JSON.stringify(payload), [ADDRESS_ENV]: 'terraform_data.britive_apply["p/n/role"]', T: 'token-value-123' };
    const ftp = await run(['apply'], { ...env, BRITIVE_TENANT: 'ftp://acme.example.com' });
    expect(ftp.err).toMatch(/^britive: the URL from BRITIVE_TENANT is not an http\(s\) URL without query or fragment\n  construct s\/p, Terraform instance terraform_data.britive_apply\["p\/n\/role"\]\n$/);
    const userinfo = await run(['apply'], { ...env, BRITIVE_TENANT: 'https://svc:hunter2-password@acme.example.com' });
    expect(userinfo.err).toMatch(/^britive: the URL from BRITIVE_TENANT holds a user name or password/);
    expect(userinfo.err).not.toContain('hunter2');
  });

  test('an id of ".." resolved at apply time is refused before any request', async () => {
    const payload = { v: 3, vendor: 'polarity', path: 's/p', connection: { tokenEnv: 'T', urlEnv: 'U' }, resource: { integrationId: '..', groupId: '7', permissions: ['read'] } };
    const { code, err } = await run(['apply'], { [PAYLOAD_ENV]: JSON.stringify(payload), T: 'token-value-123', U: 'http://127.0.0.1:9' });
    expect(code).toBe(1);
    expect(err).toMatch(/invalid value resolved at apply time: integrationId must not be "\.\.": it would change the request's path\. Nothing was sent/);
  });

  test('a revoke uses the provider\'s current settings while it exists, else those stored with the grant, else the defaults', () => {
    const stored = { connection: { url: 'https://old.example.com', urlEnv: 'OLD_URL', tokenEnv: 'OLD_TOKEN' } };
    const current = parseTask('revoke', revokePayload({ stored: JSON.stringify({ path: 's/a', ...stored }) }));
    expect(current.connection).toEqual({ url: 'http://127.0.0.1:9', urlEnv: 'POLARITY_URL', tokenEnv: 'T' });
    const gone = parseTask('revoke', revokePayload({ providers: {}, stored: JSON.stringify({ path: 's/a', ...stored }) }));
    expect(gone.connection).toEqual(stored.connection);
    expect(gone.path).toBe('s/a');
    const other = parseTask('revoke', revokePayload({ key: 'eu//virustotal/7', providers: {}, stored: '{"path":"s/a"}' }));
    expect(other.connection).toEqual({ urlEnv: 'POLARITY_URL', tokenEnv: 'POLARITY_TOKEN' });
  });

  test('settings found only in state are used only when declared (a provider or the defaults) or confirmed for exactly those settings', async () => {
    const evil = { connection: { url: 'http://127.0.0.1:9', urlEnv: 'POLARITY_URL', tokenEnv: 'CI_DEPLOY_SECRET' }, http: { maxRetries: 0 } };
    const orphan = parseTask('revoke', revokePayload({ key: 'evil//virustotal/7', stored: JSON.stringify({ path: 's/a', ...evil }) }));
    expect(orphan.unconfirmed?.token).toMatch(/^evil@[0-9a-f]{12}$/);
    const sameAsDeclared = parseTask('revoke', revokePayload({ key: 'eu//virustotal/7', stored: JSON.stringify({ path: 's/a', connection: { url: 'http://127.0.0.1:9', urlEnv: 'POLARITY_URL', tokenEnv: 'T' } }) }));
    expect(sameAsDeclared.unconfirmed).toBeUndefined();
    const insecure = parseTask('revoke', revokePayload({ key: 'eu//virustotal/7', stored: JSON.stringify({ path: 's/a', http: { allowInsecureHttp: true } }) }));
    expect(insecure.unconfirmed).toBeDefined();

    const env = { [PAYLOAD_ENV]: revokePayload({ key: 'evil//virustotal/7', stored: JSON.stringify({ path: 's/a', ...evil }) }), [ADDRESS_ENV]: ADDRESS, CI_DEPLOY_SECRET: 'ci-secret-1234' };
    const refused = await run(['revoke'], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`SAAS_PERMISSIONS_TRUST_STORED='${orphan.unconfirmed!.token}'`);
    expect(refused.err).toContain('Nothing was sent');
    const other = await run(['revoke'], { ...env, SAAS_PERMISSIONS_TRUST_STORED: 'evil@0123456789ab' });
    expect(other.err).toContain('would use settings found only in state');
    // Confirmed: the revoke goes ahead (and fails at the closed port, which is past the trust check).
    const confirmed = await run(['revoke'], { ...env, SAAS_PERMISSIONS_TRUST_STORED: `x@000000000000 ${orphan.unconfirmed!.token}` });
    expect(confirmed.err).not.toContain('would use settings found only in state');
    expect(confirmed.err).toMatch(/ECONNREFUSED/);
  });

  test.each([
    ['stored by contract 3', '{"path":"s/analysts","removal":"retain"}'],
    ['stored by contract 2', 'retain'],
  ])('a revoke whose removal policy in state is retain calls nothing (%s)', async (_name, stored) => {
    const { code, out } = await run(['revoke'], { [PAYLOAD_ENV]: revokePayload({ stored }), [ADDRESS_ENV]: ADDRESS });
    expect(code).toBe(0);
    expect(out).toMatch(/^polarity: .* has removalPolicy "retain": left as it is at the vendor\n$/);
  });

  test(`${FORGET_ENV} lets go only the instance, stack and URL its token was printed for`, async () => {
    const env = { [PAYLOAD_ENV]: revokePayload(), [ADDRESS_ENV]: ADDRESS, T: 'token-value-123' };
    const token = forgetToken(parseTask('revoke', env[PAYLOAD_ENV], ADDRESS), env);
    expect(forgetAdvice(parseTask('revoke', env[PAYLOAD_ENV], ADDRESS), env)).toContain(`${FORGET_ENV}=${token}`);
    const address = await run(['revoke'], { ...env, [FORGET_ENV]: ADDRESS });
    expect(address.code).toBe(1);
    expect(address.err).toMatch(/WARNING: SAAS_PERMISSIONS_FORGET holds 1 entry that is not a token/);
    const otherStack = await run(['revoke'], { ...env, [PAYLOAD_ENV]: revokePayload({ stored: '{"path":"t/analysts"}' }), [FORGET_ENV]: token });
    expect(otherStack.code).toBe(1);
    const named = await run(['revoke'], { ...env, [FORGET_ENV]: `forget-0000000000000000\n${token}` });
    expect(named.code).toBe(0);
    expect(named.out).toBe(`polarity: ${ADDRESS} (s/analysts) let go at your request (${FORGET_ENV}): the vendor was not asked; check it there by hand\n`);
  });

  test("a plain grant's revoke finds its construct path in the stack's manifest; a deleted construct's is named by address and its stack", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saas-paths-'));
    const manifest = (paths: Record<string, string>) => ({ '//': { 'saas-permissions': { vendor: 'polarity', providers: {}, paths } } });
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({ resource: { terraform_data: {
      polarity_revoke: manifest({ 'virustotal/7': 's/analysts', 'eu//shodan/~': 's/from-a-list' }),
    } } }));
    expect(constructPathOf('terraform_data', 'polarity', 'virustotal/7', dir)).toBe('s/analysts');
    // An instance of a list only Terraform knows: its key starts with the listed start.
    expect(constructPathOf('terraform_data', 'polarity', 'eu//shodan/~12', dir)).toBe('s/from-a-list');
    expect(constructPathOf('terraform_data', 'polarity', 'virustotal/8', dir)).toBeUndefined();
    expect(constructPathOf('null_resource', 'polarity', 'virustotal/7', dir)).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });

    // Here (no cdk.tf.json): the failure names the address, and the forget token the stack the payload names.
    const env = { [PAYLOAD_ENV]: revokePayload({ stored: null, stack: 's' }), [ADDRESS_ENV]: ADDRESS, T: 'token-value-123' };
    const task = parseTask('revoke', env[PAYLOAD_ENV], ADDRESS);
    expect(task.path).toBe(PATH_NOT_IN_CODE);
    const failed = await run(['revoke'], env);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain(`construct ${PATH_NOT_IN_CODE}, Terraform instance ${ADDRESS}`);
    // The same token as when the path was stored: the stack is the path's first part.
    expect(forgetToken(task, env)).toBe(forgetToken(parseTask('revoke', revokePayload(), ADDRESS), env));
  });
});
