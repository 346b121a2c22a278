/**
 * Trust only what the vendor confirms, with real terraform against the simulators: a revoke counts only when the
 * vendor says the grant is gone, an answer that is not the vendor's fails, bad input never retargets a request, and
 * the values the vendors accept are accepted.
 */
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import { DataResource, Fn, TerraformStack, Token } from 'cdktf';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider,
  PolytomicPolicy, PolytomicProvider,
} from '../../constructs';
import { KoreSimulator, SIM_CREDENTIALS } from '../../src/simulators';
import { E2eWorkspace } from './harness';
import { ROLE_A, ROLE_B, StackSpec, buildStack } from './stack-spec';

jest.setTimeout(300_000);

const QUICK = { requestTimeoutSeconds: 2, deadlineSeconds: 20, baseBackoffMs: 5, maxRetries: 1 };
const ALL: StackSpec = {
  polarity: [{ id: 'analysts', integrationId: 'virustotal', groupId: '7', permissions: ['read'] }, { id: 'everyone', integrationId: 'shodan', groupId: '1', permissions: ['read'] }],
  britive: [{ id: 'oncall', profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role' }],
  kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['ana@example.com', 'bo@example.com'] }],
  providerProps: QUICK,
};

/** A value only another resource knows: the construct sees a token, Terraform resolves it at apply time. */
function fromResource(stack: TerraformStack, id: string, value: string): string {
  const upstream = new DataResource(stack, id, { input: { value } });
  return Token.asString(Fn.lookup(upstream.output, 'value'));
}

