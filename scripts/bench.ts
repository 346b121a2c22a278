/**
 * `npm run bench`: what each permission costs, as ratios against floors measured in the same run.
 *  - apply and destroy of N mixed grants (all four vendors) against the simulators, next to N terraform_data
 *    instances whose provisioners run `node -e 0` (a Node process) and `true` (Terraform's own cost), with the
 *    local backend (cdktf's default) and with a remote (http) backend, as pipelines keep state;
 *  - one handler call per vendor against its simulator (and one over HTTPS), wall time and peak memory, next to
 *    `node -e 0`;
 *  - synth of N constructs next to N bare DataResources;
 *  - vendor calls per grant, counted by the simulators.
 * Medians of BENCH_RUNS runs (default 3; 15 for the handler). Sizes from BENCH_SIZES (default 50,200,500).
 * Results go to stdout and between the result markers of BENCHMARKS.md.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, HttpBackend, LocalBackend, TerraformStack } from 'cdktf';
import { CONTRACT_VERSION, DEFAULT_CONNECTIONS, HANDLER_FILE_NAME, PAYLOAD_ENV, VendorName } from '../src/contract';
import { POLYTOMIC_SIM_ROLES, PolaritySimulator, SIM_CREDENTIALS, startSimulators, Simulators } from '../src/simulators';
import { makeTestCertificates } from '../src/simulators/certificates';
import type { SaasProviderBaseProps } from '../constructs/permissions-provider';
import { FloorStackOptions, addPolarityGroups, buildMixedStack, peerCommand, startPeerServer, writeFloorStack } from './bench-stack';
import { runProcess } from './run-process';
import { StateServer, startStateServer } from './state-server';
import { terraformEnv } from './terraform-env';

const ROOT = path.resolve(__dirname, '..');
/** `npm run bench -- --sizes 200,500 --runs 1 --backends local --quick`: flags win over the environment. */
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}
/** Only the apply/destroy table, printed and not written to BENCHMARKS.md. */
const QUICK = process.argv.includes('--quick');
/** Only the product, the curl peer and `true`: skips the slow rows that start Node per grant (agent off, `node -e 0`). */
const PEER_ONLY = process.argv.includes('--peer-only');
const RUNS = Number(flag('runs') ?? process.env.BENCH_RUNS ?? 3);
const HANDLER_RUNS = Number(process.env.BENCH_HANDLER_RUNS ?? 15);
const SIZES = (flag('sizes') ?? process.env.BENCH_SIZES ?? '200,500,2000').split(',').map(Number);
const BACKENDS = (flag('backends') ?? process.env.BENCH_BACKENDS ?? 'local,http').split(',') as Backend[];
const SYNTH_SIZES = (process.env.BENCH_SYNTH_SIZES ?? '100,1000,5000').split(',').map(Number);
const PARALLELISM = 10;
const DRIFT_SIZE = Number(process.env.BENCH_DRIFT_SIZE ?? 500);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'saas-bench-'));

/** Where Terraform keeps state: a local file (cdktf's default), or a remote http backend as pipelines use. */
type Backend = 'local' | 'http';
let stateServer: StateServer;
let peerServer: { url: string; close: () => void };
const stateAddress = (dir: string) => `${stateServer.url}/${path.relative(work, dir)}`;

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (ms: number) => (Number.isNaN(ms) ? "(skipped)" : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

async function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const r = await runProcess('terraform', [...args, '-no-color', '-input=false'], { cwd: dir, env });
  if (r.code !== 0) throw new Error(`terraform ${args[0]} in ${dir} failed:\n${r.output.slice(-3000)}`);
  return r.ms;
}

/** The product's stack. */
function writeProductStack(dir: string, n: number, backend: Backend = 'local', providerProps: SaasProviderBaseProps = {}): Record<string, number> {
  fs.mkdirSync(dir, { recursive: true });
  const app = new App({ outdir: path.join(dir, 'out') });
  const stack = new TerraformStack(app, 'bench');
  if (backend === 'http') new HttpBackend(stack, { address: stateAddress(dir) });
  else new LocalBackend(stack, { path: path.join(dir, 'terraform.tfstate') });
  const counts = buildMixedStack(stack, n, providerProps);
  app.synth();
  return counts;
}

