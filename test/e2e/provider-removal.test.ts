/**
 * Deleting a provider construct together with its grants, in one change (a tenant decommissioned): the plan lists
 * every revoke; the apply sends nothing with settings found only in state (URLs and variable names the code no longer
 * declares) until the user confirms them, and then revokes every grant with them, for each vendor.
 */
import { TerraformStack } from 'cdktf';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider,
  PolytomicPolicy, PolytomicProvider,
} from '../../constructs';
import { SIM_CREDENTIALS } from '../../src/simulators';
import { E2eWorkspace, FAST_HTTP } from './harness';
import { ROLE_A } from './stack-spec';

jest.setTimeout(300_000);

/** Each vendor's tenant, reached through variables of its own names: the defaults are what the stack keeps using. */
function withTenants(stack: TerraformStack): void {
  const polarity = new PolarityProvider(stack, 'polarity-old', { ...FAST_HTTP, urlEnv: 'OLD_POLARITY_URL', tokenEnv: 'OLD_POLARITY_TOKEN' });
  new PolarityIntegrationPermission(stack, 'analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['admin'], provider: polarity });
  const britive = new BritiveProvider(stack, 'britive-old', { ...FAST_HTTP, tenantEnv: 'OLD_BRITIVE_TENANT', tokenEnv: 'OLD_BRITIVE_TOKEN' });
  new BritiveProfilePermission(stack, 'oncall', { profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role', provider: britive });
  const kore = new KoreProvider(stack, 'kore-old', { ...FAST_HTTP, urlEnv: 'OLD_KORE_URL', clientIdEnv: 'OLD_KORE_ID', clientSecretEnv: 'OLD_KORE_SECRET' });
  new KoreEntityUsers(stack, 'eng', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', users: ['ana@example.com', 'bo@example.com'], provider: kore });
  const polytomic = new PolytomicProvider(stack, 'polytomic-old', { ...FAST_HTTP, urlEnv: 'OLD_POLYTOMIC_URL', apiKeyEnv: 'OLD_POLYTOMIC_KEY' });
  new PolytomicPolicy(stack, 'ops', { name: 'Sync operators', policyActions: [{ action: 'read', roleIds: [ROLE_A] }], provider: polytomic });
}

/** What stays: one construct of the library, so the stack's blocks (and the revoke provisioners) stay too. */
function remaining(stack: TerraformStack): void {
  new PolarityProvider(stack, 'polarity', FAST_HTTP);
}

describe('deleting a provider construct with its grants', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });

  test('revokes every grant of every vendor with the settings the provider last had, once confirmed, and the plan says so', async () => {
    const s = ws.sims;
    // Only the variables the deleted providers named reach the vendors: the defaults point nowhere.
    const env = {
      OLD_POLARITY_URL: s.polarity.url, OLD_POLARITY_TOKEN: SIM_CREDENTIALS.polarityToken,
      OLD_BRITIVE_TENANT: s.britive.url, OLD_BRITIVE_TOKEN: SIM_CREDENTIALS.britiveToken,
      OLD_KORE_URL: s.kore.url, OLD_KORE_ID: SIM_CREDENTIALS.koreClientId, OLD_KORE_SECRET: SIM_CREDENTIALS.koreClientSecret,
      OLD_POLYTOMIC_URL: s.polytomic.url, OLD_POLYTOMIC_KEY: SIM_CREDENTIALS.polytomicApiKey,
      POLARITY_URL: 'http://127.0.0.1:9', BRITIVE_TENANT: 'http://127.0.0.1:9', KORE_URL: 'http://127.0.0.1:9', POLYTOMIC_DEPLOYMENT_URL: 'http://127.0.0.1:9',
    };
    await ws.apply((stack) => { withTenants(stack); remaining(stack); }, { env });
    expect(s.polarity.snapshot()).toEqual({ virustotal: { 7: ['admin', 'read'] } });
    expect(s.britive.snapshot()).toEqual({ 'pap-oncall': ['role:AdministratorAccess'] });
    expect(s.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com', 'bo@example.com'] });
    expect(Object.keys(s.polytomic.snapshot())).toEqual(['Sync operators']);

    ws.synth(remaining);
    const plan = await ws.terraform(['plan', '-no-color', '-input=false'], env);
    for (const address of [
      'terraform_data.polarity_revoke["polarity_old//virustotal/7"] will be destroyed',
      'terraform_data.britive_revoke["britive_old//pap-oncall/AdministratorAccess/role"] will be destroyed',
      'terraform_data.kore_revoke["kore_old//st-search/fc-drive/eng@example.com/ana@example.com"] will be destroyed',
      'terraform_data.polytomic_revoke["polytomic_old//Sync operators"] will be destroyed',
    ]) expect(plan.output).toContain(address);

    ws.clearRequestLogs();
    const refused = await ws.apply(remaining, { env, expectFailure: true });
    expect(ws.allRequests()).toEqual([]);
    const tokens = [...refused.output.matchAll(/SAAS_PERMISSIONS_TRUST_STORED='([\w-]+@[0-9a-f]{12})'/g)].map((m) => m[1]);
    expect([...new Set(tokens)].map((t) => t.split('@')[0]).sort()).toEqual(['britive_old', 'kore_old', 'polarity_old', 'polytomic_old']);
    expect(Object.keys(s.polytomic.snapshot())).toEqual(['Sync operators']);

    const run = await ws.apply(remaining, { env: { ...env, SAAS_PERMISSIONS_TRUST_STORED: [...new Set(tokens)].join(' ') } });
    // The apply instances, which hold no provisioner that runs on destroy, went with the refused apply.
    expect(run.output).toMatch(/Apply complete! Resources: 0 added, 0 changed, 5 destroyed/);
    for (const sim of [s.polarity, s.britive, s.kore, s.polytomic]) expect(sim.snapshot()).toEqual({});
  });
});
