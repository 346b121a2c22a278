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
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { buildMixedStack } from './bench-stack';
import { startSimulators } from '../src/simulators';
import { terraformEnv } from './terraform-env';
import { runProcess } from './run-process';
const n = Number(process.argv[2] ?? 500);
const variants = (process.argv[3] ?? 'product,ptrue,ptrue-noinput,true2,peer,true').split(',');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'saas-bench-structure-'));
(async () => {
  const sims = await startSimulators();
  // The mixed stack grants to Polarity groups 1..N; the simulator knows only groups that exist.
  for (let g = 21; g <= n; g++) sims.polarity.addGroup(String(g));
  const env = terraformEnv(sims.env);
  const server = http.createServer((q, s) => { q.resume(); q.on('end', () => s.end('{"ok":true}')); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const appDir = path.join(work, 'app'); fs.mkdirSync(appDir);
  const app = new App({ outdir: path.join(appDir, 'out') });
  const stack = new TerraformStack(app, 'bench');
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  buildMixedStack(stack, n); app.synth();
  const src = path.join(appDir, 'out', 'stacks', 'bench');
  const dirs: Record<string, string> = {};
  for (const v of variants) {
    const d = path.join(work, v); dirs[v] = d;
    if (v === 'true2') {
      fs.mkdirSync(d);
      const instances = Object.fromEntries(Array.from({ length: n }, (_, i) => [`grant-${i}`, { n: i }]));
      const blk = (w?: string) => ({ for_each: '${local.instances}', input: '${each.value}', provisioner: [{ 'local-exec': { ...(w ? { when: w } : {}), interpreter: ['true'], command: 'x' } }] });
      fs.writeFileSync(path.join(d, 'main.tf.json'), JSON.stringify({ locals: { instances }, resource: { terraform_data: { a: blk(), b: blk('destroy') } } }));
      continue;
    }
    if (v === 'peer' || v === 'true') {
      fs.mkdirSync(d);
      const interp = v === 'true' ? ['true'] : ['sh', '-c'];
      const c = (m: string) => v === 'true' ? 'x' : `curl -sS -f -o /dev/null -X ${m} -H 'content-type: application/json' --data '{"permissions":["read"]}' ${url}/grants`;
      const instances = Object.fromEntries(Array.from({ length: n }, (_, i) => [`grant-${i}`, { n: i }]));
      fs.writeFileSync(path.join(d, 'main.tf.json'), JSON.stringify({ locals: { instances }, resource: { terraform_data: { floor: { for_each: '${local.instances}', input: '${each.value}', provisioner: [{ 'local-exec': { interpreter: interp, command: c('POST') } }, { 'local-exec': { when: 'destroy', interpreter: interp, command: c('DELETE') } }] } } } }));
      continue;
    }
    fs.cpSync(src, d, { recursive: true });
    const f = path.join(d, 'cdk.tf.json');
    const j = JSON.parse(fs.readFileSync(f, 'utf8'));
    for (const [name, block] of Object.entries<any>(j.resource.terraform_data)) {
      if (v.startsWith('ptrue')) for (const p of block.provisioner ?? []) p['local-exec'].interpreter = ['true'];
      if (v.includes('noinput') && name.endsWith('_revoke')) delete block.input;
      if (v.includes('rawpath') && name.endsWith('_revoke')) block.input = '${each.value.path}';
      if (v.includes('noenv')) for (const p of block.provisioner ?? []) p['local-exec'].environment = { A: 'x' };
    }
    fs.writeFileSync(f, JSON.stringify(j));
  }
  for (const d of Object.values(dirs)) { const r = await runProcess('terraform', ['init', '-no-color'], { cwd: d, env }); if (r.code) throw new Error(r.output); }
  const runs = Number(process.env.RUNS ?? 1);
  for (let r = 0; r < runs; r++) for (const [v, d] of Object.entries(dirs)) {
    const a = await runProcess('/usr/bin/time', ['-f', 'CPU %U %S', 'terraform', 'apply', '-auto-approve', '-parallelism=10', '-no-color'], { cwd: d, env });
    const size = fs.existsSync(path.join(d, 'terraform.tfstate')) ? fs.statSync(path.join(d, 'terraform.tfstate')).size : 0;
    const b = await runProcess('/usr/bin/time', ['-f', 'CPU %U %S', 'terraform', 'destroy', '-auto-approve', '-parallelism=10', '-no-color'], { cwd: d, env });
    if (a.code || b.code) console.log(v, 'FAILED', a.output.slice(-1500), b.output.slice(-1500));
    console.log(`${v.padEnd(16)} apply ${(a.ms / 1000).toFixed(2)} s  destroy ${(b.ms / 1000).toFixed(2)} s  state ${(size / 1024).toFixed(0)} KB  tf-cpu apply ${a.output.match(/CPU (\S+) (\S+)/)?.slice(1).join('+')} destroy ${b.output.match(/CPU (\S+) (\S+)/)?.slice(1).join('+')}`);
  }
  await sims.stop(); server.close(); process.exit(0);
})();