interface ApplyRow { n: number; apply: Record<string, number>; destroy: Record<string, number> }

async function benchApply(sims: Simulators, n: number, backend: Backend): Promise<ApplyRow> {
  const env = terraformEnv(sims.env);
  const dirs: Record<string, string> = {
    product: path.join(work, `product-${backend}-${n}`, 'out', 'stacks', 'bench'),
    'agent off': path.join(work, `product-${backend}-${n}`, 'out', 'stacks', 'bench'),
    'curl peer': path.join(work, `peer-curl-${backend}-${n}`),
    'node -e 0': path.join(work, `floor-node-${backend}-${n}`),
    true: path.join(work, `floor-true-${backend}-${n}`),
  };
  writeProductStack(path.join(work, `product-${backend}-${n}`), n, backend);
  const floor = (dir: string, options: Omit<FloorStackOptions, 'terraform'>) => writeFloorStack(dir, n, {
    ...options, ...(backend === 'http' ? { terraform: { backend: { http: { address: stateAddress(dir) } } } } : {}),
  });
  floor(dirs['curl peer'], { interpreter: ['sh', '-c'], command: peerCommand(peerServer.url, 'POST'), destroyCommand: peerCommand(peerServer.url, 'DELETE') });
  floor(dirs['node -e 0'], { interpreter: ['node', '-e', '0'] });
  floor(dirs.true, { interpreter: ['true'] });
  for (const dir of new Set(Object.values(dirs))) await terraform(dir, ['init'], env);
  const times: Record<string, { apply: number[]; destroy: number[] }> = {};
  for (let r = 0; r < RUNS; r++) {
    // Interleaved so that machine noise hits every row alike.
    for (const [name, dir] of Object.entries(dirs)) {
      times[name] ??= { apply: [], destroy: [] };
      if ((name === 'agent off' || name === 'node -e 0') && PEER_ONLY) {
        times[name].apply.push(NaN);
        times[name].destroy.push(NaN);
        continue;
      }
      // The same stack with each grant in a Node handler of its own, as where curl is missing.
      const rowEnv = name === 'agent off' ? { ...env, SAAS_PERMISSIONS_AGENT: 'off' } : env;
      times[name].apply.push(await terraform(dir, ['apply', '-auto-approve', `-parallelism=${PARALLELISM}`], rowEnv));
      times[name].destroy.push(await terraform(dir, ['destroy', '-auto-approve', `-parallelism=${PARALLELISM}`], rowEnv));
    }
  }
  const pick = (k: 'apply' | 'destroy') => Object.fromEntries(Object.entries(times).map(([name, t]) => [name, median(t[k])]));
  return { n, apply: pick('apply'), destroy: pick('destroy') };
}

async function benchCalls(sims: Simulators, n: number): Promise<string[]> {
  const env = terraformEnv(sims.env);
  const dir = path.join(work, `calls-${n}`);
  const grants = writeProductStack(dir, n);
  const stackDir = path.join(dir, 'out', 'stacks', 'bench');
  await terraform(stackDir, ['init'], env);
  const all = [sims.polarity, sims.britive, sims.kore, sims.polytomic];
  const count = async (args: string[]) => {
    for (const s of all) s.requests.length = 0;
    await terraform(stackDir, args, env);
    return Object.fromEntries(all.map((s) => [s.vendor, s.requests.length]));
  };
  const created = await count(['apply', '-auto-approve']);
  const unchanged = await count(['apply', '-auto-approve']);
  const destroyed = await count(['destroy', '-auto-approve']);
  const per = (counts: Record<string, number>, vendor: string) => (counts[vendor] / grants[vendor]).toFixed(2);
  return all.map((s) => `| ${s.vendor} | ${per(created, s.vendor)} | ${per(unchanged, s.vendor)} | ${per(destroyed, s.vendor)} |`);
}

