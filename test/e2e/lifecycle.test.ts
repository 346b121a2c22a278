/**
 * The lifecycle guarantees, each proved with real `terraform apply` against the simulators.
 * One workspace (one state) runs the steps in order, as a stack's life in a pipeline would.
 */
import * as fs from 'fs';
import { TerraformVariable, Token } from 'cdktf';
import { KoreEntityUsers } from '../../constructs';
import { E2eWorkspace } from './harness';
import { ROLE_A, ROLE_B, StackSpec, buildStack } from './stack-spec';

jest.setTimeout(300_000);

const BASE: StackSpec = {
  polarity: [
    { id: 'analysts', integrationId: 'virustotal', groupId: '7', permissions: ['read'] },
    { id: 'everyone', integrationId: 'shodan', groupId: '1', permissions: ['read'] },
  ],
  britive: [{ id: 'oncall', profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role' }],
  kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['ana@example.com', 'bo@example.com'] }],
  polytomic: [{ id: 'ops', name: 'Sync operators', policyActions: [{ action: 'read', roleIds: [ROLE_A] }] }],
};

/** Step 2's stack: permissions, users and actions changed, identities kept. */
const CHANGED: StackSpec = {
  ...BASE,
  polarity: [{ ...BASE.polarity![0], permissions: ['read', 'admin'] }, BASE.polarity![1]],
  kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['bo@example.com', 'cy@example.com'] }],
  polytomic: [{ id: 'ops', name: 'Sync operators', policyActions: [{ action: 'read', roleIds: [ROLE_A, ROLE_B] }, { action: 'trigger', roleIds: [ROLE_B] }] }],
};

