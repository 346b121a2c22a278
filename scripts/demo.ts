/**
 * `npm run demo`: the product's main job, end to end. Starts the four vendor simulators, runs a real `cdktf deploy`
 * of main.ts, shows what each vendor holds, changes access by hand at two vendors and lets `drift` report and repair
 * it, reviews who holds what (`access`, also as HTML), lets a contractor's grant expire and the next deploy revoke it
 * with no change to the code, deploys a reviewed change, re-deploys to show nothing is called, destroys, shows the
 * vendors clean, and stops.
 * Exits non-zero if any step or any expectation fails.
 * `npm run demo -- --core cdktn` does the same on CDK Terrain: cdktn-cli (on a Node >= 22.19, see cdktn-node.ts)
 * runs main.ts with scripts/core-alias.cjs preloaded, which resolves the module cdktf to cdktn.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { Simulators, startSimulators } from '../src/simulators';
import { cdktnNodeDir } from './cdktn-node';
import { runProcess } from './run-process';
import { terraformEnv } from './terraform-env';

const ROOT = path.resolve(__dirname, '..');
const STACK = 'saas-access';
const LOG_DIR = path.join(ROOT, 'cdktf.out');
const CORE = parseArgs({ options: { core: { type: 'string', default: 'cdktf' } } }).values.core!;
// The app command of cdktf.json, with the core alias preloaded on CDK Terrain.
const CORE_ARGS = CORE === 'cdktn' ? ['--app', 'npx tsx --require ./scripts/core-alias.cjs main.ts'] : [];

function requireTerraform(): void {
  const probe = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    process.stderr.write('The demo needs Terraform >= 1.4 on the PATH (terraform_data). Install it from your package manager or\n' +
      'https://developer.hashicorp.com/terraform/install, then run `npm run demo` again.\n');
    process.exit(1);
  }
  process.stdout.write(`${probe.stdout.split('\n')[0]}\n`);
}

/** Runs the core's CLI; keeps its full log in cdktf.out/ and prints the lines that say what happened at the vendors. */
async function cdktf(step: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  process.stdout.write(`\n$ ${CORE} ${args.join(' ')}\n`);
  const { code, output } = await runProcess(path.join(ROOT, 'node_modules/.bin', CORE), [...args, ...CORE_ARGS], { cwd: ROOT, env });
  const text = output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  fs.mkdirSync(LOG_DIR, { recursive: true });
  fs.writeFileSync(path.join(LOG_DIR, `demo-${step}.log`), text);
  for (const line of text.split('\n')) {
    const handler = /\(local-exec\):\s+(?!Executing:)(.+)$/.exec(line);
    if (handler) process.stdout.write(`  ${handler[1].trim()}\n`);
    else if (/Apply complete!|Destroy complete!|No changes\./.test(line)) process.stdout.write(`  ${line.trim()}\n`);
  }
  if (code !== 0) throw new Error(`${CORE} ${args[0]} failed (exit ${code}); full log: cdktf.out/demo-${step}.log\n${text.split('\n').slice(-30).join('\n')}`);
}

/** Runs the command-line tool against the deployed stack and prints what it says; returns its exit code. */
async function saasPermissions(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  process.stdout.write(`\n$ cdktf-saas-permissions ${args.join(' ')}\n`);
  const { code, output } = await runProcess(process.execPath, [path.join(ROOT, 'bin/cdktf-saas-permissions.js'), ...args], { cwd: ROOT, env });
  process.stdout.write(output.split('\n').map((line) => (line ? `  ${line}` : line)).join('\n'));
  process.stdout.write(`  (exit ${code})\n`);
  return code;
}

function showVendors(sims: Simulators, title: string): Record<string, unknown> {
  const state = {
    polarity: sims.polarity.snapshot(), britive: sims.britive.snapshot(), kore: sims.kore.snapshot(), polytomic: sims.polytomic.snapshot(),
  };
  process.stdout.write(`\n== ${title}\n`);
  for (const [vendor, held] of Object.entries(state)) process.stdout.write(`  ${vendor.padEnd(10)} ${JSON.stringify(held)}\n`);
  return state;
}

/** When the demo's contractor grant ends: far enough ahead that the first deploy, drift and access finish before it even on a loaded machine (30 s was not), near enough not to wait long. */
const EXPIRY_SECONDS = 90;

async function waitUntil(timestamp: string): Promise<void> {
  const wait = Date.parse(timestamp) - Date.now() + 1000;
  if (wait <= 0) return;
  process.stdout.write(`\n== waiting ${Math.ceil(wait / 1000)} s for the contractor's grant to expire (${timestamp})\n`);
  await new Promise((resolve) => setTimeout(resolve, wait));
}

