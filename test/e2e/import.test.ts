/**
 * `cdktf-saas-permissions import`: the code it prints for what each vendor holds, pasted into a stack and deployed
 * for the first time, changes nothing at the vendor (the grants are adopted), as the simulators' state and request
 * logs show; and the stack then manages them (a drift report finds them in sync).
 */
import * as fs from 'fs';
import * as path from 'path';
import { runProcess } from '../../scripts/run-process';
import { PolarityIntegrationPermission, PolarityProvider } from '../../constructs';
import { SIM_CREDENTIALS, Simulators, startSimulators } from '../../src/simulators';
import { E2eWorkspace, FAST_HTTP } from './harness';
import { ROLE_A, ROLE_B } from './stack-spec';

jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/cdktf-saas-permissions.js');

/** The printed code, pasted into a stack of an app that depends on this package (here: its source), synthesized. */
async function paste(ws: E2eWorkspace, code: string): Promise<void> {
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
}

/** Pastes the printed code into an app and deploys it with terraform, the request logs cleared just before. */
async function deployPasted(ws: E2eWorkspace, code: string): Promise<void> {
  await paste(ws, code);
  await ws.init();
  ws.clearRequestLogs();
  const deploy = await ws.terraform(['apply', '-auto-approve', '-no-color', '-input=false']);
  expect(deploy.code).toBe(0);
}

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

    await deployPasted(ws, code);
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

describe('import with a stack', () => {
  let ws: E2eWorkspace;
  let eu: Simulators;
  beforeAll(async () => { [ws, eu] = await Promise.all([E2eWorkspace.create(), startSimulators()]); });
  afterAll(async () => { await Promise.all([ws.dispose(), eu.stop()]); });

  const euEnv = () => ({ POLARITY_EU_URL: eu.polarity.url, POLARITY_EU_TOKEN: SIM_CREDENTIALS.polarityToken });
  const cli = (...args: string[]) => runProcess(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, CHECKPOINT_DISABLE: '1', ...ws.sims.env, ...euEnv() },
  });

  test('--provider reads the second tenant with its variables; grants the stack declares are marked, not printed again; --output', async () => {
    ws.synth((stack) => {
      new PolarityProvider(stack, 'polarity', FAST_HTTP);
      const second = new PolarityProvider(stack, 'polarity-eu', { ...FAST_HTTP, urlEnv: 'POLARITY_EU_URL', tokenEnv: 'POLARITY_EU_TOKEN' });
      // Its id is the one import would give group 5: the printed construct must take another.
      new PolarityIntegrationPermission(stack, 'shodan-group-5', { integrationId: 'shodan', groupId: '3', permissions: ['admin'], provider: second });
    });
    eu.polarity.seed('shodan', '3', ['admin']);
    eu.polarity.seed('shodan', '5', ['read']);
    ws.sims.polarity.seed('shodan', '9', ['read']);

    const file = path.join(ws.root, 'imported-eu.ts');
    const run = await cli('import', 'polarity', '--integration', 'shodan', '--stack-dir', ws.stackDir, '--provider', 'e2e/polarity-eu', '--output', file);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/Wrote 1 construct\(s\) and 1 comment\(s\) to .*imported-eu\.ts/);
    const code = fs.readFileSync(file, 'utf8');
    expect(code).toContain(`what polarity at ${eu.polarity.url} (POLARITY_EU_URL, provider e2e/polarity-eu) held in integration shodan then.`);
    expect(code).toContain('// Already managed by e2e/shodan-group-5: PolarityIntegrationPermission {"integrationId":"shodan","groupId":"3"}.');
    expect(code).toContain('new PolarityIntegrationPermission(this, "shodan-group-5-2", { integrationId: "shodan", groupId: "5", permissions: ["read"] });');
    expect(code).toContain('// The stack has 2 polarity providers: add `provider` (the variable holding e2e/polarity-eu) to each');
    expect(code).not.toContain('"9"');
    // The import line and the constructs are pasted in different places: each under its own heading.
    expect(code.split('\n').slice(1, 5)).toEqual([
      '// With the imports at the top of the file:', "import { PolarityIntegrationPermission } from 'cdktf-saas-permissions';", '',
      '// In the stack\'s constructor ("this" is the stack):',
    ]);

    const byId = await cli('import', 'polarity', '--integration', 'shodan', '--stack-dir', ws.stackDir, '--provider', 'polarity', '--provider-id', 'us');
    expect(byId.output).toContain('new PolarityIntegrationPermission(this, "shodan-group-9", { integrationId: "shodan", groupId: "9", permissions: ["read"], provider: us });');
    const unnamed = await cli('import', 'polarity', '--integration', 'shodan', '--stack-dir', ws.stackDir);
    expect(unnamed.code).toBe(1);
    expect(unnamed.output).toMatch(/has 2 polarity providers \(e2e\/polarity \(id polarity\), e2e\/polarity-eu \(id polarity_eu\)\): pick one with --provider <path>/);
    const unknown = await cli('import', 'polarity', '--integration', 'shodan', '--stack-dir', ws.stackDir, '--provider', 'polarity-us');
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/has no polarity provider "polarity-us"; its polarity providers: e2e\/polarity/);
    const both = await cli('import', 'polarity', '--integration', 'shodan', '--stack-dir', ws.stackDir, '--stack', 'e2e');
    expect(both.output).toMatch(/pass either --stack-dir or --stack, not both/);
    const byName = await runProcess(process.execPath, [CLI, 'import', 'polarity', '--integration', 'shodan', '--stack', 'e2e', '--provider', 'polarity'], {
      cwd: ws.root, env: { PATH: process.env.PATH, ...ws.sims.env },
    });
    expect(byName.output).toContain('new PolarityIntegrationPermission(this, "shodan-group-9"');
    const none = await cli('import', 'kore', '--bot', 'st-search', '--connector', 'fc-drive', '--stack-dir', ws.stackDir);
    expect(none.output).toMatch(/has no kore provider/);
    // The vendor's own "no such integration" is an error, never an empty import.
    const missing = await cli('import', 'polarity', '--integration', 'nmap', '--stack-dir', ws.stackDir, '--provider', 'polarity-eu');
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/polarity: integration nmap is not in the server's integration list/);
  });

  test('an empty scope names the tenant that was read; a Polytomic list of no organization is an error', async () => {
    const empty = await cli('import', 'polarity', '--integration', 'urlscan');
    expect(empty.code).toBe(0);
    expect(empty.output).toContain(`// Nothing to declare: polarity at ${ws.sims.polarity.url} (POLARITY_URL) holds no grant in integration urlscan. If you expected some, check that this is the tenant you meant.`);
    // Every Polytomic organization holds built-in policies: a list without any is of no organization, not empty.
    ws.sims.polytomic.injectFault({ kind: 'status', status: 200, body: { data: [] }, count: 1 });
    const noOrganization = await cli('import', 'polytomic');
    expect(noOrganization.code).toBe(1);
    expect(noOrganization.output).toMatch(/polytomic at http:\/\/127\.0\.0\.1:\d+: the policy list shows no built-in policy, so this key reaches no organization there; check POLYTOMIC_DEPLOYMENT_URL and the key/);
  });
});

