/**
 * `cdktf-saas-permissions access` with real terraform state and the simulators: who holds what in every managed
 * scope, in each format; the HTML opened in a real headless browser (Debian's chromium): the matrix renders with
 * its status colours and sorts on a click; vendor text is escaped; a vendor that cannot be read gives exit 2.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'csv-parse/sync';
import { TerraformStack } from 'cdktf';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider, PolytomicPolicy,
  PolytomicProvider,
} from '../../constructs';
import { runProcess } from '../../scripts/run-process';
import { E2eWorkspace, FAST_HTTP } from './harness';
import { countColour, decodePng, dumpDom, screenshot } from './headless-browser';
import { ROLE_A, ROLE_B } from './stack-spec';

jest.setTimeout(300_000);

const CLI = path.join(__dirname, '../../bin/cdktf-saas-permissions.js');
const UNTIL = '2999-01-01T00:00:00Z';
/** A Polytomic action is any string: one a spreadsheet would run as a formula. */
const FORMULA = '=HYPERLINK("x","y")';
const HTML_USER = '<img src=x onerror=alert(1)>@example.com';

describe('access', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => {
    ws = await E2eWorkspace.create();
    await ws.apply((stack: TerraformStack) => {
      new PolarityProvider(stack, 'polarity', FAST_HTTP);
      new BritiveProvider(stack, 'britive', FAST_HTTP);
      new KoreProvider(stack, 'kore', FAST_HTTP);
      new PolytomicProvider(stack, 'polytomic', FAST_HTTP);
      new PolarityIntegrationPermission(stack, 'contractor', { integrationId: 'virustotal', groupId: '7', permissions: ['read'], expiresAt: UNTIL });
      new PolarityIntegrationPermission(stack, 'analysts', { integrationId: 'shodan', groupId: '1', permissions: ['read', 'admin'] });
      new BritiveProfilePermission(stack, 'oncall', { profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role' });
      new KoreEntityUsers(stack, 'eng', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', users: ['ana@example.com'] });
      new PolytomicPolicy(stack, 'ops', { name: 'Sync operators', policyActions: [{ action: 'read', roleIds: [ROLE_A, ROLE_B] }, { action: 'sync_to', roleIds: [ROLE_A] }] });
    });
    // Held at the vendors, declared by no construct: what an access review exists to show.
    ws.sims.polarity.seed('virustotal', '5', ['admin']);
    ws.sims.kore.addUsers('st-search', 'fc-drive', 'eng@example.com', [HTML_USER]);
    ws.sims.polytomic.seedPolicy('Shadow admins', { [FORMULA]: [ROLE_B] });
  });
  afterAll(async () => { await ws.dispose(); });

  async function access(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; output: string }> {
    const full: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: '1', ...ws.sims.env, ...env };
    for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
    return runProcess(process.execPath, [CLI, 'access', '--stack-dir', ws.stackDir, ...args], { env: full });
  }

  test('json: one row per principal and scope, with its status; one read per scope; nothing written', async () => {
    ws.clearRequestLogs();
    const file = path.join(ws.root, 'access.json');
    const run = await access(['--format', 'json', '--output', file]);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/Wrote the access review \(9 rows, json\) to .*access\.json/);
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Date.parse(report.readAt)).toBeGreaterThan(Date.now() - 120_000);
    expect(report.summary).toEqual({ declared: 5, expiring: 1, expired: 0, unmanaged: 3, 'not-held': 0, unreadable: 0 });
    expect(report.rows.map((r: Record<string, string>) => `${r.vendor} | ${r.scope} | ${r.principal} | ${r.holds} | ${r.status}`)).toEqual([
      'britive | profile pap-oncall | role AdministratorAccess | attached | declared by e2e/oncall',
      `kore | entity eng@example.com (st-search / fc-drive) | user ${HTML_USER} | associated | unmanaged`,
      'kore | entity eng@example.com (st-search / fc-drive) | user ana@example.com | associated | declared by e2e/eng',
      'polarity | integration shodan | group 1 | admin, read | declared by e2e/analysts',
      'polarity | integration virustotal | group 5 | admin, read | unmanaged',
      `polarity | integration virustotal | group 7 | read | expiring on ${UNTIL} (declared by e2e/contractor)`,
      `polytomic | policy Shadow admins (organization 0b7f1d2c-3e4a-4b5c-8d6e-7f8091a2b3c4) | role ${ROLE_B} | ${FORMULA} | unmanaged`,
      `polytomic | policy Sync operators | role ${ROLE_A} | read, sync_to | declared by e2e/ops`,
      `polytomic | policy Sync operators | role ${ROLE_B} | read | declared by e2e/ops`,
    ]);
    expect(report.rows.find((r: Record<string, string>) => r.principal === 'group 7')).toMatchObject({ kind: 'expiring', construct: 'e2e/contractor', expiresAt: UNTIL, provider: 'e2e/polarity', readAt: report.readAt });
    // Drift's reads: one per scope (two Polarity integrations, one Kore entity, one Britive profile, the Polytomic list).
    expect(ws.allRequests().filter((r) => r.method === 'GET' && !/token|auth|session/i.test(r.path)).length).toBeLessThanOrEqual(6);
    expect(ws.allRequests().filter((r) => r.method !== 'GET' && !/token|auth|session/i.test(r.path))).toEqual([]);
  });

  test('table for a terminal, csv for a spreadsheet with formulas defused', async () => {
    const table = await access([]);
    expect(table.code).toBe(0);
    expect(table.output).toMatch(/^VENDOR +SCOPE +PRINCIPAL +HOLDS +STATUS$/m);
    expect(table.output).toMatch(/^polarity +integration virustotal +group 7 +read +expiring on 2999-01-01T00:00:00Z \(declared by e2e\/contractor\)$/m);
    expect(table.output).toMatch(/9 holdings of 8 principals in 6 scopes, read at .*: 5 declared, 1 expiring, 0 expired, 3 unmanaged, 0 not held, 0 unreadable\./);

    const csv = await access(['--format', 'csv']);
    expect(csv.code).toBe(0);
    const rows: string[][] = parse(csv.output);
    expect(rows[0]).toEqual(['vendor', 'provider', 'scope', 'principal', 'holds', 'kind', 'status', 'construct', 'expiresAt', 'readAt']);
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.length === 10)).toBe(true);
    // A cell a spreadsheet would evaluate starts with an apostrophe; quotes and commas survive a round trip.
    expect(rows.find((r) => r[2].startsWith('policy Shadow admins'))![4]).toBe(`'${FORMULA}`);
    expect(csv.output).toContain(`"'=HYPERLINK(""x"",""y"")"`);
    expect(rows.find((r) => r[3] === 'group 1')![4]).toBe('admin, read');
  });

  test('html: one self-contained file; chromium renders the matrix with status colours and sorts it on a click; vendor text escaped', async () => {
    const file = path.join(ws.root, 'access.html');
    expect((await access(['--format', 'html', '--output', file])).code).toBe(0);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain(`default-src 'none'`);
    expect(html).not.toMatch(/<(link|img|iframe|object)\b|<script[^>]*\bsrc=|\bhref=/i);
    expect(html).toContain('user &lt;img src=x onerror=alert(1)&gt;@example.com');

    const dom = await dumpDom(file);
    const matrix = dom.slice(dom.indexOf('<table id="matrix"'), dom.indexOf('</table>', dom.indexOf('<table id="matrix"')));
    const principals = [...matrix.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(principals).toHaveLength(8);
    expect([...matrix.matchAll(/<th scope="col">/g)]).toHaveLength(2 + 6);
    expect(matrix).toContain('<td class="k-expiring" title="expiring on 2999-01-01T00:00:00Z (declared by e2e/contractor)">expiring 2999-01-01T00:00:00Z<small>read</small></td>');
    expect(dom).not.toContain('<img');

    // Clicking the Principal header twice sorts the rows by principal, descending.
    const clicked = path.join(ws.root, 'access-clicked.html');
    fs.writeFileSync(clicked, html.replace('</body>', '<script>var h = document.querySelector("#matrix th"); h.click(); h.click();</script></body>'));
    const sortedDom = await dumpDom(clicked);
    const sortedMatrix = sortedDom.slice(sortedDom.indexOf('<table id="matrix"'), sortedDom.indexOf('</table>', sortedDom.indexOf('<table id="matrix"')));
    const sorted = [...sortedMatrix.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(sorted).toEqual([...principals].sort((a, b) => b.localeCompare(a, undefined, { numeric: true })));
    expect(sorted).not.toEqual(principals);
    expect(sortedMatrix).toMatch(/<th scope="col" aria-sort="descending">Principal<\/th>/);

    const png = path.join(ws.root, 'access.png');
    await screenshot(file, png);
    const pixels = decodePng(fs.readFileSync(png));
    expect([pixels.width, pixels.height]).toEqual([1400, 900]);
    // Each status colour shows, in cells of the matrix and the list: the matrix rendered.
    for (const colour of ['#dafbe1', '#fff8c5', '#ffd8b5']) expect(countColour(pixels, colour)).toBeGreaterThan(500);
    if (process.env.ACCESS_SCREENSHOT) fs.copyFileSync(png, process.env.ACCESS_SCREENSHOT);
  });

  test('a vendor that cannot be read: the report says which, exit 2', async () => {
    const run = await access(['--format', 'json'], { BRITIVE_TOKEN: undefined });
    expect(run.code).toBe(2);
    expect(run.output).toMatch(/Could not read britive profile pap-oncall: The vendor could not be read: britive: the API token is not set: export BRITIVE_TOKEN/);
    const report = JSON.parse(run.output.slice(run.output.indexOf('{'), run.output.lastIndexOf('}') + 1));
    expect(report.unreadable).toEqual([expect.objectContaining({ vendor: 'britive', scope: 'profile pap-oncall' })]);
    expect(report.summary.unreadable).toBe(1);
  });
});