function expectState(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

async function main(): Promise<void> {
  if (CORE !== 'cdktf' && CORE !== 'cdktn') throw new Error(`--core must be cdktf or cdktn, got ${CORE}`);
  requireTerraform();
  const nodeDir = CORE === 'cdktn' ? await cdktnNodeDir(ROOT) : undefined;
  // State from an interrupted earlier demo refers to simulators that are gone; start clean.
  for (const f of fs.readdirSync(ROOT)) if (f.startsWith(`terraform.${STACK}.tfstate`)) fs.rmSync(path.join(ROOT, f));
  const sims = await startSimulators();
  process.stdout.write(`Vendor simulators on ${Object.entries(sims.env).filter(([k]) => /URL|TENANT/.test(k)).map(([, v]) => v).join(', ')}\n`);
  const expiresAt = new Date(Date.now() + EXPIRY_SECONDS * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const env = (stage: number) => {
    const vars = terraformEnv({ ...sims.env, DEMO_STAGE: String(stage), DEMO_EXPIRES_AT: expiresAt } as Record<string, string>);
    return nodeDir ? { ...vars, PATH: `${nodeDir}${path.delimiter}${vars.PATH}` } : vars;
  };
  try {
    await cdktf('deploy-1', ['deploy', STACK, '--auto-approve'], env(1));
    const first = showVendors(sims, 'after the first deploy') as Record<string, Record<string, { id?: string }>>;
    expectState(first.polarity, { virustotal: { 7: ['read'] }, shodan: { 1: ['read'] }, urlscan: { 12: ['read'] } }, 'polarity after deploy');

    // Someone changes access by hand, outside code: Terraform never reads these resources back, drift does.
    process.stdout.write('\n== by hand at the vendors: group 7 widened to admin on virustotal, zed@example.com added to the Kore entity\n');
    sims.polarity.seed('virustotal', '7', ['admin']);
    sims.kore.addUsers('st-search', 'fc-drive', 'eng@example.com', ['zed@example.com']);
    expectState(await saasPermissions(['drift', '--unmanaged'], env(1)), 2, 'drift exit code after the change by hand');
    expectState(await saasPermissions(['drift', '--fix', '--prune', '--yes'], env(1)), 0, 'drift --fix --prune exit code');
    expectState(sims.polarity.snapshot(), first.polarity, 'polarity after drift --fix');

    // Who holds what, for an auditor: a table here, and one self-contained HTML file.
    expectState(await saasPermissions(['access'], env(1)), 0, 'access exit code');
    expectState(await saasPermissions(['access', '--format', 'html', '--output', 'cdktf.out/access-review.html'], env(1)), 0, 'access --format html exit code');
    await waitUntil(expiresAt);
    expectState(await saasPermissions(['drift'], env(1)), 2, 'drift exit code once the contractor grant expired');

    await cdktf('deploy-2', ['deploy', STACK, '--auto-approve'], env(2));
    const second = showVendors(sims, 'after the change (read+admin, PowerUserAccess, bo/cy, policy actions) and the contractor\'s expiry') as Record<string, Record<string, { id?: string }>>;
    expectState(second.polarity, { virustotal: { 7: ['admin', 'read'] }, shodan: { 1: ['read'] } }, 'polarity after change and expiry');
    expectState(second.kore, { 'st-search/fc-drive/eng@example.com': ['bo@example.com', 'cy@example.com'] }, 'kore after change');
    expectState(second.polytomic['Sync operators'].id, first.polytomic['Sync operators']?.id, 'polytomic policy id kept');

    for (const s of [sims.polarity, sims.britive, sims.kore, sims.polytomic]) s.requests.length = 0;
    await cdktf('deploy-3', ['deploy', STACK, '--auto-approve'], env(2));
    const calls = [sims.polarity, sims.britive, sims.kore, sims.polytomic].reduce((n, s) => n + s.requests.length, 0);
    process.stdout.write(`\n== re-deploying the unchanged stack made ${calls} vendor calls\n`);
    expectState(calls, 0, 'vendor calls on an unchanged re-deploy');

    await cdktf('destroy', ['destroy', STACK, '--auto-approve'], env(2));
    const last = showVendors(sims, `after ${CORE} destroy`);
    expectState(last, { polarity: {}, britive: {}, kore: {}, polytomic: {} }, 'vendors after destroy');
    process.stdout.write('\nDemo complete: every grant was created, changed in place, and revoked.\n');
  } finally {
    await sims.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`\ndemo failed: ${(error as Error).message}\n`);
  process.exit(1);
});
