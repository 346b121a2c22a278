/**
 * What every end-to-end test shares: simulators in this process, a stack synthesized into a temporary folder, and
 * real `terraform` runs against it. Terraform is spawned asynchronously so the simulators keep answering.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { Simulators, startSimulators } from '../../src/simulators';
import { runProcess } from '../../scripts/run-process';
import { terraformEnv } from '../../scripts/terraform-env';

/**
 * The CDK core the suite runs on: `cdktf`, or `cdktn` in jest's cdktn project, which maps the module `cdktf` to
 * `cdktn` for these tests and the constructs alike (jest.config.js).
 */
/** Set by the jest project that runs the lifecycle with every grant in a Node handler of its own (no agent). */
export const AGENT_MODE: 'on' | 'off' = (globalThis as { SAAS_PERMISSIONS_AGENT?: 'off' }).SAAS_PERMISSIONS_AGENT ?? 'on';
const modeEnv: Record<string, string> = AGENT_MODE === 'off' ? { SAAS_PERMISSIONS_AGENT: 'off' } : {};
export const CORE: 'cdktf' | 'cdktn' = (globalThis as { SAAS_PERMISSIONS_CORE?: 'cdktn' }).SAAS_PERMISSIONS_CORE ?? 'cdktf';
export const CORE_VERSION: string = require(`${CORE}/package.json`).version;

export interface TerraformRun {
  readonly code: number;
  /** stdout and stderr together, as a pipeline log would hold them. */
  readonly output: string;
}

export class E2eWorkspace {
  readonly root: string;
  readonly outdir: string;
  readonly stateFile: string;
  private readonly logs: string[] = [];

  private constructor(readonly sims: Simulators, readonly stackName: string, private readonly shared?: E2eWorkspace) {
    this.root = shared?.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'saas-perm-e2e-'));
    this.outdir = path.join(this.root, 'cdktf.out');
    this.stateFile = path.join(this.root, shared ? `terraform.${stackName}.tfstate` : 'terraform.tfstate');
  }

  static async create(stackName = 'e2e'): Promise<E2eWorkspace> {
    return new E2eWorkspace(await startSimulators(), stackName);
  }

  /** Another stack, with its own state, in the same app folder and against the same simulators (disposed with this one). */
  share(stackName: string): E2eWorkspace {
    return new E2eWorkspace(this.sims, stackName, this);
  }

  get stackDir(): string {
    return path.join(this.outdir, 'stacks', this.stackName);
  }

  /** Synthesizes a fresh stack built by `build`, keeping its state in one file across synths. */
  synth(build: (stack: TerraformStack) => void): string {
    const app = new App({ outdir: this.outdir, skipValidation: false });
    const stack = new TerraformStack(app, this.stackName);
    new LocalBackend(stack, { path: this.stateFile });
    build(stack);
    app.synth();
    const text = fs.readFileSync(path.join(this.stackDir, 'cdk.tf.json'), 'utf8');
    // The core stamps its version into every stack: proof that the suite ran on the core it names.
    const stamped = JSON.parse(text)['//']?.metadata?.version;
    if (stamped !== CORE_VERSION) throw new Error(`the stack was synthesized by core version ${stamped}, not by ${CORE} ${CORE_VERSION}`);
    return text;
  }

  /** Runs terraform in the stack folder with the simulators' environment; never throws on a non-zero exit. */
  async terraform(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<TerraformRun> {
    const env = { ...terraformEnv(this.sims.env), ...modeEnv, ...extraEnv };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const result = await runProcess('terraform', args, { cwd: this.stackDir, env });
    this.logs.push(`$ terraform ${args.join(' ')}\n${result.output}`);
    return result;
  }

  /** Starts terraform without waiting for it, for tests that kill it part-way. */
  spawnTerraform(args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
    return spawn('terraform', args, { cwd: this.stackDir, env: { ...terraformEnv(this.sims.env), ...modeEnv, ...extraEnv }, stdio: 'ignore' });
  }

  async init(): Promise<void> {
    const run = await this.terraform(['init', '-no-color', '-input=false']);
    if (run.code !== 0) throw new Error(`terraform init failed:\n${run.output}`);
  }

  /** Synthesizes and applies; fails the test with Terraform's output unless `expectFailure`. */
  async apply(build: (stack: TerraformStack) => void, options: { expectFailure?: boolean; env?: Record<string, string | undefined> } = {}): Promise<TerraformRun> {
    this.synth(build);
    if (!fs.existsSync(path.join(this.stackDir, '.terraform'))) await this.init();
    const run = await this.terraform(['apply', '-auto-approve', '-no-color', '-input=false', '-parallelism=10'], options.env);
    if (!options.expectFailure && run.code !== 0) throw new Error(`terraform apply failed:\n${run.output}`);
    if (options.expectFailure && run.code === 0) throw new Error(`terraform apply succeeded but was expected to fail:\n${run.output}`);
    return run;
  }

  async destroy(options: { expectFailure?: boolean; env?: Record<string, string | undefined> } = {}): Promise<TerraformRun> {
    const run = await this.terraform(['destroy', '-auto-approve', '-no-color', '-input=false', '-parallelism=10'], options.env);
    if (!options.expectFailure && run.code !== 0) throw new Error(`terraform destroy failed:\n${run.output}`);
    if (options.expectFailure && run.code === 0) throw new Error(`terraform destroy succeeded but was expected to fail:\n${run.output}`);
    return run;
  }

  /** The instance keys of a resource block in the state file; tainted ones (a failed create) only when asked. */
  stateKeys(type: string, name: string, options: { tainted?: boolean } = {}): string[] {
    if (!fs.existsSync(this.stateFile)) return [];
    type Instance = { index_key?: string; status?: string };
    const state = JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as { resources: Array<{ type: string; name: string; instances: Instance[] }> };
    return state.resources.filter((r) => r.type === type && r.name === name)
      .flatMap((r) => r.instances.filter((i) => (i.status === 'tainted') === Boolean(options.tainted)).map((i) => String(i.index_key))).sort();
  }

  /** Forgets the requests the simulators have logged, so a test can count the calls of one apply. */
  clearRequestLogs(): void {
    for (const sim of [this.sims.polarity, this.sims.britive, this.sims.kore, this.sims.polytomic]) sim.requests.length = 0;
  }

  /** Every request any simulator logged since the last clear. */
  allRequests() {
    return [this.sims.polarity, this.sims.britive, this.sims.kore, this.sims.polytomic].flatMap((s) => s.requests.map((r) => ({ vendor: s.vendor, ...r })));
  }

  /** Everything Terraform printed in this workspace so far. */
  get log(): string {
    return this.logs.join('\n');
  }

  async dispose(): Promise<void> {
    if (this.shared) return;
    await this.sims.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Settings that keep retries short in tests. */
export const FAST_HTTP = { requestTimeoutSeconds: 2, deadlineSeconds: 30, baseBackoffMs: 20 } as const;
