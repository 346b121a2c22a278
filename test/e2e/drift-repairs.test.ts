/**
 * `drift` repairs that no other stack, deploy or interrupted apply can turn against the user: prune in one stack
 * leaves another stack's grants on the same tenants; --fix goes through Terraform and never re-grants what a deploy
 * removed meanwhile; the grant an interrupted apply recorded but never made is found and repaired; a stack still in
 * 0.1.0's layout is refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runProcess } from '../../scripts/run-process';
import { E2eWorkspace } from './harness';
import type { SimulatorServer } from '../../src/simulators/sim-server';
import { ROLE_A, ROLE_B, StackSpec, buildStack } from './stack-spec';

jest.setTimeout(300_000);

const CLI = path.join(__dirname, '../../bin/cdktf-saas-permissions.js');
const FIXTURE = path.join(__dirname, 'fixtures/upgrade-from-0.1.0');

const A: StackSpec = {
  polarity: [{ id: 'a-vt', integrationId: 'virustotal', groupId: '7', permissions: ['read'] }],
  britive: [{ id: 'a-oncall', profileId: 'pap-oncall', permissionName: 'TeamA', permissionType: 'role' }],
  kore: [{ id: 'a-eng', entityId: 'eng@example.com', users: ['ana@example.com'] }],
  polytomic: [{ id: 'a-policy', name: 'Policy A', policyActions: [{ action: 'read', roleIds: [ROLE_A] }] }],
};
const B: StackSpec = {
  polarity: [{ id: 'b-vt', integrationId: 'virustotal', groupId: '8', permissions: ['read'] }],
  britive: [{ id: 'b-oncall', profileId: 'pap-oncall', permissionName: 'TeamB', permissionType: 'role' }],
  kore: [{ id: 'b-eng', entityId: 'eng@example.com', users: ['bo@example.com'] }],
  polytomic: [{ id: 'b-policy', name: 'Policy B', policyActions: [{ action: 'read', roleIds: [ROLE_B] }] }],
};

interface Doc { summary: Record<string, number>; grants: Array<{ status: string; vendor: string; prunable?: boolean; detail: string; fixed?: boolean }>; repairs: Array<{ action: string; outcome: string; detail: string }> }

/**
 * `drift --fix --json` from a checkout made before a deploy (its own copy of the synthesized stack, the same state),
 * with its first read of `sim` held while `deploy` runs; resolves with drift's result.
 */
async function fixRacingDeploy(ws: E2eWorkspace, sim: SimulatorServer, deploy: () => Promise<unknown>): ReturnType<typeof drift> {
  const old = path.join(ws.root, 'old-checkout');
  fs.cpSync(ws.stackDir, old, { recursive: true });
  sim.injectFault({ kind: 'delay', ms: 15_000, method: 'GET', count: 1 });
  const running = drift(ws, ['--fix', '--json'], { stackDir: old });
  while (!sim.requests.some((r) => r.status === 'delayed')) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 2000));
  await deploy();
  return running;
}

async function drift(ws: E2eWorkspace, args: string[], options: { cwd?: string; stackDir?: string } = {}): Promise<{ code: number; output: string; json?: Doc }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: '1', ...ws.sims.env };
  const where = options.cwd ? [] : ['--stack-dir', options.stackDir ?? ws.stackDir];
  const run = await runProcess(process.execPath, [CLI, 'drift', ...where, ...args], { env, cwd: options.cwd });
  const doc = /^\{$[\s\S]*?^\}$/m.exec(run.output);
  return { code: run.code, output: run.output, json: args.includes('--json') && doc ? JSON.parse(doc[0]) as Doc : undefined };
}

const held = (ws: E2eWorkspace) => ({
  polarity: ws.sims.polarity.snapshot(), britive: ws.sims.britive.snapshot(), kore: ws.sims.kore.snapshot(), polytomic: Object.keys(ws.sims.polytomic.snapshot()).sort(),
});