describe('import round-trips exactly or says why not', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });
  const cli = (...args: string[]) => runProcess(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, CHECKPOINT_DISABLE: '1', ...ws.sims.env } });

  test('unique ids, no control characters, no second Unicode spelling, no credential, no built-in policy name; the rest deploys with no change', async () => {
    const s = ws.sims;
    const token = SIM_CREDENTIALS.britiveToken;
    for (const name of ['A', 'a', 'a 2', 'Ops\nnew Evil()', 'Cafe\u0301', `team-${token}`, 'OAuth: admins']) s.britive.seed('pap-admins', { name, type: 'role' });
    s.kore.addUsers('st-search', 'fc-drive', 'eng@example.com', ['ana@example.com', 'bo\u0007@example.com', 'Jose\u0301@example.com']);
    s.polytomic.seedPolicy('Admin', { read: [ROLE_A] });
    s.polytomic.seedPolicy('Readers', { read: [ROLE_B] });
    const held = () => [s.britive.snapshot(), s.kore.snapshot(), s.polytomic.snapshot()];
    const before = held();

    const outputs = await Promise.all([
      cli('import', 'britive', '--profile', 'pap-admins'),
      cli('import', 'kore', '--bot', 'st-search', '--connector', 'fc-drive', '--entity', 'eng@example.com'),
      cli('import', 'polytomic'),
    ]);
    for (const o of outputs) expect(o.code).toBe(0);
    const code = outputs.map((o) => o.output).join('\n');
    const ids = [...code.matchAll(/^new \w+\(this, "([^"]+)"/gm)].map((m) => m[1]);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('pap-admins-role-a'))).toHaveLength(3);
    // A name that only looks like an Authorization header is no credential of this tool's: printed as code.
    expect(code).toContain('permissionName: "OAuth: admins"');
    expect(code).not.toContain(token);
    expect(code).toMatch(/^\/\/ Not declared: BritiveProfilePermission \{.*"permissionName":"team-\[REDACTED\]".*permissionName holds a credential this tool uses/m);
    expect(code).toMatch(/^\/\/ Not declared: BritiveProfilePermission \{.*Ops\\nnew Evil\(\).*the construct refuses it at synth: permissionName must not contain control characters/m);
    expect(code).toMatch(/^\/\/ Not declared: BritiveProfilePermission \{.*Cafe\u0301.*permissionName is not in Unicode normal form NFC/m);
    expect(code).toMatch(/^\/\/ Not declared: user "bo\\u0007@example.com" of KoreEntityUsers .*users\[0\] must not contain control characters/m);
    expect(code).toMatch(/^\/\/ Not declared: user "Jose\u0301@example.com" of KoreEntityUsers .*users\[0\] is not in Unicode normal form NFC/m);
    expect(code).toContain('new KoreEntityUsers(this, "eng-example-com-users", { botId: "st-search", connectorId: "fc-drive", entityId: "eng@example.com", users: ["ana@example.com"] });');
    expect(code).toMatch(/^\/\/ Not declared: policy "Admin" \(.*\) has the name of a built-in policy/m);
    expect(code).toContain('new PolytomicPolicy(this, "readers"');
    // No line of code or comment was split by a vendor's line break.
    for (const line of code.split('\n')) expect(line).toMatch(/^(\/\/ |import |new |$)/);

    await deployPasted(ws, code);
    expect(held()).toEqual(before);
  });
});
