/**
 * `cdktf-saas-permissions drift` with real terraform state and the simulators: in sync after apply; changes made by
 * hand at each vendor reported with the right statuses; --fix repairs, --prune removes what no construct declares;
 * unreadable vendors are unknown; a stack changed since its last apply is said to be pending.
 */
import * as path from 'path';
import { runProcess } from '../../scripts/run-process';
import { E2eWorkspace } from './harness';
import { ROLE_A, ROLE_B, StackSpec, buildStack } from './stack-spec';

jest.setTimeout(300_000);

const CLI = path.join(__dirname, '../../bin/cdktf-saas-permissions.js');
const SPEC: StackSpec = {
  polarity: [{ id: 'analysts', integrationId: 'virustotal', groupId: '7', permissions: ['read'] }, { id: 'everyone', integrationId: 'shodan', groupId: '1', permissions: ['read'] }],
  britive: [{ id: 'oncall', profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role' }],
  kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['ana@example.com', 'bo@example.com'] }],
  polytomic: [{ id: 'ops', name: 'Sync operators', policyActions: [{ action: 'read', roleIds: [ROLE_A] }] }],
  // This stack alone manages these scopes: prune may remove what it does not declare there.
  providerProps: { requestTimeoutSeconds: 2, deadlineSeconds: 10, baseBackoffMs: 5, maxRetries: 1, exclusiveScope: true },
};

interface Entry { vendor: string; provider: string; construct: string | null; address: string | null; identity: Record<string, unknown>; status: string; declared: unknown; actual: unknown; detail: string; fixed?: boolean }
interface Repair { action: string; vendor: string; provider: string; identity: Record<string, unknown>; before: unknown; after: unknown; outcome: string; detail: string; at: string }
interface DriftJson { summary: Record<string, number>; pendingApply: boolean | 'unknown'; grants: Entry[]; repairs: Repair[] }