describe('drift repairs', () => {
  test('two stacks with their own state on the same tenants: prune in A removes none of B\'s grants, and says so', async () => {
    const a = await E2eWorkspace.create('a');
    const b = a.share('b');
    try {
      await a.apply(buildStack(A));
      await b.apply(buildStack(B));
      const before = held(a);
      expect(before.polytomic).toEqual(['Policy A', 'Policy B']);
      // Two stacks in the app: drift asks which one; --stack picks it by name.
      const ambiguous = await drift(a, ['--json'], { cwd: a.root });
      expect(ambiguous.code).toBe(1);
      expect(ambiguous.output).toMatch(/2 stacks under .*\(a, b\): pick one with --stack a/);
      const pruned = await drift(a, ['--stack', 'a', '--prune', '--yes', '--json'], { cwd: a.root });
      // B's four grants are listed as unmanaged (exit 2), none may be pruned, each skip is listed with its reason.
      expect(pruned.code).toBe(2);
      expect(pruned.json!.summary).toMatchObject({ 'in-sync': 4, unmanaged: 4, pruned: 0 });
      expect(pruned.json!.grants.filter((g) => g.status === 'unmanaged').map((g) => g.prunable)).toEqual([false, false, false, false]);
      expect(pruned.json!.repairs.map((r) => `${r.action} ${r.outcome}`)).toEqual(Array(4).fill('prune skipped'));
      expect(pruned.json!.grants.find((g) => g.vendor === 'kore' && g.status === 'unmanaged')!.detail).toMatch(/another stack may declare it: prune removes only in scopes of a provider with exclusiveScope: true/);
      expect(pruned.output).toMatch(/^prune skipped: polytomic .*Policy B.*named with --prune-policy/m);
      expect(held(a)).toEqual(before);
      expect((await drift(b, [])).code).toBe(0);
    } finally {
      await a.dispose();
    }
  });

  describe('one stack', () => {
    let ws: E2eWorkspace;
    const SLOW: StackSpec = { kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['ana@example.com', 'bo@example.com'] }], providerProps: { requestTimeoutSeconds: 30 } };
    beforeAll(async () => { ws = await E2eWorkspace.create(); });
    afterAll(async () => { await ws.dispose(); });

    test('an apply interrupted after Terraform recorded a grant but before its provisioner ran: drift finds it, --fix repairs it, logged', async () => {
      await ws.apply(buildStack(SLOW));
      // What kill -9 of terraform during a grant leaves: the apply instance in state, the vendor without the grant.
      ws.sims.kore.removeUsers('st-search', 'fc-drive', 'eng@example.com', ['bo@example.com']);
      expect((await ws.apply(buildStack(SLOW))).output).toMatch(/No changes/);
      const found = await drift(ws, ['--json']);
      expect(found.code).toBe(2);
      expect(found.json!.summary).toMatchObject({ missing: 1, 'in-sync': 1 });
      const log = path.join(ws.root, 'audit.jsonl');
      const fixed = await drift(ws, ['--fix', '--json', '--audit-log', log]);
      expect(fixed.code).toBe(0);
      expect(fixed.json!.summary).toMatchObject({ missing: 0, 'in-sync': 2, fixed: 1 });
      expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com', 'bo@example.com'] });
      // Through Terraform: the state lock was taken and the instance replaced (its create-time provisioner granted).
      expect(fixed.json!.repairs[0].detail).toMatch(/terraform apply -replace=terraform_data\.kore_apply\[/);
      const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toEqual([expect.objectContaining({
        action: 'fix', vendor: 'kore', identity: expect.objectContaining({ user: 'bo@example.com' }), before: null, after: { present: true }, outcome: 'done',
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      })]);
    });

    test('a fix racing a deploy that removes the grant does not grant it again, nor report it fixed', async () => {
      // drift's read of the Kore entity is held while the deploy removes bo (revoked, and gone from state).
      const raced = await fixRacingDeploy(ws, ws.sims.kore,
        () => ws.apply(buildStack({ ...SLOW, kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['ana@example.com'] }] })));
      expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
      expect(raced.json!.summary.fixed).toBe(0);
      expect(raced.json!.repairs).toEqual([expect.objectContaining({ action: 'fix', outcome: 'skipped', detail: expect.stringMatching(/no longer in state/) })]);
      expect(raced.json!.grants.some((g) => g.fixed)).toBe(false);
    });
  });

  test('prune reads the vendor again just before removing: a grant gone meanwhile is skipped, no call sent', async () => {
    const ws = await E2eWorkspace.create();
    try {
      await ws.apply(buildStack({ kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['ana@example.com'] }], providerProps: { exclusiveScope: true, requestTimeoutSeconds: 30 } }));
      ws.sims.kore.addUsers('st-search', 'fc-drive', 'eng@example.com', ['zed@example.com']);
      ws.clearRequestLogs();
      const running = drift(ws, ['--prune', '--yes', '--json']);
      // After the report's read, hold the next one (prune's) while zed is removed by someone else.
      while (!ws.sims.kore.requests.some((r) => r.method === 'GET' && r.status === 200)) await new Promise((r) => setTimeout(r, 20));
      ws.sims.kore.injectFault({ kind: 'delay', ms: 3000, method: 'GET', count: 1 });
      while (!ws.sims.kore.requests.some((r) => r.status === 'delayed')) await new Promise((r) => setTimeout(r, 20));
      ws.sims.kore.removeUsers('st-search', 'fc-drive', 'eng@example.com', ['zed@example.com']);
      const pruned = await running;
      expect(pruned.json!.repairs).toEqual([expect.objectContaining({ action: 'prune', outcome: 'skipped', detail: expect.stringMatching(/no longer held/) })]);
      expect(pruned.json!.summary).toMatchObject({ pruned: 0, unmanaged: 0 });
      expect(ws.sims.kore.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    } finally {
      await ws.dispose();
    }
  });

  test('a fix racing a deploy that changes the grant does not bring back what the old code declared', async () => {
    const ws = await E2eWorkspace.create();
    const WIDE: StackSpec = { polarity: [{ id: 'vt', integrationId: 'virustotal', groupId: '7', permissions: ['admin', 'read'] }], providerProps: { requestTimeoutSeconds: 30 } };
    try {
      await ws.apply(buildStack(WIDE));
      // drift (old code: admin,read) reads Polarity after a deploy narrowed the grant to read: it sees `changed`.
      const raced = await fixRacingDeploy(ws, ws.sims.polarity,
        () => ws.apply(buildStack({ ...WIDE, polarity: [{ ...WIDE.polarity![0], permissions: ['read'] }] })));
      expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] } });
      expect(raced.json!.summary.fixed).toBe(0);
      expect(raced.json!.repairs).toEqual([expect.objectContaining({ action: 'fix', outcome: 'skipped', detail: expect.stringMatching(/would also change terraform_data\.polarity_apply.*deploy first/) })]);
    } finally {
      await ws.dispose();
    }
  });

  test('a stack still applied by 0.1.0 is refused until the upgrade apply', async () => {
    const ws = await E2eWorkspace.create();
    try {
      fs.cpSync(FIXTURE, ws.stackDir, { recursive: true });
      const config = JSON.parse(fs.readFileSync(path.join(ws.stackDir, 'cdk.tf.json'), 'utf8'));
      config.terraform.backend.local.path = ws.stateFile;
      fs.writeFileSync(path.join(ws.stackDir, 'cdk.tf.json'), JSON.stringify(config));
      await ws.init();
      expect((await ws.terraform(['apply', '-auto-approve', '-no-color', '-input=false'])).code).toBe(0);
      const before = held(ws);
      const refused = await drift(ws, ['--prune', '--yes']);
      expect(refused.code).toBe(1);
      expect(refused.output).toMatch(/still holds blocks written by 0\.1\.0 \(terraform_data\..*Apply the stack with this version first/);
      expect(held(ws)).toEqual(before);
    } finally {
      await ws.dispose();
    }
  });
});
