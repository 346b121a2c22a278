/**
 * The per-run agent's server (src/agent.ts) without terraform: grants handed over its socket, each with its own list
 * of secrets. The end-to-end behaviour (one Node start per run, results, 429 budget) is in test/e2e/agent.test.ts.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

process.env.SAAS_PERMISSIONS_AGENT_IDLE_MS = '300';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { AGENT_SOCKET, serveAgent } = require('../../src/agent') as typeof import('../../src/agent');

function handOver(socketPath: string, operation: string, payload: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams({ a: 'terraform_data.kore_apply["k"]', p: `${payload}\n` }).toString();
    const request = http.request({ socketPath, path: `/${operation}`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

test("each grant gets the run's secrets and adds its own without the next grant seeing them", async () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saas-agent-unit-'));
  const seen: string[][] = [];
  const env = { KORE_CLIENT_SECRET: 'run-wide-secret-value', PATH: process.env.PATH };
  const served = serveAgent([runDir, String(process.pid)], env, async (operation, payload, address, runEnv, secrets) => {
    seen.push([...secrets]);
    // What a vendor client does with the credentials it read: a Kore JWT is new for every grant.
    secrets.push(`jwt-of-${payload}`);
    return { code: 0, text: `${operation} ${payload} ${address}\n` };
  });
  const socketPath = path.join(runDir, AGENT_SOCKET);
  while (!fs.existsSync(socketPath)) await new Promise((r) => setTimeout(r, 10));
  for (const payload of ['one', 'two', 'three']) {
    const answer = await handOver(socketPath, 'apply', payload);
    expect(answer).toEqual({ status: 200, text: `apply ${payload} terraform_data.kore_apply["k"]\n` });
  }
  expect(seen).toEqual([['run-wide-secret-value'], ['run-wide-secret-value'], ['run-wide-secret-value']]);
  // Idle: the agent leaves and removes its folder.
  expect(await served).toBe(0);
  expect(fs.existsSync(runDir)).toBe(false);
});
