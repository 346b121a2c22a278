/**
 * Where the product's apply and destroy time goes with the local backend (BENCHMARKS.md, "One agent per run"):
 * `npx tsx scripts/bench-structure.ts [N] [variants]`, default 500 grants and every variant, RUNS=k repeats them
 * interleaved. Variants: `product` (the benchmark's mixed stack), `ptrue` (the same synthesized stack with every
 * provisioner's interpreter replaced by `true`: Terraform's cost of the layout alone), `ptrue-noinput` (and without
 * the revoke instance's `input`), `ptrue-rawpath` (the path alone as `input`), `true2` (two blocks of N instances
 * running `true`), `peer` (the curl peer) and `true` (one block of N). Prints wall time, state size and terraform's
 * user+system CPU (GNU time) per variant.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { addPolarityGroups, buildMixedStack, peerCommand, startPeerServer, writeFloorStack } from './bench-stack';
import { startSimulators } from '../src/simulators';
import { runProcess } from './run-process';
import { terraformEnv } from './terraform-env';

const n = Number(process.argv[2] ?? 500);
const variants = (process.argv[3] ?? 'product,ptrue,ptrue-noinput,true2,peer,true').split(',');
const runs = Number(process.env.RUNS ?? 1);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'saas-bench-structure-'));

/** The synthesized product stack, changed as the variant says (`ptrue`, `-noinput`, `-rawpath`). */
function writeProductVariant(source: string, dir: string, variant: string): void {
  fs.cpSync(source, dir, { recursive: true });
  const file = path.join(dir, 'cdk.tf.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { resource: { terraform_data: Record<string, { input?: string; provisioner?: Array<Record<string, { interpreter: string[] }>> }> } };
  for (const [name, block] of Object.entries(config.resource.terraform_data)) {
    if (variant.startsWith('ptrue')) for (const p of block.provisioner ?? []) p['local-exec'].interpreter = ['true'];
    if (variant.includes('noinput') && name.endsWith('_revoke')) delete block.input;
    if (variant.includes('rawpath') && name.endsWith('_revoke')) block.input = '${each.value.path}';
  }
  fs.writeFileSync(file, JSON.stringify(config));
}

/** terraform apply or destroy under GNU time: wall time, and terraform's CPU with its provisioners' processes. */
async function timed(dir: string, command: 'apply' | 'destroy', env: NodeJS.ProcessEnv): Promise<{ seconds: string; cpu: string }> {
  const run = await runProcess('/usr/bin/time', ['-f', 'CPU %U %S', 'terraform', command, '-auto-approve', '-parallelism=10', '-no-color'], { cwd: dir, env });
  if (run.code !== 0) throw new Error(`terraform ${command} in ${dir} failed:\n${run.output.slice(-3000)}`);
  return { seconds: (run.ms / 1000).toFixed(2), cpu: run.output.match(/CPU (\S+) (\S+)/)?.slice(1).join('+') ?? '?' };
}

async function main(): Promise<void> {
  const sims = await startSimulators();
  addPolarityGroups(sims.polarity, n);
  const peer = await startPeerServer();
  const env = terraformEnv(sims.env);
  try {
    const appDir = path.join(work, 'app');
    fs.mkdirSync(appDir);
    const app = new App({ outdir: path.join(appDir, 'out') });
    const stack = new TerraformStack(app, 'bench');
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    buildMixedStack(stack, n);
    app.synth();
    const source = path.join(appDir, 'out', 'stacks', 'bench');
    const dirs = Object.fromEntries(variants.map((v) => [v, path.join(work, v)]));
    for (const [variant, dir] of Object.entries(dirs)) {
      if (variant === 'true2') writeFloorStack(dir, n, { interpreter: ['true'], twoBlocks: true });
      else if (variant === 'true') writeFloorStack(dir, n, { interpreter: ['true'] });
      else if (variant === 'peer') writeFloorStack(dir, n, { interpreter: ['sh', '-c'], command: peerCommand(peer.url, 'POST'), destroyCommand: peerCommand(peer.url, 'DELETE') });
      else writeProductVariant(source, dir, variant);
      const init = await runProcess('terraform', ['init', '-no-color'], { cwd: dir, env });
      if (init.code !== 0) throw new Error(init.output);
    }
    // Interleaved, so machine noise hits every variant alike.
    for (let r = 0; r < runs; r++) {
      for (const [variant, dir] of Object.entries(dirs)) {
        const apply = await timed(dir, 'apply', env);
        const state = path.join(dir, 'terraform.tfstate');
        const size = fs.existsSync(state) ? fs.statSync(state).size : 0;
        const destroy = await timed(dir, 'destroy', env);
        process.stdout.write(`${variant.padEnd(16)} apply ${apply.seconds} s  destroy ${destroy.seconds} s  state ${(size / 1024).toFixed(0)} KB  tf-cpu apply ${apply.cpu} destroy ${destroy.cpu}\n`);
      }
    }
  } finally {
    await sims.stop();
    peer.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => { process.stderr.write(`bench-structure failed: ${(error as Error).stack}\n`); process.exit(1); });
