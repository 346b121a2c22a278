/**
 * The main lifecycle with every simulator answering the other reading of what its vendor leaves undocumented
 * (lifecycle.test.ts runs it against the documented reading): Polarity lists without links and a permissions read
 * paged by 2, JSON:API success for an absent member; Britive's add answering an empty 200; Kore's 404 for a user not
 * on the entity; Polytomic updating only with PATCH. Every grant still lands, changes, is read back in sync and goes.
 */
import * as path from 'path';
import { runProcess } from '../../scripts/run-process';
import { E2eWorkspace } from './harness';
import { ROLE_A, ROLE_B, StackSpec, buildStack } from './stack-spec';

jest.setTimeout(300_000);

const CLI = path.join(__dirname, '../../bin/cdktf-saas-permissions.js');
const BASE: StackSpec = {
  polarity: ['3', '4', '5', '7'].map((groupId) => ({ id: `g${groupId}`, integrationId: 'virustotal', groupId, permissions: ['read'] as Array<'read'> })),
  britive: [{ id: 'oncall', profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role' }],
  kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['ana@example.com', 'bo@example.com'] }],
  polytomic: [{ id: 'ops', name: 'Sync operators', policyActions: [{ action: 'read', roleIds: [ROLE_A] }] }],
};

describe('lifecycle against the alternative answers', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => {
    ws = await E2eWorkspace.create();
    for (const sim of [ws.sims.polarity, ws.sims.britive, ws.sims.kore, ws.sims.polytomic]) sim.alternative = true;
  });
  afterAll(async () => { await ws.dispose(); });

  test('create, read back in sync, change, remove out of band, destroy', async () => {
    await ws.apply(buildStack(BASE));
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 3: ['read'], 4: ['read'], 5: ['read'], 7: ['read'] } });
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:AdministratorAccess'] });
    expect(ws.sims.britive.calls({ method: 'POST' }).map((r) => r.status)).toEqual([200]);

    // Drift reads every vendor back: Polarity's permissions come 2 to a page with no links.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: '1', ...ws.sims.env };
    const drift = await runProcess(process.execPath, [CLI, 'drift', '--stack-dir', ws.stackDir, '--json'], { env });
    const report = JSON.parse(drift.output.slice(drift.output.indexOf('{'), drift.output.lastIndexOf('}') + 1));
    expect({ code: drift.code, summary: report.summary }).toEqual({ code: 0, summary: expect.objectContaining({ 'in-sync': 8, missing: 0, unknown: 0 }) });
    expect(ws.sims.polarity.calls({ pathIncludes: 'page[number]=2' }).length).toBeGreaterThan(0);

    ws.clearRequestLogs();
    await ws.apply(buildStack({ ...BASE, polytomic: [{ id: 'ops', name: 'Sync operators', policyActions: [{ action: 'read', roleIds: [ROLE_A, ROLE_B] }] }] }));
    expect(ws.sims.polytomic.calls().map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'PUT 405', 'PATCH 200']);
    expect(ws.sims.polytomic.snapshot()).toEqual({ 'Sync operators': { id: expect.any(String), actions: { read: [ROLE_A, ROLE_B] } } });

    // Gone out of band: Kore then answers 404 for the user, Polarity success for the group.
    ws.sims.kore.removeUsers('st-search', 'fc-drive', 'eng@example.com', ['ana@example.com']);
    ws.sims.polarity.reset();
    ws.clearRequestLogs();
    const destroyed = await ws.destroy();
    expect(destroyed.output).toMatch(/kore: ana@example\.com was already not on entity eng@example\.com .*confirmed by the entity's userIds/);
    expect(ws.sims.kore.calls({ method: 'DELETE' }).map((r) => r.status)).toContain(404);
    for (const sim of [ws.sims.polarity, ws.sims.britive, ws.sims.kore, ws.sims.polytomic]) expect(sim.snapshot()).toEqual({});
  });
});