describe('lifecycle with real terraform', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });

  test('1. create: the vendors hold exactly what is declared, and grants that already exist are adopted', async () => {
    // Already at the vendor before the first apply: creating them again must succeed.
    ws.sims.britive.seed('pap-oncall', { name: 'AdministratorAccess', type: 'role' });
    ws.sims.polarity.seed('virustotal', '7', ['admin', 'read']);
    await ws.apply(buildStack(BASE));
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] }, shodan: { 1: ['read'] } });
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:AdministratorAccess'] });
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com', 'bo@example.com'] });
    expect(ws.sims.polytomic.snapshot()).toEqual({ 'Sync operators': { id: expect.any(String), actions: { read: [ROLE_A] } } });
  });

  test('6. re-applying an unchanged stack makes no vendor call', async () => {
    ws.clearRequestLogs();
    const run = await ws.apply(buildStack(BASE));
    expect(run.output).toMatch(/No changes|0 added, 0 changed, 0 destroyed/);
    expect(ws.allRequests()).toEqual([]);
  });

  test('2. change without a gap: permissions and actions update in place, Kore touches only the difference', async () => {
    const policyId = (ws.sims.polytomic.snapshot() as Record<string, { id: string }>)['Sync operators'].id;
    ws.clearRequestLogs();
    const run = await ws.apply(buildStack(CHANGED));
    // The plan names the construct next to what changes (README, Reading a plan of this library).
    expect(run.output).toMatch(/# terraform_data\.polarity_apply\["virustotal\/7"\] must be replaced[\s\S]*?triggers_replace = <<-EOT\n\s+construct e2e\/analysts\n\s+- \{"integrationId":"virustotal","groupId":"7","permissions":\["read"\]\}\n\s+\+ \{"integrationId":"virustotal","groupId":"7","permissions":\["read","admin"\]\}/);
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['admin', 'read'] }, shodan: { 1: ['read'] } });
    expect(ws.sims.polarity.calls({ method: 'DELETE' })).toEqual([]);
    expect(ws.sims.polarity.calls({ method: 'POST' })).toHaveLength(1);
    const polytomic = ws.sims.polytomic.snapshot() as Record<string, { id: string; actions: object }>;
    expect(polytomic['Sync operators']).toEqual({ id: policyId, actions: { read: [ROLE_A, ROLE_B], trigger: [ROLE_B] } });
    expect(ws.sims.polytomic.calls({ method: 'DELETE' })).toEqual([]);
    expect(ws.sims.polytomic.calls({ method: 'POST' })).toEqual([]);
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['bo@example.com', 'cy@example.com'] });
    const koreChanges = ws.sims.kore.requests.map((r) => `${r.method} ${r.body}`).sort();
    expect(koreChanges).toEqual(['DELETE {"userList":["ana@example.com"]}', 'PUT {"userList":["cy@example.com"]}']);
    expect(ws.sims.britive.requests).toEqual([]);
  });

  test('renaming a construct re-applies its grant once and revokes nothing; the plan shows the old and new path', async () => {
    const renamed = { ...CHANGED, polarity: [{ ...CHANGED.polarity![0], id: 'analysts-renamed' }, CHANGED.polarity![1]] };
    ws.clearRequestLogs();
    const run = await ws.apply(buildStack(renamed));
    expect(run.output).toMatch(/- construct e2e\/analysts\n\s+\+ construct e2e\/analysts-renamed/);
    expect(ws.sims.polarity.calls({ method: 'DELETE' })).toEqual([]);
    expect(ws.sims.polarity.calls({ method: 'POST' })).toHaveLength(1);
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['admin', 'read'] }, shodan: { 1: ['read'] } });
    expect([...ws.sims.britive.requests, ...ws.sims.kore.requests, ...ws.sims.polytomic.requests]).toEqual([]);
    // Back to the name the next steps use.
    await ws.apply(buildStack(CHANGED));
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['admin', 'read'] }, shodan: { 1: ['read'] } });
  });

  test('3. identity change: the old grant is revoked and the new one granted', async () => {
    ws.clearRequestLogs();
    await ws.apply(buildStack({
      polarity: [{ id: 'analysts', integrationId: 'virustotal', groupId: '8', permissions: ['read'] }, BASE.polarity![1]],
      britive: [{ id: 'oncall', profileId: 'pap-oncall', permissionName: 'PowerUserAccess', permissionType: 'role' }],
      kore: [{ id: 'eng', entityId: 'sales@example.com', users: ['bo@example.com', 'cy@example.com'] }],
      polytomic: [{ id: 'ops', name: 'Sync runners', policyActions: [{ action: 'trigger', roleIds: [ROLE_B] }] }],
    }));
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 8: ['read'] }, shodan: { 1: ['read'] } });
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:PowerUserAccess'] });
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/sales@example.com': ['bo@example.com', 'cy@example.com'] });
    expect(Object.keys(ws.sims.polytomic.snapshot())).toEqual(['Sync runners']);
  });

  test('4. removal from code: deleting the last construct of each vendor (providers kept) revokes it', async () => {
    await ws.apply(buildStack({ polarity: [BASE.polarity![1]] }));
    expect(ws.sims.polarity.snapshot()).toEqual({ shodan: { 1: ['read'] } });
    expect(ws.sims.britive.snapshot()).toEqual({});
    expect(ws.sims.kore.snapshot()).toEqual({});
    expect(ws.sims.polytomic.snapshot()).toEqual({});
    await ws.apply(buildStack({}));
    expect(ws.sims.polarity.snapshot()).toEqual({});
  });

  test('a value from another resource feeds a construct and is resolved at apply time', async () => {
    await ws.apply(buildStack({ ...BASE, polarityGroupFromResource: 'analysts' }));
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] }, shodan: { 1: ['read'] } });
    const tf = JSON.parse(fs.readFileSync(`${ws.stackDir}/cdk.tf.json`, 'utf8'));
    expect(JSON.stringify(tf.locals.polarity_instances)).toContain('${jsonencode(terraform_data.analysts-group.output.groupId)}');
    // The upstream value changes: same instance key, new identity, so group 7 is revoked and group 9 granted.
    await ws.apply(buildStack({ ...BASE, polarity: [{ ...BASE.polarity![0], groupId: '9' }, BASE.polarity![1]], polarityGroupFromResource: 'analysts' }));
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 9: ['read'] }, shodan: { 1: ['read'] } });
  });

  test('a literal holding Terraform template syntax reaches the vendor as written', async () => {
    const odd = { id: 'odd', profileId: 'pap-admins', permissionName: 'Team ${ops} %{if x}', permissionType: 'group' };
    await ws.apply(buildStack({ ...BASE, britive: [...BASE.britive!, odd] }));
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:AdministratorAccess'], 'pap-admins': ['group:Team ${ops} %{if x}'] });
    await ws.apply(buildStack(BASE));
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:AdministratorAccess'] });
  });

  test('a Kore user list from a Terraform variable: one instance per user, a change touches only the difference', async () => {
    const withVariableUsers = (stack: import('cdktf').TerraformStack) => {
      buildStack(BASE)(stack);
      const users = new TerraformVariable(stack, 'sales_users', { type: 'list(string)', default: ['dee@example.com', 'eli@example.com'] });
      new KoreEntityUsers(stack, 'sales', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'sales@example.com', users: Token.asList(users.value) });
    };
    await ws.apply(withVariableUsers);
    expect(ws.sims.kore.snapshot()).toMatchObject({ 'st-search/fc-drive/sales@example.com': ['dee@example.com', 'eli@example.com'] });
    ws.clearRequestLogs();
    await ws.apply(withVariableUsers, { env: { TF_VAR_sales_users: '["eli@example.com","fay@example.com"]' } });
    expect(ws.sims.kore.snapshot()).toMatchObject({ 'st-search/fc-drive/sales@example.com': ['eli@example.com', 'fay@example.com'] });
    expect(ws.sims.kore.requests.map((r) => `${r.method} ${r.body}`).sort()).toEqual([
      'DELETE {"userList":["dee@example.com"]}', 'PUT {"userList":["fay@example.com"]}',
    ]);
    await ws.apply(buildStack(BASE));
    expect(Object.keys(ws.sims.kore.snapshot())).toEqual(['st-search/fc-drive/eng@example.com']);
  });

  test('removalPolicy retain: switching to it calls nothing; removing the construct then leaves the vendor as it is', async () => {
    ws.clearRequestLogs();
    const run = await ws.apply(buildStack({ ...BASE, polarity: [{ ...BASE.polarity![0], retain: true }, BASE.polarity![1]] }));
    // The policy is updated in place in state: no revoke, no re-grant.
    expect(run.output).toMatch(/0 added, 1 changed, 0 destroyed/);
    expect(ws.allRequests()).toEqual([]);
    await ws.apply(buildStack({ ...BASE, polarity: [BASE.polarity![1]] }));
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] }, shodan: { 1: ['read'] } });
    // Clean up the retained grant by hand, as its owner would.
    await ws.apply(buildStack({ ...BASE }));
  });

  test('5. destroy revokes everything, and what is already gone at the vendor counts as revoked', async () => {
    // Gone out of band: Polarity answers 404, Britive E1004 on their removal.
    ws.sims.britive.reset();
    ws.sims.polarity.reset();
    const run = await ws.destroy();
    expect(run.output).toMatch(/already (gone|had no permissions)/);
    for (const sim of [ws.sims.polarity, ws.sims.britive, ws.sims.kore, ws.sims.polytomic]) expect(sim.snapshot()).toEqual({});
  });
});
