/**
 * `cdktf-saas-permissions import`: the code it prints for what each vendor holds, pasted into a stack and deployed
 * for the first time, changes nothing at the vendor (the grants are adopted), as the simulators' state and request
 * logs show; and the stack then manages them (a drift report finds them in sync).
 */
import * as fs from 'fs';
import * as path from 'path';
import { runProcess } from '../../scripts/run-process';
import { E2eWorkspace } from './harness';
import { ROLE_A, ROLE_B } from './stack-spec';

jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/cdktf-saas-permissions.js');

describe('import', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });

  const env = () => ({ PATH: process.env.PATH, CHECKPOINT_DISABLE: '1', ...ws.sims.env });
  const cli = (...args: string[]) => runProcess(process.execPath, [CLI, ...args], { env: env() });

  test('prints constructs for what each vendor holds; a first deploy of them changes nothing at the vendor', async () => {
    const s = ws.sims;
    s.polarity.seed('virustotal', '7', ['admin']);
    s.polarity.seed('virustotal', '1', ['read']);
    s.britive.seed('pap-oncall', { name: 'AdministratorAccess', type: 'role' });
    s.britive.seed('pap-oncall', { name: 'Team \'ops\' / on-call', type: 'group' });
    s.kore.addUsers('st-search', 'fc-drive', 'eng@example.com', ['ana@example.com', 'bo@example.com']);
    s.kore.addUsers('st-search', 'fc-drive', 'sales@example.com', ['cy@example.com']);
    s.polytomic.seedPolicy('Sync operators', { read: [ROLE_A, ROLE_B], sync_to: [ROLE_B] });
    s.polytomic.seedPolicy('Nobody yet', {});
    const held = () => [s.polarity.snapshot(), s.britive.snapshot(), s.kore.snapshot(), s.polytomic.snapshot()];
    const before = held();

    const outputs = await Promise.all([
      cli('import', 'polarity', '--integration', 'virustotal'),
      cli('import', 'britive', '--profile', 'pap-oncall'),
      cli('import', 'kore', '--bot', 'st-search', '--connector', 'fc-drive'),
      cli('import', 'polytomic'),
    ]);
    for (const o of outputs) expect(o.code).toBe(0);
    const code = outputs.map((o) => o.output).join('\n');
    expect(code).toContain('new PolarityIntegrationPermission(this, "virustotal-group-7", { integrationId: "virustotal", groupId: "7", permissions: ["admin", "read"] });');
    expect(code).toContain('new BritiveProfilePermission(this, "pap-oncall-group-team-ops-on-call", { profileId: "pap-oncall", permissionName: "Team \'ops\' / on-call", permissionType: "group" });');
    expect(code).toContain('new KoreEntityUsers(this, "eng-example-com-users", { botId: "st-search", connectorId: "fc-drive", entityId: "eng@example.com", users: ["ana@example.com", "bo@example.com"] });');
    expect(code).toContain('// Not declared: entity legal@example.com has no users: a KoreEntityUsers needs at least one.');
    expect(code).toMatch(/\/\/ Not declared: policy "Nobody yet" \(.*\) gives no role any action/);
    expect(code).toContain("import { PolytomicPolicy } from 'cdktf-saas-permissions';");

    // The printed code, pasted into a stack of an app that depends on this package (here: its source).
    const imports = code.split('\n').filter((l) => l.startsWith('import ')).map((l) => l.replace("'cdktf-saas-permissions'", JSON.stringify(path.join(ROOT, 'constructs'))));
    const statements = code.split('\n').filter((l) => l.startsWith('new '));
    const app = path.join(ws.root, 'imported.ts');
    fs.writeFileSync(app, [
      "import { App, LocalBackend, TerraformStack } from 'cdktf';",
      `import { BritiveProvider, KoreProvider, PolarityProvider, PolytomicProvider } from ${JSON.stringify(path.join(ROOT, 'constructs'))};`,
      ...imports,
      'class Imported extends TerraformStack {',
      '  constructor(scope: App, id: string) {',
      '    super(scope, id);',
      `    new LocalBackend(this, { path: ${JSON.stringify(ws.stateFile)} });`,
      "    new PolarityProvider(this, 'polarity'); new BritiveProvider(this, 'britive'); new KoreProvider(this, 'kore'); new PolytomicProvider(this, 'polytomic');",
      ...statements.map((l) => `    ${l}`),
      '  }',
      '}',
      `const app = new App({ outdir: ${JSON.stringify(ws.outdir)} });`,
      `new Imported(app, ${JSON.stringify(ws.stackName)});`,
      'app.synth();',
    ].join('\n'));
    const synth = await runProcess(path.join(ROOT, 'node_modules/.bin/tsx'), [app], { cwd: ROOT, env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } });
    expect(synth.output).toBe('');
    expect(synth.code).toBe(0);
    await ws.init();
    ws.clearRequestLogs();
    const deploy = await ws.terraform(['apply', '-auto-approve', '-no-color', '-input=false']);
    expect(deploy.code).toBe(0);
    expect(held()).toEqual(before);
    // Requests that change nothing are fine (Polarity's POST sets the same set, Britive's add answers E1005 and a
    // listing confirms it, Kore's PUT adds users already there); Polytomic, found alike, is only read.
    const writes = ws.allRequests().filter((r) => r.method !== 'GET').map((r) => `${r.vendor} ${r.method} ${r.status}`).sort();
    expect(writes).toEqual([
      'britive POST 400', 'britive POST 400', 'kore PUT 200', 'kore PUT 200', 'kore PUT 200', 'polarity POST 204', 'polarity POST 204',
    ]);

    const drift = await runProcess(process.execPath, [CLI, 'drift', '--stack-dir', ws.stackDir, '--unmanaged'], { env: env() });
    expect(drift.output).toContain('8 grants in state: 8 in sync, 0 missing, 0 changed, 0 unknown, 1 unmanaged.');
  });

  test('--json lists what the vendor holds as drift report entries; a missing scope option says which', async () => {
    const json = await cli('import', 'kore', '--bot', 'st-search', '--connector', 'fc-drive', '--entity', 'eng@example.com', '--json', '--provider-id', 'koreEu');
    expect(JSON.parse(json.output).grants).toEqual([
      expect.objectContaining({ vendor: 'kore', provider: 'koreEu', construct: null, address: null, status: 'unmanaged', identity: { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'ana@example.com' } }),
      expect.objectContaining({ identity: { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'bo@example.com' } }),
    ]);
    const code = await cli('import', 'polarity', '--integration', 'virustotal', '--provider-id', 'polarityEu');
    expect(code.output).toMatch(/, provider: polarityEu \}\);/);
    const missing = await cli('import', 'britive');
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/import britive needs --profile <id>/);
  });
});