/**
 * The drift report of N applied grants: its wall time (state read, a plan without refresh, one read per scope) next
 * to `terraform show -json` alone, the state read it cannot avoid, and the vendor requests it makes.
 */
async function benchDrift(sims: Simulators, n: number): Promise<string[]> {
  const env = terraformEnv(sims.env);
  const dir = path.join(work, `drift-${n}`);
  writeProductStack(dir, n);
  const stackDir = path.join(dir, 'out', 'stacks', 'bench');
  await terraform(stackDir, ['init'], env);
  await terraform(stackDir, ['apply', '-auto-approve', `-parallelism=${PARALLELISM}`], env);
  const all = [sims.polarity, sims.britive, sims.kore, sims.polytomic];
  const drift: number[] = [];
  const show: number[] = [];
  let requests: Record<string, number> = {};
  for (let r = 0; r < RUNS; r++) {
    for (const s of all) s.requests.length = 0;
    const run = await runProcess(process.execPath, [path.join(ROOT, 'bin/cdktf-saas-permissions.js'), 'drift', '--json', '--stack-dir', stackDir], { env });
    if (run.code !== 0) throw new Error(`drift failed (exit ${run.code}): ${run.output.slice(-2000)}`);
    drift.push(run.ms);
    requests = Object.fromEntries(all.map((s) => [s.vendor, s.requests.length]));
    const shown = await runProcess('terraform', ['show', '-json'], { cwd: stackDir, env });
    show.push(shown.ms);
  }
  await terraform(stackDir, ['destroy', '-auto-approve', `-parallelism=${PARALLELISM}`], env);
  const total = Object.values(requests).reduce((a, b) => a + b, 0);
  return [
    `| ${n} | ${fmt(median(drift))} | ${fmt(median(show))} | **${(median(drift) / median(show)).toFixed(2)}x** | ${total} (${Object.entries(requests).map(([v, c]) => `${v} ${c}`).join(', ')}) |`,
  ];
}

interface HandlerRow { name: string; ms: number; kb: number }

