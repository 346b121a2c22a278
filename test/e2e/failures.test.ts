/**
 * Persistent failures with real terraform: the apply fails with a message naming vendor, operation, resource and
 * the vendor's answer; nothing is lost, and the next apply finishes the work.
 */
import { E2eWorkspace } from './harness';
import { ROLE_A, StackSpec, buildStack } from './stack-spec';

jest.setTimeout(300_000);

const POLARITY: StackSpec = { polarity: [{ id: 'analysts', integrationId: 'virustotal', groupId: '7', permissions: ['read', 'admin'] }] };
const BRITIVE: StackSpec = { britive: [{ id: 'oncall', profileId: 'pap-oncall', permissionName: 'Admins', permissionType: 'group' }] };
const QUICK = { providerProps: { requestTimeoutSeconds: 1, deadlineSeconds: 20, baseBackoffMs: 5, maxRetries: 3 } };

describe('persistent failures', () => {
  let ws: E2eWorkspace;
  beforeEach(async () => { ws = await E2eWorkspace.create(); });
  afterEach(async () => { await ws.dispose(); });

  test('a failing create fails the apply with a full message, and the next apply converges', async () => {
    ws.sims.polarity.injectFault({
      kind: 'status', status: 500, method: 'POST', count: 1000,
      body: { errors: [{ status: '500', title: 'Internal Server Error', detail: 'database unavailable' }] },
    });
    const failed = await ws.apply(buildStack({ ...POLARITY, ...QUICK }), { expectFailure: true });
    expect(failed.output).toContain('polarity: grant read,admin on integration virustotal for group 7 failed');
    expect(failed.output).toContain('HTTP 500');
    expect(failed.output).toContain('database unavailable');
    expect(failed.output).toMatch(/gave up after 4 attempts/);
    expect(ws.sims.polarity.snapshot()).toEqual({});

    ws.sims.polarity.clearFaults();
    await ws.apply(buildStack({ ...POLARITY, ...QUICK }));
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['admin', 'read'] } });
  });

  test('a failing revoke keeps the grant in state, and the next apply revokes it', async () => {
    await ws.apply(buildStack({ ...BRITIVE, ...QUICK }));
    ws.sims.britive.injectFault({ kind: 'status', status: 503, method: 'POST', count: 1000 });
    const failed = await ws.apply(buildStack({ ...QUICK }), { expectFailure: true });
    expect(failed.output).toContain('britive: remove group "Admins" on profile pap-oncall failed');
    expect(ws.sims.britive.snapshot()).toEqual({ 'pap-oncall': ['group:Admins'] });

    ws.sims.britive.clearFaults();
    await ws.apply(buildStack({ ...QUICK }));
    expect(ws.sims.britive.snapshot()).toEqual({});
  });

  test('a destroy after a failed create leaves nothing behind, even when the failed call had landed', async () => {
    // Every answer is lost although each change is applied: the grant exists, the apply fails.
    ws.sims.polarity.injectFault({ kind: 'lost', method: 'POST', count: 1000 });
    await ws.apply(buildStack({ ...POLARITY, ...QUICK }), { expectFailure: true });
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['admin', 'read'] } });
    ws.sims.polarity.clearFaults();
    await ws.destroy();
    expect(ws.sims.polarity.snapshot()).toEqual({});
  });

  test('removing a construct whose create failed revokes what the failed call granted', async () => {
    ws.sims.polarity.injectFault({ kind: 'lost', method: 'POST', count: 1000 });
    await ws.apply(buildStack({ ...POLARITY, ...QUICK }), { expectFailure: true });
    ws.sims.polarity.clearFaults();
    await ws.apply(buildStack({ ...QUICK }));
    expect(ws.sims.polarity.snapshot()).toEqual({});
  });

  test('401 fails fast with no retry and names the variable to check', async () => {
    const run = await ws.apply(buildStack({ ...POLARITY, ...QUICK }), { expectFailure: true, env: { POLARITY_TOKEN: 'wrong-token-value' } });
    expect(run.output).toContain('HTTP 401');
    expect(run.output).toContain('Check the token in POLARITY_TOKEN');
    expect(ws.sims.polarity.requests).toHaveLength(1);
    expect(run.output).not.toContain('wrong-token-value');
  });

  test('403 from Polytomic fails fast and names the key variable', async () => {
    ws.sims.polytomic.injectFault({ kind: 'status', status: 403, count: 1, body: { key: 'forbidden', message: 'key lacks permissions scope', metadata: {}, status: 403 } });
    const run = await ws.apply(buildStack({ polytomic: [{ id: 'p', name: 'Ops', policyActions: [{ action: 'read', roleIds: [ROLE_A] }] }], ...QUICK }), { expectFailure: true });
    expect(run.output).toContain('Check the API key in POLYTOMIC_API_KEY');
    expect(run.output).toContain('key lacks permissions scope');
    expect(ws.sims.polytomic.requests).toHaveLength(1);
  });

  test('a missing credential fails before any call and says which variable to export', async () => {
    const run = await ws.apply(buildStack({ ...BRITIVE, ...QUICK }), { expectFailure: true, env: { BRITIVE_TOKEN: undefined } });
    expect(run.output).toContain('britive: the API token is not set: export BRITIVE_TOKEN');
    expect(ws.sims.britive.requests).toHaveLength(0);
  });

  test('a Britive tenant under maintenance (503 MAINT0001) is reported at once, not retried', async () => {
    ws.sims.britive.maintenance = true;
    const run = await ws.apply(buildStack({ ...BRITIVE, ...QUICK }), { expectFailure: true });
    expect(run.output).toContain('MAINT0001');
    expect(run.output).toContain('under maintenance');
    expect(ws.sims.britive.requests).toHaveLength(1);
  });

  test('a value resolved at apply time is validated before any call', async () => {
    const run = await ws.apply(buildStack({
      polarity: [{ id: 'analysts', integrationId: 'virustotal', groupId: 'not-a-number', permissions: ['read'] }],
      polarityGroupFromResource: 'analysts', ...QUICK,
    }), { expectFailure: true });
    expect(run.output).toContain('polarity: e2e/analysts: invalid value resolved at apply time: groupId must be a numeric Polarity group id');
    expect(ws.sims.polarity.requests).toHaveLength(0);
  });

  test('rate-limit storm: 60 grants against 5 requests per second all land, within 60 s', async () => {
    ws.sims.britive.setRateLimits([{ limit: 5, windowMs: 1000, retryAfter: true }]);
    const britive = Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, profileId: 'pap-readonly', permissionName: `Role${i}`, permissionType: 'role' }));
    const started = Date.now();
    await ws.apply(buildStack({ britive, providerProps: { deadlineSeconds: 120 } }));
    const seconds = (Date.now() - started) / 1000;
    expect((ws.sims.britive.snapshot() as Record<string, string[]>)['pap-readonly']).toHaveLength(60);
    expect(ws.sims.britive.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(60);
    process.stdout.write(`rate-limit storm: 60 grants at 5 req/s in ${seconds.toFixed(1)} s, ${ws.sims.britive.requests.filter((r) => r.status === 429).length} answers were 429\n`);
  });
});
