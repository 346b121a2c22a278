/**
 * The per-run agent (src/agent.ts): one Node process serves every grant of a terraform run, while each grant keeps
 * its own provisioner and result. Under the `handler-alone` jest project (SAAS_PERMISSIONS_AGENT=off) the same stack
 * runs one Node handler per grant, as where curl is missing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AGENT_MODE, E2eWorkspace } from './harness';
import { buildStack } from './stack-spec';

jest.setTimeout(180_000);

describe('grants handed to one agent per run', () => {
  let ws: E2eWorkspace;
  let log: string;
  let nodeCommand: string;
  beforeAll(async () => {
    ws = await E2eWorkspace.create();
    // The provider's Node command, wrapped to count Node starts: "agent" for the agent, the operation otherwise.
    log = path.join(ws.root, `node-starts-${process.pid}.log`);
    nodeCommand = path.join(ws.root, `counting-node-${process.pid}`);
    fs.writeFileSync(nodeCommand, `#!/bin/sh\necho "$2" >> '${log}'\nexec node "$@"\n`, { mode: 0o755 });
  });
  afterAll(async () => { await ws.dispose(); });

  const users = Array.from({ length: 8 }, (_, i) => `user${i}@example.com`);
  const starts = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []);

  test('apply and destroy of 8 grants: one Node start per run with the agent, one per grant without', async () => {
    const spec = buildStack({ kore: [{ id: 'eng', entityId: 'eng@example.com', users }], providerProps: { nodeCommand } });
    const applied = await ws.apply(spec);
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': users });
    // Each grant's provisioner still prints that grant's line.
    for (const user of users) expect(applied.output).toContain(user);
    expect(starts()).toEqual(AGENT_MODE === 'on' ? ['agent'] : users.map(() => 'apply'));
    fs.rmSync(log);
    await ws.destroy();
    expect(ws.sims.kore.snapshot()).toEqual({});
    expect(starts()).toEqual(AGENT_MODE === 'on' ? ['agent'] : users.map(() => 'revoke'));
    // The agent leaves with terraform: nothing of it is left running in the stack's folder.
    await new Promise((r) => setTimeout(r, 500));
    const left = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
      try { return fs.readlinkSync(`/proc/${pid}/cwd`) === ws.stackDir; } catch { return false; }
    });
    expect(left).toEqual([]);
  });

  test('a failed grant fails the apply with its message and exit status, and the next apply does it', async () => {
    fs.rmSync(log, { force: true });
    ws.sims.kore.injectFault({ kind: 'status', status: 400, count: 1000, body: { error: 'no such user' } });
    const spec = buildStack({ kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['late@example.com'] }], providerProps: { nodeCommand } });
    const failed = await ws.apply(spec, { expectFailure: true });
    expect(failed.output).toMatch(/local-exec provisioner error/);
    expect(failed.output).toMatch(/exit status 1/);
    expect(failed.output).toContain('HTTP 400');
    expect(failed.output).toContain('construct e2e/eng');
    ws.sims.kore.clearFaults();
    const again = await ws.apply(spec);
    expect(again.output).toContain('late@example.com');
    expect(ws.sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['late@example.com'] });
  });
  test('one 429 budget per vendor: a Retry-After told to one grant holds every grant of the run (each alone without the agent)', async () => {
    // 30 grants at parallelism 10: grants start while the first one waits out its 429 with Retry-After 3.
    const britive = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, profileId: 'pap-oncall', permissionName: `Paced${i}`, permissionType: 'role' }));
    ws.sims.britive.requests.length = 0;
    ws.sims.britive.injectFault({ kind: 'status', status: 429, retryAfter: '3', count: 1 });
    const spec = buildStack({ britive, providerProps: { nodeCommand } });
    await ws.apply(spec);
    expect((ws.sims.britive.snapshot() as Record<string, string[]>)['pap-oncall']).toHaveLength(30);
    const records = ws.sims.britive.requests;
    const limited = records.filter((r) => r.status === 429);
    expect(limited).toHaveLength(1);
    // Requests already on their way when the 429 was sent arrive within a few ms; none may start inside the hold.
    const during = records.filter((r) => r.at > limited[0].at + 300 && r.at < limited[0].at + 2700);
    if (AGENT_MODE === 'on') expect(during).toEqual([]);
    else expect(during.length).toBeGreaterThan(0);
    await ws.destroy();
  });

  test("the run's grants share connections to a vendor, and a vendor that cuts idle connections or keeps none fails nothing", async () => {
    const grants = (prefix: string) => Array.from({ length: 30 }, (_, i) => ({ id: `${prefix}${i}`, profileId: 'pap-oncall', permissionName: `${prefix}${i}`, permissionType: 'role' }));
    const sim = ws.sims.britive;
    const held = () => ((sim.snapshot() as Record<string, string[]>)['pap-oncall'] ?? []).sort();
    sim.requests.length = 0;
    sim.connections = 0;
    await ws.apply(buildStack({ britive: grants('Kept'), providerProps: { nodeCommand } }));
    expect(held()).toEqual(grants('Kept').map((g) => `role:${g.permissionName}`).sort());
    // Ten at a time (terraform's parallelism) over kept connections; one connection per call without the agent.
    if (AGENT_MODE === 'on') expect(sim.connections).toBeLessThanOrEqual(sim.requests.length / 2);
    else expect(sim.connections).toBe(sim.requests.length);

    // A load balancer that cuts idle connections long before the 60 s the server promises: a reused connection may be
    // closed as a request goes out, which is retried on a new one.
    sim.setKeepAlive({ advertisedSeconds: 60, idleCloseMs: 20 });
    await ws.apply(buildStack({ britive: grants('Cut'), providerProps: { nodeCommand } }));
    expect(held()).toEqual(grants('Cut').map((g) => `role:${g.permissionName}`).sort());

    // A vendor that keeps no connection: one per call, in both modes.
    sim.setKeepAlive({ close: true });
    sim.requests.length = 0;
    sim.connections = 0;
    await ws.destroy();
    expect(held()).toEqual([]);
    expect(sim.connections).toBe(sim.requests.length);
    sim.setKeepAlive({});
  });
});
