/**
 * Before a run writes to any vendor, every provider of the stack must have its credentials and URL: with one
 * vendor's token unset, an apply changes nothing anywhere and names every variable that is missing.
 */
import { E2eWorkspace } from './harness';
import { ROLE_A, StackSpec, buildStack } from './stack-spec';

jest.setTimeout(300_000);

const ALL: StackSpec = {
  polarity: [{ id: 'p', integrationId: 'virustotal', groupId: '7', permissions: ['read'] }],
  britive: [{ id: 'b', profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role' }],
  kore: [{ id: 'k', entityId: 'eng@example.com', users: ['ana@example.com'] }],
  polytomic: [{ id: 't', name: 'Ops', policyActions: [{ action: 'read', roleIds: [ROLE_A] }] }],
};

describe('preflight', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });

  test('with one vendor\'s token unset, an apply changes nothing at any vendor and names the variable', async () => {
    const run = await ws.apply(buildStack(ALL), { expectFailure: true, env: { POLARITY_TOKEN: undefined } });
    expect(ws.allRequests()).toEqual([]);
    expect(run.output).toContain('preflight: 1 provider of this stack cannot be used, so this run sends nothing to any vendor: e2e/polarity (polarity: the API token is not set: export POLARITY_TOKEN');
  });

  test('every missing variable is named at once, for grants and revokes alike', async () => {
    const run = await ws.apply(buildStack(ALL), { expectFailure: true, env: { POLARITY_TOKEN: undefined, KORE_CLIENT_ID: undefined, KORE_CLIENT_SECRET: undefined } });
    expect(ws.allRequests()).toEqual([]);
    expect(run.output).toMatch(/preflight: 2 providers .* e2e\/polarity \(polarity: the API token is not set: export POLARITY_TOKEN .*e2e\/kore \(kore: no credentials: export KORE_JWT, or KORE_CLIENT_ID and KORE_CLIENT_SECRET/);

    await ws.apply(buildStack(ALL));
    ws.clearRequestLogs();
    const destroy = await ws.destroy({ expectFailure: true, env: { BRITIVE_TOKEN: undefined } });
    expect(ws.allRequests()).toEqual([]);
    expect(destroy.output).toContain('e2e/britive (britive: the API token is not set: export BRITIVE_TOKEN');
    await ws.destroy();
    for (const sim of [ws.sims.polarity, ws.sims.britive, ws.sims.kore, ws.sims.polytomic]) expect(sim.snapshot()).toEqual({});
  });
});