/** One create per vendor against its simulator, and one over HTTPS, interleaved with `node -e 0`. */
async function benchHandler(sims: Simulators): Promise<HandlerRow[]> {
  const handler = path.join(ROOT, 'dist', HANDLER_FILE_NAME);
  const certs = makeTestCertificates(fs.mkdtempSync(path.join(work, 'certs-')));
  const tls = new PolaritySimulator({ token: SIM_CREDENTIALS.polarityToken });
  await tls.start(0, '127.0.0.1', { key: certs.key, cert: certs.cert });
  const payload = (vendor: VendorName, connection: object, resource: object) => JSON.stringify({ v: CONTRACT_VERSION, vendor, path: 'bench/grant', connection: { ...DEFAULT_CONNECTIONS[vendor], ...connection }, resource });
  const polarity = { integrationId: 'virustotal', groupId: '7', permissions: ['read'] };
  // What the handler sends for that grant (src/vendors/polarity.ts).
  const polarityBody = JSON.stringify({ data: [{ type: 'permissions', attributes: { permissions: ['read'] }, relationships: { group: { data: { type: 'groups', id: '7' } }, integration: { data: { type: 'integrations', id: 'virustotal' } } } }] });
  const rows: Record<string, { args: string[]; payload?: string }> = {
    '`node -e 0`': { args: ['node', '-e', '0'] },
    // Context, not a target: what a Node process pays for one HTTP request with no library and no logic at all.
    '`node` + one bare `http` POST': {
      args: ['node', '-e', `const t = 'application/vnd.api+json'; require('http').request(process.env.POLARITY_URL + '/api/integrations/virustotal/permissions', { method: 'POST', headers: { authorization: 'Bearer ' + process.env.POLARITY_TOKEN, 'content-type': t, accept: t } }, (r) => { r.resume(); r.on('end', () => process.exit(r.statusCode < 300 ? 0 : 1)); }).end(process.env.BENCH_BODY)`],
    },
    'polarity `apply`': { args: ['node', handler, 'apply'], payload: payload('polarity', { tokenEnv: 'POLARITY_TOKEN' }, polarity) },
    'britive `apply`': { args: ['node', handler, 'apply'], payload: payload('britive', { tokenEnv: 'BRITIVE_TOKEN' }, { profileId: 'pap-admins', permissionName: 'Bench', permissionType: 'role' }) },
    'kore `apply` (mints a JWT)': {
      args: ['node', handler, 'apply'],
      payload: payload('kore', { jwtEnv: 'KORE_JWT', clientIdEnv: 'KORE_CLIENT_ID', clientSecretEnv: 'KORE_CLIENT_SECRET' }, { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', user: 'bench@example.com' }),
    },
    'polytomic `apply` (lists, then writes)': {
      args: ['node', handler, 'apply'],
      payload: payload('polytomic', { apiKeyEnv: 'POLYTOMIC_API_KEY', apiVersion: '2024-02-08' }, { name: 'Bench', policyActions: [{ action: 'read', roleIds: [POLYTOMIC_SIM_ROLES[0]] }] }),
    },
    'polarity `apply` over HTTPS': { args: ['node', handler, 'apply'], payload: payload('polarity', { url: tls.url, tokenEnv: 'POLARITY_TOKEN' }, polarity) },
  };
  const samples: Record<string, Array<{ ms: number; kb: number }>> = {};
  try {
    for (let i = 0; i < HANDLER_RUNS; i++) {
      for (const [name, row] of Object.entries(rows)) {
        // The CA is set for every row alike: Node reads the file only when it first builds a TLS context.
        const env = { ...process.env, ...sims.env, NODE_EXTRA_CA_CERTS: certs.ca, BENCH_BODY: polarityBody, ...(row.payload ? { [PAYLOAD_ENV]: row.payload } : {}) };
        const r = await runProcess('/usr/bin/time', ['-f', 'maxrss=%M', ...row.args], { env });
        if (r.code !== 0) throw new Error(`${row.args.join(' ')} failed: ${r.output}`);
        (samples[name] ??= []).push({ ms: r.ms, kb: Number(/maxrss=(\d+)/.exec(r.output)![1]) });
      }
    }
  } finally {
    await tls.stop();
  }
  return Object.entries(samples).map(([name, xs]) => ({ name, ms: median(xs.map((x) => x.ms)), kb: Math.max(...xs.map((x) => x.kb)) }));
}

async function benchSynth(count: number, validate = false): Promise<{ constructs: number; bare: number }> {
  const one = async (kind: string) => {
    const args = [path.join(ROOT, 'scripts/bench-synth.ts'), kind, String(count), path.join(work, `synth-${kind}-${count}`), validate ? 'validate' : 'skip'];
    const r = await runProcess(path.join(ROOT, 'node_modules/.bin/tsx'), args);
    if (r.code !== 0) throw new Error(`synth of ${count} ${kind} failed: ${r.output}`);
    return Number(r.output.trim().split('\n').pop());
  };
  const c: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < RUNS; r++) { c.push(await one('constructs')); b.push(await one('bare')); }
  return { constructs: median(c), bare: median(b) };
}

async function main(): Promise<void> {
  if (!fs.existsSync('/usr/bin/time')) throw new Error('the benchmark reads peak memory with GNU time: apt-get install time');
  const tf = (await runProcess('terraform', ['version'], { env: terraformEnv({}) })).output.split('\n')[0];
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${tf}, parallelism ${PARALLELISM}, medians of ${RUNS} runs (handler: ${HANDLER_RUNS})`;
  process.stdout.write(`machine: ${machine}\n`);
  const sims = await startSimulators();
  addPolarityGroups(sims.polarity, Math.max(...SIZES, QUICK ? 0 : DRIFT_SIZE));
  stateServer = await startStateServer();
  peerServer = await startPeerServer();
  const lines: string[] = [`Measured ${new Date().toISOString().slice(0, 10)} on ${machine}.`, ''];
  try {
    lines.push('### Apply and destroy of N mixed grants (round-robin over the four vendors)', '',
      '| backend | N | apply | agent off | curl peer | `node -e 0` | `true` | **ratio to peer** | destroy | agent off | curl peer | `node -e 0` | `true` | **ratio to peer** |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const backend of BACKENDS) {
      for (const n of SIZES) {
        const row = await benchApply(sims, n, backend);
        const a = row.apply;
        const d = row.destroy;
        const cells = (t: Record<string, number>) => `${fmt(t.product)} | ${fmt(t['agent off'])} | ${fmt(t['curl peer'])} | ${fmt(t['node -e 0'])} | ${fmt(t.true)} | **${(t.product / t['curl peer']).toFixed(2)}x**`;
        const line = `| ${backend} | ${n} | ${cells(a)} | ${cells(d)} |`;
        lines.push(line);
        process.stdout.write(`${line}\n`);
      }
    }

    if (QUICK) return;
    const handlerRows = await benchHandler(sims);
    const floor = handlerRows[0];
    lines.push('', '### One handler call against a simulator, next to `node -e 0`', '',
      '| | wall time (median) | ratio | peak RSS (max) |', '|---|---|---|---|',
      ...handlerRows.map((h) => `| ${h.name} | ${fmt(h.ms)} | **${(h.ms / floor.ms).toFixed(2)}x** | ${(h.kb / 1024).toFixed(1)} MB |`));
    process.stdout.write(`${lines.slice(-(handlerRows.length + 2)).join('\n')}\n`);

    lines.push('', '### Synth of N constructs (first construct to the end of app.synth(), fresh process, cdktf validations skipped)', '',
      '| N | constructs | bare DataResources | ratio | per construct |', '|---|---|---|---|---|');
    for (const n of SYNTH_SIZES) {
      const s = await benchSynth(n);
      const line = `| ${n} | ${fmt(s.constructs)} | ${fmt(s.bare)} | **${(s.constructs / s.bare).toFixed(2)}x** | ${(s.constructs / n).toFixed(2)} ms |`;
      lines.push(line);
      process.stdout.write(`${line}\n`);
    }
    const validated = await benchSynth(100, true);
    lines.push('', `With cdktf's default validations, which spawn \`terraform version\` once per terraform_data, 100 constructs synthesize in ${fmt(validated.constructs)} (8 terraform_data blocks in all) and 100 bare DataResources in ${fmt(validated.bare)}.`);

    lines.push('', `### Drift report of N applied grants (\`drift --json\`, fresh process, median of ${RUNS})`, '',
      '| N | drift | `terraform show -json` | ratio | vendor requests |', '|---|---|---|---|---|', ...(await benchDrift(sims, DRIFT_SIZE)));
    process.stdout.write(`${lines.slice(-1).join('\n')}\n`);

    lines.push('', `### Vendor calls per grant (counted by the simulators, N = ${SIZES[0]})`, '',
      '| vendor | create | unchanged re-apply | destroy |', '|---|---|---|---|', ...(await benchCalls(sims, SIZES[0])));
    process.stdout.write(`${lines.slice(-6).join('\n')}\n`);
  } finally {
    await sims.stop();
    await stateServer.stop();
    peerServer.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (QUICK) return;
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const doc = fs.readFileSync(file, 'utf8');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  fs.writeFileSync(file, doc.slice(0, doc.indexOf(start) + start.length) + '\n' + lines.join('\n') + '\n' + doc.slice(doc.indexOf(end)));
  process.stdout.write('\nwritten to BENCHMARKS.md\n');
}

main().catch((error) => { process.stderr.write(`bench failed: ${(error as Error).stack}\n`); process.exit(1); });
