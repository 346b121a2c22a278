/**
 * Handlers die with Terraform: after `kill -9` of terraform in the middle of an apply, its handlers (waiting out a
 * 429 storm) must not send another request, or they would re-grant behind the back of whatever runs next.
 */
import * as fs from 'fs';
import { E2eWorkspace } from './harness';
import { buildStack } from './stack-spec';

jest.setTimeout(120_000);

/** Processes whose working directory is `dir`: the handlers terraform started there. */
function processesIn(dir: string): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/cwd`) === dir;
    } catch {
      return false;
    }
  }).map(Number);
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('handlers die with terraform', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });

  test('kill -9 of terraform during a 429 storm: no request from that run reaches the vendor afterwards', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `user${i}@example.com`);
    const spec = buildStack({ kore: [{ id: 'eng', entityId: 'eng@example.com', users }], providerProps: { deadlineSeconds: 300 } });
    ws.synth(spec);
    await ws.init();
    // One request per 3 s, answered 429 with Retry-After otherwise: the handlers spend the run waiting.
    ws.sims.kore.setRateLimits([{ limit: 1, windowMs: 3000, retryAfter: true }]);
    const terraform = ws.spawnTerraform(['apply', '-auto-approve', '-no-color', '-input=false', '-parallelism=10']);
    await until(() => ws.sims.kore.requests.filter((r) => r.status === 429).length >= 5, 60_000);
    expect(processesIn(ws.stackDir).length).toBeGreaterThan(0);
    terraform.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    const seen = ws.sims.kore.requests.length;
    // Every handler waits at most 3 s before its next try: give them twice that to prove they stopped.
    await new Promise((r) => setTimeout(r, 6000));
    expect(ws.sims.kore.requests.slice(seen)).toEqual([]);
    expect(processesIn(ws.stackDir)).toEqual([]);
    const granted = (ws.sims.kore.snapshot() as Record<string, string[]>)['st-search/fc-drive/eng@example.com'] ?? [];
    expect(granted.length).toBeLessThan(users.length);
    process.stdout.write(`kill -9 of terraform: ${seen} requests before, none in the ${((Date.now() - killedAt) / 1000).toFixed(1)} s after; ${granted.length} of ${users.length} users granted\n`);
  });
});
