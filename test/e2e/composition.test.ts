/**
 * Composing with other resources: `dependsOn` (and `node.addDependency`) orders a vendor's grants after another
 * resource at apply, and their revokes before its destroy. The other resource records what the vendor held when its
 * own provisioner ran.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataResource, TerraformStack } from 'cdktf';
import { PolarityIntegrationPermission, PolarityProvider } from '../../constructs';
import { E2eWorkspace, FAST_HTTP } from './harness';

jest.setTimeout(300_000);

/** A node one-liner that waits, then writes what the Polarity simulator holds to `file`. */
function recordState(url: string, file: string, waitMs: number): string {
  const script = `setTimeout(async () => require("fs").writeFileSync(${JSON.stringify(file)}, await (await fetch(${JSON.stringify(`${url}/__sim/state`)})).text()), ${waitMs})`;
  return `node -e '${script}'`;
}

describe('composition', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });

  test.each(['prop', 'node.addDependency'])('dependsOn (%s): grants wait for the resource at apply, and its destroy waits for their revokes', async (how) => {
    const created = path.join(ws.root, `created-${how}.json`);
    const destroyed = path.join(ws.root, `destroyed-${how}.json`);
    const build = (stack: TerraformStack) => {
      const provider = new PolarityProvider(stack, 'polarity', FAST_HTTP);
      const upstream = new DataResource(stack, 'upstream', {
        input: { value: 'x' },
        provisioners: [
          { type: 'local-exec', command: recordState(ws.sims.polarity.url, created, 1500) },
          { type: 'local-exec', when: 'destroy', command: recordState(ws.sims.polarity.url, destroyed, 0) },
        ],
      });
      const grant = new PolarityIntegrationPermission(stack, 'analysts', {
        integrationId: 'virustotal', groupId: '7', permissions: ['read'], provider, ...(how === 'prop' ? { dependsOn: [upstream] } : {}),
      });
      if (how !== 'prop') grant.node.addDependency(upstream);
    };
    await ws.apply(build);
    // The upstream resource finished (after 1.5 s) before the grant was made.
    expect(JSON.parse(fs.readFileSync(created, 'utf8'))).toEqual({});
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] } });

    // A slow revoke: the upstream resource's destroy still comes after it.
    ws.sims.polarity.injectFault({ kind: 'delay', ms: 1500, method: 'DELETE', count: 1 });
    await ws.destroy();
    expect(JSON.parse(fs.readFileSync(destroyed, 'utf8'))).toEqual({});
    expect(ws.sims.polarity.snapshot()).toEqual({});
  });
});