describe('vendor truth', () => {
  let ws: E2eWorkspace;
  beforeEach(async () => { ws = await E2eWorkspace.create(); });
  afterEach(async () => { await ws.dispose(); });

  test('a destroy through wrong URLs (404s that are no vendor\'s) fails, keeps every grant in state, and a later destroy revokes them', async () => {
    await ws.apply(buildStack(ALL));
    const held = [ws.sims.polarity.snapshot(), ws.sims.britive.snapshot(), ws.sims.kore.snapshot()];
    const wrong = { POLARITY_URL: `${ws.sims.polarity.url}/wrong`, BRITIVE_TENANT: `${ws.sims.britive.url}/wrong`, KORE_URL: `${ws.sims.kore.url}/wrong` };
    const run = await ws.destroy({ expectFailure: true, env: wrong });
    expect(run.output).toMatch(/polarity: revoke all permissions on integration virustotal for group 7 could not be confirmed/);
    expect(run.output).toMatch(/britive: remove role "AdministratorAccess" on profile pap-oncall could not be confirmed: the POST answered 404 without Britive's error code E1004/);
    expect(run.output).toMatch(/kore: remove user ana@example.com .* could not be confirmed: the DELETE answered a 404 that is not Kore's/);
    expect(run.output).toMatch(/construct e2e\/analysts, Terraform instance terraform_data\.polarity_revoke\["virustotal\/7"\]/);
    expect([ws.sims.polarity.snapshot(), ws.sims.britive.snapshot(), ws.sims.kore.snapshot()]).toEqual(held);
    expect(ws.stateKeys('terraform_data', 'polarity_revoke')).toEqual(['shodan/1', 'virustotal/7']);
    expect(ws.stateKeys('terraform_data', 'kore_revoke')).toHaveLength(2);

    await ws.destroy();
    for (const sim of [ws.sims.polarity, ws.sims.britive, ws.sims.kore]) expect(sim.snapshot()).toEqual({});
  });

  test('a failed revoke of a construct deleted from the code names its Terraform address; the next apply revokes it', async () => {
    // Providers with every setting at its default: a plain grant's revoke instance stores nothing (input null).
    const defaults = { requestTimeoutSeconds: undefined, deadlineSeconds: undefined, baseBackoffMs: undefined };
    await ws.apply(buildStack({ polarity: ALL.polarity, providerProps: defaults }));
    const state = JSON.parse(fs.readFileSync(ws.stateFile, 'utf8')) as { resources: Array<{ name: string; instances: Array<{ attributes: { input: unknown } }> }> };
    expect(state.resources.find((r) => r.name === 'polarity_revoke')!.instances.map((i) => i.attributes.input)).toEqual([null, null]);
    const wrong = { POLARITY_URL: `${ws.sims.polarity.url}/wrong` };
    const remaining = buildStack({ polarity: ALL.polarity!.filter((p) => p.id !== 'analysts'), providerProps: defaults });
    const failed = await ws.apply(remaining, { expectFailure: true, env: wrong });
    // The synthesized stack no longer lists it: the address (with the grant's identity) names it.
    expect(failed.output).toMatch(/construct \(no longer in the code\), Terraform instance terraform_data\.polarity_revoke\["virustotal\/7"\]/);
    expect(ws.sims.polarity.snapshot()).toHaveProperty(['virustotal']);
    await ws.apply(remaining);
    expect(ws.sims.polarity.snapshot()).not.toHaveProperty(['virustotal']);
    expect(ws.stateKeys('terraform_data', 'polarity_revoke')).toEqual(['shodan/1']);
    // The rest of a plain grant's life with nothing stored: a change in place, then the stack's destroy.
    const everyone = ALL.polarity!.find((p) => p.id === 'everyone')!;
    await ws.apply(buildStack({ polarity: [{ ...everyone, permissions: ['read', 'admin'] }], providerProps: defaults }));
    expect(ws.sims.polarity.snapshot()).toEqual({ shodan: { 1: ['admin', 'read'] } });
    await ws.destroy();
    expect(ws.sims.polarity.snapshot()).toEqual({});
  });

  test('a host without the bot (another region) never counts as revoked; SAAS_PERMISSIONS_FORGET takes the token printed for exactly that instance, stack and host', async () => {
    await ws.apply(buildStack({ kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['ana@example.com', 'bo@example.com'] }], providerProps: QUICK }));
    const region = new KoreSimulator({ clientId: SIM_CREDENTIALS.koreClientId, clientSecret: SIM_CREDENTIALS.koreClientSecret, entities: {} });
    const other = new KoreSimulator({ clientId: SIM_CREDENTIALS.koreClientId, clientSecret: SIM_CREDENTIALS.koreClientSecret, entities: {} });
    const elsewhere = { KORE_URL: await region.start() };
    const thirdHost = { KORE_URL: await other.start() };
    try {
      const failed = await ws.destroy({ expectFailure: true, env: elsewhere });
      expect(failed.output).toMatch(/could not be confirmed: reading the connector's entity list failed: .*Bot st-search not found/);
      // The advice names the command that ran, in both forms, and holds no address for cdktf-cli to rewrite.
      const advice = /re-run SAAS_PERMISSIONS_FORGET=(forget-[0-9a-f]{16}) cdktf destroy \(or SAAS_PERMISSIONS_FORGET=\1 terraform destroy\)/;
      expect(failed.output).toMatch(advice);
      const token = /remove user ana@example\.com[\s\S]*?SAAS_PERMISSIONS_FORGET=(forget-[0-9a-f]{16})/.exec(failed.output)![1];

      // The same token against another host (another tenant, another stack's URL) lets nothing go, and says so.
      const scoped = await ws.destroy({ expectFailure: true, env: { ...thirdHost, SAAS_PERMISSIONS_FORGET: token } });
      expect(scoped.output).not.toMatch(/let go at your request/);
      expect(scoped.output).toMatch(/WARNING: SAAS_PERMISSIONS_FORGET is set \(1 token\)/);
      // A bare address, which matched in every stack, is no longer taken.
      const address = await ws.destroy({ expectFailure: true, env: { ...elsewhere, SAAS_PERMISSIONS_FORGET: 'terraform_data.kore_revoke["st-search/fc-drive/eng@example.com/ana@example.com"]' } });
      expect(address.output).not.toMatch(/let go at your request/);
      expect(address.output).toMatch(/SAAS_PERMISSIONS_FORGET holds 1 entry that is not a token printed with a failed revoke/);
      expect(ws.stateKeys('terraform_data', 'kore_revoke')).toHaveLength(2);

      const partly = await ws.destroy({ expectFailure: true, env: { ...elsewhere, SAAS_PERMISSIONS_FORGET: token } });
      expect(partly.output).toMatch(/let go at your request \(SAAS_PERMISSIONS_FORGET\)/);
      expect(ws.stateKeys('terraform_data', 'kore_revoke')).toEqual(['st-search/fc-drive/eng@example.com/bo@example.com']);
    } finally {
      await region.stop();
      await other.stop();
    }
    await ws.destroy();
    // Let go: still held at the vendor, as the message says; bo was revoked for real.
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
  });

  test('an SSO login page or a redirect in front of the API fails the apply, naming what came back; nothing is recorded as granted', async () => {
    const sso = http.createServer((req, res) => {
      if (req.url?.startsWith('/api/public')) {
        res.writeHead(302, { Location: 'https://sso.example.com/login' });
        res.end();
      } else {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html><body>Sign in</body></html>');
      }
    });
    await new Promise<void>((r) => sso.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(sso.address() as AddressInfo).port}`;
    try {
      const run = await ws.apply(buildStack(ALL), { expectFailure: true, env: { POLARITY_URL: url, BRITIVE_TENANT: url, KORE_URL: url } });
      expect(run.output).toMatch(/polarity: grant read on integration virustotal for group 7 failed: POST .* answered HTTP 200 where the vendor documents 204 \(text\/html/);
      expect(run.output).toMatch(/britive: add role "AdministratorAccess" on profile pap-oncall failed: POST .* answered HTTP 200 with a body of type text\/html/);
      expect(run.output).toMatch(/kore: add user ana@example.com .* answered HTTP 302, a redirect to https:\/\/sso\.example\.com\/login; the API does not redirect and it is not followed/);
      // Failed creates are kept tainted, so the next apply runs them again.
      expect(ws.stateKeys('terraform_data', 'polarity_apply')).toEqual([]);
      expect(ws.stateKeys('terraform_data', 'polarity_apply', { tainted: true })).toEqual(['shodan/1', 'virustotal/7']);
    } finally {
      await new Promise<void>((r) => sso.close(() => r()));
    }
  });

  test('".." or a newline resolved at apply time is refused before any request, and leaves nothing to revoke', async () => {
    const build = (value: string) => (stack: TerraformStack) => {
      new PolarityProvider(stack, 'polarity', QUICK);
      new PolarityIntegrationPermission(stack, 'odd', { integrationId: fromResource(stack, 'integration', value), groupId: '7', permissions: ['read'] });
    };
    const dots = await ws.apply(build('..'), { expectFailure: true });
    expect(dots.output).toMatch(/integrationId must not be "\.\.": it would change the request's path/);
    // The value changes upstream: the refused grant leaves nothing to revoke, and the new value is checked in turn.
    const newline = await ws.apply(build('a\nb'), { expectFailure: true });
    expect(newline.output).toMatch(/polarity: e2e\/odd: integrationId "\.\." cannot be part of a request path, so no grant can exist under it: nothing to revoke/);
    expect(newline.output).toMatch(/integrationId must not contain control characters/);
    expect(ws.sims.polarity.requests.filter((r) => r.method === 'POST')).toEqual([]);
    await ws.apply(build('virustotal'));
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] } });
  });

  test('the same grant declared twice through values from other resources fails the apply, naming both constructs', async () => {
    const build = (stack: TerraformStack) => {
      new PolarityProvider(stack, 'polarity', QUICK);
      new PolarityIntegrationPermission(stack, 'first', { integrationId: 'virustotal', groupId: fromResource(stack, 'group-a', '7'), permissions: ['read'] });
      new PolarityIntegrationPermission(stack, 'second', { integrationId: 'virustotal', groupId: fromResource(stack, 'group-b', '7'), permissions: ['admin'] });
    };
    const run = await ws.apply(build, { expectFailure: true });
    expect(run.output.replace(/\n/g, ' ')).toMatch(/The same polarity grant \["virustotal","7"\] is declared by more than one construct \(e2e\/(first|second), e2e\/(first|second)\): keep one of them/);
    expect(ws.stateKeys('terraform_data', 'polarity_revoke')).toEqual([]);
    expect(ws.sims.polarity.snapshot()).toEqual({});
  });

  test('a user written in decomposed Unicode reaches the vendor composed, as Terraform normalizes it', async () => {
    await ws.apply(buildStack({ kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['jose\u0301@example.com'] }], providerProps: QUICK }));
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['jos\u00e9@example.com'] });
    await ws.destroy();
    expect(ws.sims.kore.snapshot()).toEqual({});
  });

  test('two Polytomic policies named alike at the vendor: the apply refuses to act and lists their ids', async () => {
    const ids = [ws.sims.polytomic.seedPolicy('Ops', { read: [ROLE_A] }), ws.sims.polytomic.seedPolicy('Ops', { read: [ROLE_B] })];
    const run = await ws.apply(buildStack({ polytomic: [{ id: 'ops', name: 'Ops', policyActions: [{ action: 'read', roleIds: [ROLE_A] }] }], providerProps: QUICK }), { expectFailure: true });
    expect(run.output).toMatch(/2 policies are named "Ops"/);
    for (const id of ids) expect(run.output).toContain(id);
    expect(ws.sims.polytomic.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  test('what the vendors accept is accepted: any Polytomic action, any Britive type, a Kore entity by its _id', async () => {
    const entity = ws.sims.kore.entity('st-search', 'fc-drive', 'sales@example.com')!;
    const build = (stack: TerraformStack) => {
      new PolytomicProvider(stack, 'polytomic', QUICK);
      new PolytomicPolicy(stack, 'models', { name: 'Model editors', policyActions: [{ action: 'run_model', roleIds: [ROLE_A] }, { action: 'export', roleIds: [] }] });
      new BritiveProvider(stack, 'britive', QUICK);
      new BritiveProfilePermission(stack, 'rm', { profileId: 'pap-admins', permissionName: 'Ops', permissionType: 'ResourceManagerPolicy' });
      new KoreProvider(stack, 'kore', QUICK);
      new KoreEntityUsers(stack, 'sales', { botId: 'st-search', connectorId: 'fc-drive', entityId: entity._id, users: ['cy@example.com'] });
    };
    await ws.apply(build);
    expect(ws.sims.polytomic.snapshot()).toMatchObject({ 'Model editors': { actions: { run_model: [ROLE_A] } } });
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-admins': ['ResourceManagerPolicy:Ops'] });
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/sales@example.com': ['cy@example.com'] });
    await ws.destroy();
    for (const sim of [ws.sims.polytomic, ws.sims.britive, ws.sims.kore]) expect(sim.snapshot()).toEqual({});
  });

  test('two tenants of one vendor, each URL from the environment variable its provider names (urlEnv)', async () => {
    const build = (second: 'grant' | 'provider' | 'none') => (stack: TerraformStack) => {
      const us = new PolarityProvider(stack, 'polarity', QUICK);
      new PolarityIntegrationPermission(stack, 'us-analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['read'], provider: us });
      if (second === 'none') return;
      const eu = new PolarityProvider(stack, 'polarity-eu', { ...QUICK, urlEnv: 'POLARITY_EU_URL', tokenEnv: 'POLARITY_EU_TOKEN' });
      if (second === 'grant') new PolarityIntegrationPermission(stack, 'eu-analysts', { integrationId: 'shodan', groupId: '3', permissions: ['admin'], provider: eu });
    };
    const env = { POLARITY_EU_URL: ws.sims.polarity.url, POLARITY_EU_TOKEN: SIM_CREDENTIALS.polarityToken };
    await ws.apply(build('grant'), { env });
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] }, shodan: { 3: ['admin', 'read'] } });
    expect(ws.stateKeys('terraform_data', 'polarity_revoke')).toEqual(['polarity_eu//shodan/3', 'virustotal/7']);
    // As with a Terraform provider: its grants go first, with the provider still declared; then the provider.
    await ws.apply(build('provider'), { env });
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] } });
    await ws.apply(build('none'), { env });
    expect(ws.stateKeys('terraform_data', 'polarity_revoke')).toEqual(['virustotal/7']);
  });
});
