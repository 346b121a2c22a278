/**
 * Upgrading an applied stack from version 0.1.0 (per-provider blocks, contract 2) must not revoke and re-grant
 * anything: the stack synthesized by 0.1.0 (test/e2e/fixtures) is applied, then the same stack synthesized by this
 * version; Terraform moves or keeps every instance and no vendor is called. Then the upgraded stack removes and
 * destroys as it should.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TerraformStack, TerraformVariable, Token } from 'cdktf';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider,
  PolytomicPolicy, PolytomicProvider,
} from '../../constructs';
import { E2eWorkspace } from './harness';
import { ROLE_A } from './stack-spec';

jest.setTimeout(300_000);

const FIXTURE = path.join(__dirname, 'fixtures/upgrade-from-0.1.0');

/** The fixture's stack, written for this version; `withEu` false removes the second Polarity tenant's analysts. */
function current(withEu = true) {
  return (stack: TerraformStack) => {
    const quick = { requestTimeoutSeconds: 2, deadlineSeconds: 30, baseBackoffMs: 20 };
    const polarity = new PolarityProvider(stack, 'polarity', quick);
    const eu = new PolarityProvider(stack, 'polarity-eu', quick);
    new BritiveProvider(stack, 'britive', quick);
    new KoreProvider(stack, 'kore', quick);
    new PolytomicProvider(stack, 'polytomic', quick);
    new PolarityIntegrationPermission(stack, 'analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['read'], provider: polarity });
    if (withEu) new PolarityIntegrationPermission(stack, 'eu-analysts', { integrationId: 'shodan', groupId: '3', permissions: ['admin'], provider: eu });
    new PolarityIntegrationPermission(stack, 'eu-everyone', { integrationId: 'virustotal', groupId: '1', permissions: ['read'], provider: eu, removalPolicy: 'retain' });
    new BritiveProfilePermission(stack, 'oncall', { profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role' });
    new KoreEntityUsers(stack, 'eng', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', users: ['ana@example.com', 'bo@example.com'] });
    const sales = new TerraformVariable(stack, 'sales_users', { type: 'list(string)', default: ['dee@example.com', 'eli@example.com'] });
    new KoreEntityUsers(stack, 'sales', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'sales@example.com', users: Token.asList(sales.value) });
    new PolytomicPolicy(stack, 'ops', { name: 'Sync operators', policyActions: [{ action: 'read', roleIds: [ROLE_A] }] });
  };
}

describe('upgrade from 0.1.0', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });

  test('the upgraded stack revokes nothing and moves every instance; removal and destroy then work', async () => {
    fs.cpSync(FIXTURE, ws.stackDir, { recursive: true });
    const config = JSON.parse(fs.readFileSync(path.join(ws.stackDir, 'cdk.tf.json'), 'utf8'));
    config.terraform.backend.local.path = ws.stateFile;
    fs.writeFileSync(path.join(ws.stackDir, 'cdk.tf.json'), JSON.stringify(config));
    await ws.init();
    const old = await ws.terraform(['apply', '-auto-approve', '-no-color', '-input=false']);
    expect(old.code).toBe(0);
    const held = {
      polarity: ws.sims.polarity.snapshot(), britive: ws.sims.britive.snapshot(), kore: ws.sims.kore.snapshot(), polytomic: ws.sims.polytomic.snapshot(),
    };
    expect(held.polarity).toEqual({ virustotal: { 1: ['read'], 7: ['read'] }, shodan: { 3: ['admin', 'read'] } });
    expect(ws.stateKeys('terraform_data', 'polarity_eu_revoke')).toEqual(['shodan/3', 'virustotal/1']);

    ws.clearRequestLogs();
    const upgrade = await ws.apply(current());
    // Nothing is revoked: each apply instance is replaced once (its trigger gains the construct line), which
    // re-applies its grant, idempotently; the vendors hold after it exactly what they held before (checked below).
    expect(ws.allRequests().filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(upgrade.output).not.toMatch(/_revoke\[[^\]]*\]: Destroying/);
    expect(upgrade.output).toMatch(/terraform_data\.polarity_revoke\["polarity_eu\/\/shodan\/3"\] will be updated in-place\s+# \(moved from terraform_data\.polarity_eu_revoke\["shodan\/3"\]\)/);
    expect(upgrade.output).toMatch(/terraform_data\.polarity_apply\["polarity_eu\/\/shodan\/3"\] must be replaced\s+# \(moved from terraform_data\.polarity_eu_apply\["shodan\/3"\]\)/);
    // The revoke instances gain what contract 3 stores (the construct path) in place; only apply instances are
    // replaced (as many added as destroyed).
    const [, added, destroyed] = /Apply complete! Resources: (\d+) added, \d+ changed, (\d+) destroyed/.exec(upgrade.output) ?? [];
    expect(Number(added)).toBeGreaterThan(0);
    expect(destroyed).toBe(added);
    expect(ws.stateKeys('terraform_data', 'polarity_eu_revoke')).toEqual([]);
    expect(ws.stateKeys('terraform_data', 'polarity_revoke')).toEqual(['polarity_eu//shodan/3', 'polarity_eu//virustotal/1', 'virustotal/7']);
    expect({
      polarity: ws.sims.polarity.snapshot(), britive: ws.sims.britive.snapshot(), kore: ws.sims.kore.snapshot(), polytomic: ws.sims.polytomic.snapshot(),
    }).toEqual(held);
    const again = await ws.apply(current());
    expect(again.output).toMatch(/No changes/);

    await ws.apply(current(false));
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 1: ['read'], 7: ['read'] } });
    await ws.destroy();
    // The retained grant stays; everything else is revoked.
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 1: ['read'] } });
    for (const sim of [ws.sims.britive, ws.sims.kore, ws.sims.polytomic]) expect(sim.snapshot()).toEqual({});
  });
});