describe('drift', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });

  async function drift(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; output: string; json?: DriftJson }> {
    const fullEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: '1', ...ws.sims.env, ...env };
    for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k];
    const run = await runProcess(process.execPath, [CLI, 'drift', '--stack-dir', ws.stackDir, ...args], { env: fullEnv });
    let json: DriftJson | undefined;
    // The document is the lines from "{" to "}" at the start of a line; stderr's lines come before it.
    if (args.includes('--json')) json = JSON.parse(/^\{$[\s\S]*?^\}$/m.exec(run.output)![0]);
    return { code: run.code, output: run.output, json };
  }
  const status = (doc: DriftJson) => doc.grants.map((g) => `${g.status} ${g.vendor} ${g.construct ?? '-'} ${JSON.stringify(g.identity)}`);

  test('after apply: exit 0, every grant in sync, every summary key present, a table a person reads', async () => {
    await ws.apply(buildStack(SPEC));
    const json = await drift(['--json']);
    expect(json.code).toBe(0);
    expect(json.json!.summary).toEqual({ 'in-sync': 6, missing: 0, changed: 0, unmanaged: 0, unknown: 0, expired: 0, fixed: 0, pruned: 0 });
    expect(json.json!.pendingApply).toBe(false);
    expect(json.json!.grants[0]).toEqual({
      vendor: 'britive', provider: 'e2e/britive', construct: 'e2e/oncall',
      address: 'terraform_data.britive_apply["pap-oncall/AdministratorAccess/role"]',
      identity: { profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role' },
      status: 'in-sync', declared: { present: true }, actual: { present: true }, detail: 'The vendor holds what the last apply declared.',
    });
    const table = await drift([]);
    expect(table.output).toMatch(/^STATUS +VENDOR +PROVIDER +CONSTRUCT +GRANT +DECLARED +VENDOR HOLDS$/m);
    expect(table.output).toMatch(/^in-sync +polarity +e2e\/polarity +e2e\/analysts +virustotal \/ 7 +read +read$/m);
    expect(table.output).toContain('6 grants in state: 6 in sync, 0 missing, 0 changed, 0 unknown, unmanaged not looked for (--unmanaged).');
  });

  test('changes made by hand at each vendor: exit 2, with missing, changed and (when asked) unmanaged', async () => {
    const s = ws.sims;
    s.polarity.removeGrant('shodan', '1');
    s.polarity.seed('virustotal', '7', ['admin']);
    s.polarity.seed('virustotal', '5', ['read']);
    s.britive.removePermission('pap-oncall', 'AdministratorAccess', 'role');
    s.britive.seed('pap-oncall', { name: 'PowerUserAccess', type: 'role' });
    s.kore.removeUsers('st-search', 'fc-drive', 'eng@example.com', ['ana@example.com']);
    s.kore.addUsers('st-search', 'fc-drive', 'eng@example.com', ['zed@example.com']);
    const id = (s.polytomic.snapshot() as Record<string, { id: string }>)['Sync operators'].id;
    s.polytomic.setPolicyActions(id, { read: [ROLE_A, ROLE_B] });
    s.polytomic.seedPolicy('Shadow admins', { delete: [ROLE_B] });
    ws.clearRequestLogs();

    const plain = await drift(['--json']);
    expect(plain.code).toBe(2);
    expect(plain.json!.summary).toEqual({ 'in-sync': 1, missing: 3, changed: 2, unmanaged: 0, unknown: 0, expired: 0, fixed: 0, pruned: 0 });
    const all = await drift(['--json', '--unmanaged']);
    expect(all.code).toBe(2);
    expect(status(all.json!)).toEqual([
      'missing britive e2e/oncall {"profileId":"pap-oncall","permissionName":"AdministratorAccess","permissionType":"role"}',
      'unmanaged britive - {"profileId":"pap-oncall","permissionName":"PowerUserAccess","permissionType":"role"}',
      'missing kore e2e/eng {"botId":"st-search","connectorId":"fc-drive","entityId":"eng@example.com","user":"ana@example.com"}',
      'in-sync kore e2e/eng {"botId":"st-search","connectorId":"fc-drive","entityId":"eng@example.com","user":"bo@example.com"}',
      'unmanaged kore - {"botId":"st-search","connectorId":"fc-drive","entityId":"eng@example.com","user":"zed@example.com"}',
      'changed polarity e2e/analysts {"integrationId":"virustotal","groupId":"7"}',
      'missing polarity e2e/everyone {"integrationId":"shodan","groupId":"1"}',
      'unmanaged polarity - {"integrationId":"virustotal","groupId":"5"}',
      'changed polytomic e2e/ops {"name":"Sync operators","organizationId":null}',
      'unmanaged polytomic - {"name":"Shadow admins","organizationId":"0b7f1d2c-3e4a-4b5c-8d6e-7f8091a2b3c4"}',
    ]);
    const changed = all.json!.grants.find((g) => g.construct === 'e2e/analysts')!;
    expect([changed.declared, changed.actual]).toEqual([{ permissions: ['read'] }, { permissions: ['admin', 'read'] }]);
    const policy = all.json!.grants.find((g) => g.construct === 'e2e/ops')!;
    expect([policy.declared, policy.actual]).toEqual([{ actions: { read: [ROLE_A] } }, { actions: { read: [ROLE_A, ROLE_B].sort() } }]);
    // One read per scope, never one per grant: the Kore entity is read once for its three users.
    expect(s.kore.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
    expect([...s.polarity.requests, ...s.britive.requests, ...s.kore.requests, ...s.polytomic.requests].filter((r) => r.method !== 'GET')).toEqual([]);
  });

  test('--fix brings back what the last apply declared, leaves unmanaged grants alone, and reports the second read', async () => {
    const fixed = await drift(['--fix', '--json']);
    expect(fixed.code).toBe(0);
    expect(fixed.json!.summary).toEqual({ 'in-sync': 6, missing: 0, changed: 0, unmanaged: 0, unknown: 0, expired: 0, fixed: 5, pruned: 0 });
    // Each write is listed with what the vendor held before and what it holds after, and printed as it happens.
    const analysts = fixed.json!.repairs.find((r) => r.identity.groupId === '7')!;
    expect(analysts).toMatchObject({ action: 'fix', vendor: 'polarity', provider: 'e2e/polarity', before: { permissions: ['admin', 'read'] }, after: { permissions: ['read'] }, outcome: 'done' });
    expect(analysts.detail).toMatch(/terraform apply -replace=terraform_data\.polarity_apply/);
    expect(fixed.output).toMatch(/^fixed: polarity e2e\/polarity e2e\/analysts virustotal \/ 7: admin,read -> read\./m);
    expect(fixed.json!.grants.filter((g) => g.fixed).map((g) => g.construct).sort()).toEqual(['e2e/analysts', 'e2e/eng', 'e2e/everyone', 'e2e/oncall', 'e2e/ops']);
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 5: ['read'], 7: ['read'] }, shodan: { 1: ['read'] } });
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:AdministratorAccess', 'role:PowerUserAccess'] });
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com', 'bo@example.com', 'zed@example.com'] });
    expect(Object.keys(ws.sims.polytomic.snapshot()).sort()).toEqual(['Shadow admins', 'Sync operators']);
    expect((await drift(['--unmanaged'])).code).toBe(2);
  });

  test('a repair the vendor answers as documented but does not keep is reported by the second read, never as fixed', async () => {
    ws.sims.polarity.seed('virustotal', '7', ['admin']);
    // Polarity's documented answer to the POST (204), without the change behind it.
    ws.sims.polarity.injectFault({ kind: 'status', status: 204, method: 'POST', pathIncludes: '/api/integrations/virustotal/permissions', count: 5 });
    const run = await drift(['--fix', '--json']);
    ws.sims.polarity.clearFaults();
    const analysts = run.json!.grants.find((g) => g.construct === 'e2e/analysts')!;
    expect(run.json!.repairs.find((r) => r.identity.groupId === '7')).toMatchObject({ action: 'fix', outcome: 'done' });
    expect(analysts.status).toBe('changed');
    expect(analysts.fixed).toBeUndefined();
    expect(analysts.detail).toContain('A repair was made, yet the vendor still differs.');
    expect(run.json!.summary.fixed).toBe(0);
    expect(run.code).toBe(2);
    expect((await drift(['--fix'])).code).toBe(0);
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 5: ['read'], 7: ['read'] }, shodan: { 1: ['read'] } });
  });

  test('--prune removes nothing without a terminal and without --yes; with --yes it removes what no construct declares', async () => {
    const refused = await drift(['--prune']);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/--prune would remove 3 unmanaged grant\(s\)[\s\S]*Nothing was removed: there is no terminal to confirm on; pass --yes/);
    expect(Object.keys(ws.sims.polytomic.snapshot())).toContain('Shadow admins');
    // A whole Polytomic policy goes only when named: the first prune lists it as left, and exits 2 (it is still there).
    const first = await drift(['--prune', '--yes', '--json']);
    expect(first.code).toBe(2);
    expect(first.json!.summary).toMatchObject({ unmanaged: 1, pruned: 3 });
    expect(first.json!.repairs.map((r) => `${r.outcome} ${r.vendor} ${JSON.stringify(r.identity)}`).sort()).toEqual([
      'done britive {"profileId":"pap-oncall","permissionName":"PowerUserAccess","permissionType":"role"}',
      'done kore {"botId":"st-search","connectorId":"fc-drive","entityId":"eng@example.com","user":"zed@example.com"}',
      'done polarity {"integrationId":"virustotal","groupId":"5"}',
      'skipped polytomic {"name":"Shadow admins","organizationId":"0b7f1d2c-3e4a-4b5c-8d6e-7f8091a2b3c4"}',
    ]);
    expect(first.output).toMatch(/^pruned: kore e2e\/kore - st-search \/ fc-drive \/ eng@example\.com \/ zed@example\.com: present -> \(nothing\)\. Removed at the vendor\.$/m);
    expect(Object.keys(ws.sims.polytomic.snapshot()).sort()).toEqual(['Shadow admins', 'Sync operators']);
    const pruned = await drift(['--prune', '--yes', '--json', '--prune-policy', 'Shadow admins']);
    expect(pruned.code).toBe(0);
    expect(pruned.json!.summary).toEqual({ 'in-sync': 6, missing: 0, changed: 0, unmanaged: 0, unknown: 0, expired: 0, fixed: 0, pruned: 1 });
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] }, shodan: { 1: ['read'] } });
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:AdministratorAccess'] });
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com', 'bo@example.com'] });
    expect(Object.keys(ws.sims.polytomic.snapshot())).toEqual(['Sync operators']);
  });

  test('a vendor that cannot be read is unknown (exit 3, "(not read)"); when none can be read, exit 1', async () => {
    const one = await drift(['--json'], { BRITIVE_TOKEN: undefined });
    expect(one.code).toBe(3);
    expect((await drift([], { BRITIVE_TOKEN: undefined })).output).toMatch(/^unknown +britive +e2e\/britive +e2e\/oncall +pap-oncall \/ AdministratorAccess \/ role +present +\(not read\)$/m);
    expect(one.json!.summary).toMatchObject({ 'in-sync': 5, unknown: 1 });
    expect(one.json!.grants.find((g) => g.vendor === 'britive')!.detail).toMatch(/could not be read: britive: the API token is not set: export BRITIVE_TOKEN/);
    const wrong = Object.fromEntries(['POLARITY_URL', 'BRITIVE_TENANT', 'KORE_URL', 'POLYTOMIC_DEPLOYMENT_URL'].map((k) => [k, 'http://127.0.0.1:9']));
    const none = await drift(['--json'], wrong);
    expect(none.code).toBe(1);
    expect(none.json!.summary.unknown).toBe(6);
    expect(none.output).toMatch(/No vendor could be read/);
  });

  test('a stack synthesized since its last apply is said to be pending; the report still compares with the last apply', async () => {
    ws.synth(buildStack({ ...SPEC, kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['ana@example.com'] }] }));
    const run = await drift(['--json']);
    expect(run.json!.pendingApply).toBe(true);
    expect(run.json!.summary['in-sync']).toBe(6);
    expect((await drift([])).output).toContain('The synthesized stack differs from what was last applied');
    // A repair from the last apply could bring back what the code no longer declares: it waits for a deploy.
    ws.sims.kore.removeUsers('st-search', 'fc-drive', 'eng@example.com', ['bo@example.com']);
    const refused = await drift(['--fix', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/Nothing was repaired: the synthesized stack differs from what was last applied\. Deploy the stack first/);
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
  });

  test('bad arguments and a missing stack exit 1 with what to do', async () => {
    const bad = await runProcess(process.execPath, [CLI, 'drift', '--nope']);
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/unknown option '--nope'/);
    const missing = await runProcess(process.execPath, [CLI, 'drift', '--stack-dir', ws.root]);
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/has no cdk\.tf\.json: pass a synthesized stack directory/);
  });
});
