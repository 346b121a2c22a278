/**
 * `expiresAt` with real terraform and the simulators: a grant whose expiry passes between two applies of the same
 * code is revoked by the second; in between, drift reports it `expired` (exit 2) and `drift --fix` can revoke it.
 */
import * as path from 'path';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider } from '../../constructs';
import { runProcess } from '../../scripts/run-process';
import { E2eWorkspace, FAST_HTTP } from './harness';

jest.setTimeout(300_000);

const CLI = path.join(__dirname, '../../bin/cdktf-saas-permissions.js');

interface Entry { construct: string | null; status: string; expiresAt?: string; fixed?: boolean; detail: string }
interface DriftJson { summary: Record<string, number>; pendingApply: boolean; grants: Entry[] }

/** An RFC 3339 literal `seconds` from now, as a user would write it. */
function inSeconds(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

async function waitUntil(timestamp: string): Promise<void> {
  const wait = Date.parse(timestamp) - Date.now() + 1000;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

describe('expiresAt', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });

  async function drift(args: string[]): Promise<{ code: number; output: string; json: DriftJson }> {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: '1', ...ws.sims.env };
    const run = await runProcess(process.execPath, [CLI, 'drift', '--stack-dir', ws.stackDir, '--json', ...args], { env });
    return { code: run.code, output: run.output, json: JSON.parse(run.output.slice(run.output.indexOf('{'), run.output.lastIndexOf('}') + 1)) };
  }
  const statuses = (doc: DriftJson) => Object.fromEntries(doc.grants.map((g) => [`${g.construct}`, g.status]));

  test('a grant whose expiry passes between two applies of the same code is revoked by the second; drift says expired in between', async () => {
    const expiresAt = inSeconds(25);
    const build = (stack: TerraformStack) => {
      new PolarityProvider(stack, 'polarity', FAST_HTTP);
      new KoreProvider(stack, 'kore', FAST_HTTP);
      new PolarityIntegrationPermission(stack, 'contractor', { integrationId: 'virustotal', groupId: '7', permissions: ['read'], expiresAt });
      new PolarityIntegrationPermission(stack, 'analysts', { integrationId: 'shodan', groupId: '1', permissions: ['read'] });
      new KoreEntityUsers(stack, 'temps', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', users: ['ana@example.com', 'bo@example.com'], expiresAt });
    };
    await ws.apply(build);
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] }, shodan: { 1: ['read'] } });
    expect(ws.sims.kore.snapshot()['st-search/fc-drive/eng@example.com']).toEqual(['ana@example.com', 'bo@example.com']);

    const before = await drift([]);
    expect(before.code).toBe(0);
    expect(before.json.grants.map((g) => [g.construct, g.status, g.expiresAt])).toEqual([
      ['e2e/temps', 'in-sync', expiresAt], ['e2e/temps', 'in-sync', expiresAt], ['e2e/analysts', 'in-sync', undefined], ['e2e/contractor', 'in-sync', expiresAt],
    ]);

    await waitUntil(expiresAt);
    const after = await drift([]);
    expect(after.code).toBe(2);
    expect(statuses(after.json)).toEqual({ 'e2e/temps': 'expired', 'e2e/contractor': 'expired', 'e2e/analysts': 'in-sync' });
    expect(after.json.summary.expired).toBe(3);
    // The plan that drops expired grants is not a change of code.
    expect(after.json.pendingApply).toBe(false);
    expect(after.json.grants.find((g) => g.construct === 'e2e/contractor')!.detail).toBe(`Expired at ${expiresAt} and still held: the next apply revokes it (drift --fix revokes it now).`);

    ws.clearRequestLogs();
    const second = await ws.apply(build);
    expect(second.output).toMatch(/Destroying\.\.\./);
    expect(ws.sims.polarity.snapshot()).toEqual({ shodan: { 1: ['read'] } });
    expect(ws.sims.kore.snapshot()).toEqual({});
    expect(ws.stateKeys('terraform_data', 'polarity_apply')).toEqual(['shodan/1']);
    expect(ws.stateKeys('terraform_data', 'kore_revoke')).toEqual([]);
    // One revoke per grant, nothing granted again.
    expect(ws.allRequests().filter((r) => r.method !== 'GET').map((r) => `${r.vendor} ${r.method}`).sort()).toEqual(['kore DELETE', 'kore DELETE', 'polarity DELETE']);
    expect((await drift([])).code).toBe(0);
    // A third apply, still the same code, changes nothing.
    ws.clearRequestLogs();
    await ws.apply(build);
    expect(ws.allRequests().filter((r) => r.method !== 'GET')).toEqual([]);
  });

  test('drift --fix revokes an expired grant still held, and the next apply lets it go (the vendor confirms it is gone)', async () => {
    const expiresAt = inSeconds(20);
    const build = (stack: TerraformStack) => {
      new BritiveProvider(stack, 'britive', FAST_HTTP);
      new BritiveProfilePermission(stack, 'oncall', { profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role', expiresAt });
      new BritiveProfilePermission(stack, 'readers', { profileId: 'pap-oncall', permissionName: 'ReadOnly', permissionType: 'role' });
    };
    await ws.apply(build);
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:AdministratorAccess', 'role:ReadOnly'] });
    await waitUntil(expiresAt);
    const fixed = await drift(['--fix']);
    expect(fixed.code).toBe(0);
    const oncall = fixed.json.grants.find((g) => g.construct === 'e2e/oncall')!;
    expect(oncall).toMatchObject({ status: 'in-sync', fixed: true, expiresAt, detail: `Expired at ${expiresAt} and no longer held: the next apply removes it from state.` });
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:ReadOnly'] });
    await ws.apply(build);
    expect(ws.stateKeys('terraform_data', 'britive_apply')).toEqual(['pap-oncall/ReadOnly/role']);
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:ReadOnly'] });
  });

  test('an expiry from a variable, also on a user list only Terraform knows: past dates grant nothing, future ones are granted and reported', async () => {
    const until = inSeconds(3600);
    await ws.apply((stack: TerraformStack) => {
      new KoreProvider(stack, 'kore', FAST_HTTP);
      const past = new TerraformVariable(stack, 'past', { type: 'string', default: '2000-01-01T00:00:00Z' });
      const future = new TerraformVariable(stack, 'future', { type: 'string', default: until });
      const users = new TerraformVariable(stack, 'users', { type: 'list(string)', default: ['ana@example.com', 'bo@example.com'] });
      new KoreEntityUsers(stack, 'gone', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'sales@example.com', users: users.listValue, expiresAt: past.stringValue });
      new KoreEntityUsers(stack, 'kept', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', users: users.listValue, expiresAt: future.stringValue });
    });
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com', 'bo@example.com'] });
    const report = await drift([]);
    expect(report.code).toBe(0);
    expect(report.json.grants.map((g) => [g.construct, g.status, g.expiresAt])).toEqual([['e2e/kept', 'in-sync', until], ['e2e/kept', 'in-sync', until]]);
  });
});
