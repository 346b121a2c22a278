/**
 * The simulators' control API as the README shows it to users: a hook called from another process (as curl sends
 * it) changes what the simulator holds, and /__sim/state shows it; a hook that is not offered, or arguments that
 * name nothing the simulator knows, are refused.
 */
import { Simulators, startSimulators } from '../../../src/simulators';

describe('simulator control hooks', () => {
  let sims: Simulators;
  beforeAll(async () => { sims = await startSimulators(); });
  afterAll(async () => { await sims.stop(); });

  // curl -d sends a form content type; the control API reads the body as JSON whatever the type.
  const post = (url: string, body: string) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  test('each vendor\'s hooks change its state, as /__sim/state then shows', async () => {
    const seeded = await post(`${sims.polarity.url}/__sim/hooks/seed`, '["shodan", "5", ["read"]]');
    expect(seeded.status).toBe(200);
    expect((await seeded.json()).state).toEqual({ shodan: { 5: ['read'] } });
    expect(await (await fetch(`${sims.polarity.url}/__sim/state`)).json()).toEqual({ shodan: { 5: ['read'] } });

    expect((await post(`${sims.britive.url}/__sim/hooks/seed`, '["pap-oncall", {"name": "Ops", "type": "role"}]')).status).toBe(200);
    expect(sims.britive.snapshot()).toEqual({ 'pap-oncall': ['role:Ops'] });
    expect((await post(`${sims.kore.url}/__sim/hooks/addUsers`, '["st-search", "fc-drive", "eng@example.com", ["ana@example.com"]]')).status).toBe(200);
    expect(sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
    const policy = await post(`${sims.polytomic.url}/__sim/hooks/seedPolicy`, '["Readers", {"read": ["248df4b7-aa70-47b8-a036-33ac447e668d"]}]');
    const { result } = await policy.json();
    expect(sims.polytomic.snapshot()).toEqual({ Readers: { id: result, actions: { read: ['248df4b7-aa70-47b8-a036-33ac447e668d'] } } });
    expect((await post(`${sims.polytomic.url}/__sim/hooks/removePolicy`, JSON.stringify([result]))).status).toBe(200);
    expect(sims.polytomic.snapshot()).toEqual({});
  });

  test('an unknown hook is 404 and lists the hooks; arguments naming nothing known are 400 with the reason', async () => {
    const unknown = await post(`${sims.polarity.url}/__sim/hooks/reset`, '[]');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).message).toMatch(/unknown hook "reset"; hooks: seed, removeGrant, addIntegration/);
    const bad = await post(`${sims.britive.url}/__sim/hooks/removeProfile`, '["pap-nope"]');
    expect(bad.status).toBe(400);
    expect((await post(`${sims.kore.url}/__sim/hooks/addUsers`, '{"bot": "st-search"}')).status).toBe(400);
  });

  test('the README example\'s ids exist: its integration, profile and Polytomic role', () => {
    expect(() => sims.polarity.seed('virustotal_3_7_4_node_18_63e5110da4_1697729362', '7', ['read'])).not.toThrow();
    expect(() => sims.britive.seed('pocahtoxoatg2dthkesw', { name: 'AdministratorAccess', type: 'role' })).not.toThrow();
    expect(() => sims.polytomic.seedPolicy('Sync operators', { read: ['248df4b7-aa70-47b8-a036-33ac447e668d'] })).not.toThrow();
  });
});
