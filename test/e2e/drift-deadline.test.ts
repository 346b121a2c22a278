/** `drift --deadline`: a vendor that hangs makes its scopes `unknown` (exit 3) when the deadline passes, not an hour later. */
import * as path from 'path';
import { runProcess } from '../../scripts/run-process';
import { E2eWorkspace } from './harness';
import { buildStack } from './stack-spec';

jest.setTimeout(180_000);

const CLI = path.join(__dirname, '../../bin/cdktf-saas-permissions.js');

test('a hung vendor read past --deadline is unknown (exit 3); the others are read; the run ends near the deadline', async () => {
  const ws = await E2eWorkspace.create();
  try {
    await ws.apply(buildStack({
      polarity: [{ id: 'analysts', integrationId: 'virustotal', groupId: '7', permissions: ['read'] }],
      kore: [{ id: 'eng', entityId: 'eng@example.com', users: ['ana@example.com'] }],
      // Each request may take 60 s: only the overall deadline ends the hung read.
      providerProps: { requestTimeoutSeconds: 60, deadlineSeconds: 120 },
    }));
    ws.sims.kore.injectFault({ kind: 'delay', ms: 30_000, method: 'GET', count: 5 });
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: '1', ...ws.sims.env };
    const started = Date.now();
    const run = await runProcess(process.execPath, [CLI, 'drift', '--stack-dir', ws.stackDir, '--json', '--deadline', '4'], { env });
    const seconds = (Date.now() - started) / 1000;
    expect(run.code).toBe(3);
    const doc = JSON.parse(/^\{$[\s\S]*?^\}$/m.exec(run.output)![0]) as { summary: Record<string, number>; grants: Array<{ vendor: string; status: string; detail: string }> };
    expect(doc.summary).toMatchObject({ 'in-sync': 1, unknown: 1 });
    expect(doc.grants.find((g) => g.vendor === 'kore')).toMatchObject({ status: 'unknown', detail: expect.stringMatching(/drift deadline \(--deadline\) passed/) });
    // The hung read is abandoned at 4 s; the rest is terraform's own plan and process start.
    expect(seconds).toBeLessThan(25);
    expect((await runProcess(process.execPath, [CLI, 'drift', '--stack-dir', ws.stackDir, '--deadline', '0'], { env })).output).toMatch(/--deadline takes a number of seconds above 0/);
  } finally {
    await ws.dispose();
  }
});
