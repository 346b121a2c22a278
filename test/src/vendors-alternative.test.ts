/**
 * The vendor clients against the simulators' alternative mode: the other reading of each answer the vendors leave
 * undocumented. A client must reach the same verdicts under both readings.
 */
import { DEFAULT_CONNECTIONS, DEFAULT_HTTP_SETTINGS, VendorName } from '../../src/contract';
import { Task, runTask } from '../../src/handler';
import { Simulators, startSimulators } from '../../src/simulators';

const http_ = { ...DEFAULT_HTTP_SETTINGS, baseBackoffMs: 1, requestTimeoutMs: 2000, maxRetries: 1 };
let sims: Simulators;
beforeAll(async () => { sims = await startSimulators({}, { alternative: true }); });
afterAll(async () => { await sims.stop(); });
beforeEach(() => {
  for (const s of [sims.polarity, sims.britive, sims.kore, sims.polytomic]) { s.reset(); s.clearFaults(); s.requests.length = 0; }
});

const task = (vendor: VendorName, operation: 'apply' | 'revoke', resource: object): Task => ({
  operation, vendor, path: 'test/grant', address: `terraform_data.${vendor}_${operation}["k"]`, removalPolicy: 'destroy',
  connection: DEFAULT_CONNECTIONS[vendor], http: http_, resource: resource as Record<string, unknown>,
});
const run = (vendor: VendorName, op: 'apply' | 'revoke', resource: object) => runTask(task(vendor, op, resource), sims.env, []);
const statuses = (sim: { requests: Array<{ method: string; status: unknown }> }) => sim.requests.map((r) => `${r.method} ${r.status}`);

describe('kore: a DELETE of a user the entity does not hold answers 404', () => {
  const grant = { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'ana@example.com' };

  test('the revoke is confirmed by the entity\'s userIds, not left stuck', async () => {
    await run('kore', 'apply', grant);
    await expect(run('kore', 'revoke', grant)).resolves.toMatch(/^kore: removed /);
    sims.kore.requests.length = 0;
    await expect(run('kore', 'revoke', grant)).resolves.toBe('kore: ana@example.com was already not on entity eng@example.com of connector fc-drive (Kore answered 404; confirmed by the entity\'s userIds)');
    expect(statuses(sims.kore)).toContain('DELETE 404');
    expect(statuses(sims.kore).at(-1)).toBe('GET 200');
  });

  test('Kore\'s 404 while the entity still lists the user is not a revoke', async () => {
    await run('kore', 'apply', grant);
    const notOnIt = { errors: [{ msg: 'User ana@example.com is not associated with permission entity', code: 4004 }] };
    sims.kore.injectFault({ kind: 'status', status: 404, method: 'DELETE', count: 2, body: notOnIt });
    await expect(run('kore', 'revoke', grant)).rejects.toThrow(/could not be confirmed: the DELETE answered Kore's 404 .* still lists ana@example.com in its userIds/);
    expect(sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
  });
});
