/**
 * A user's first app, outside this repository: installs a packed tarball of this library (or of its CDK Terrain
 * twin) with its core and command-line tool from the npm registry, type-checks an app of all four constructs
 * against the package's own declarations, and runs the core's CLI against the simulators of this process.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Simulators, startSimulators } from '../../src/simulators';
import { runProcess } from '../../scripts/run-process';
import { terraformEnv } from '../../scripts/terraform-env';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const ROLE = '6c1a2b3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';

export interface Flavour {
  /** The core and its command-line tool, which is also the command: `cdktf` or `cdktn`. */
  readonly core: 'cdktf' | 'cdktn';
  /** The folder `npm pack` packs: the repository or the twin's build folder. */
  readonly packageDir: string;
  /** Registry packages besides the tarball, as a user would list them. */
  readonly dependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
}

/** Stages of the app, chosen by APP_STAGE at synth time. */
export type Stage = 'all' | 'without-britive' | 'null-resource';

function appSource(core: string, library: string): string {
  return `import { App, TerraformStack } from '${core}';
import { Construct } from 'constructs';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission,
  PolarityProvider, PolytomicPolicy, PolytomicProvider, RemovalPolicy,
} from '${library}';

const stage = process.env.APP_STAGE ?? 'all';
const removalPolicy: RemovalPolicy = 'destroy';

class SaasAccess extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new PolarityProvider(this, 'polarity', stage === 'null-resource' ? { resourceType: 'null_resource' } : {});
    new BritiveProvider(this, 'britive');
    new KoreProvider(this, 'kore');
    new PolytomicProvider(this, 'polytomic');
    new PolarityIntegrationPermission(this, 'analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['read'], removalPolicy });
    if (stage !== 'without-britive') {
      new BritiveProfilePermission(this, 'oncall', { profileId: 'pap-oncall', permissionName: 'AdministratorAccess', permissionType: 'role' });
    }
    new KoreEntityUsers(this, 'eng', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', users: ['ana@example.com'] });
    new PolytomicPolicy(this, 'ops', { name: 'Sync operators', policyActions: [{ action: 'read', roleIds: ['${ROLE}'] }] });
  }
}

const app = new App();
new SaasAccess(app, 'saas');
app.synth();
`;
}

export class FreshApp {
  private constructor(readonly flavour: Flavour, readonly dir: string, readonly library: string) {}

  /** Packs the package, then creates and installs the app in a new temporary folder. */
  static async create(flavour: Flavour): Promise<FreshApp> {
    const manifest = JSON.parse(fs.readFileSync(path.join(flavour.packageDir, 'package.json'), 'utf8'));
    if (!fs.existsSync(path.join(flavour.packageDir, manifest.main))) {
      throw new Error(`${manifest.name} is not built (${manifest.main} is missing): run "npm run build" first`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fresh-${flavour.core}-app-`));
    // npm test has just built the package: packing must not build it again (prepare) under the running tests.
    const pack = await runProcess('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: flavour.packageDir });
    const tarball = pack.output.trim().split('\n').pop()!;
    if (pack.code !== 0 || !tarball.endsWith('.tgz')) throw new Error(`npm pack failed:\n${pack.output}`);
    const app = new FreshApp(flavour, dir, manifest.name);
    app.write('package.json', JSON.stringify({
      name: `fresh-${flavour.core}-app`, version: '0.0.0', private: true,
      dependencies: { [manifest.name]: `file:./${tarball}`, ...flavour.dependencies },
      devDependencies: { typescript: devVersion('typescript'), '@types/node': devVersion('@types/node'), ...flavour.devDependencies },
    }, null, 2));
    app.write('cdktf.json', JSON.stringify({ language: 'typescript', app: 'node main.js', projectId: 'fresh-app', sendCrashReports: 'false', terraformProviders: [], terraformModules: [] }));
    app.write('tsconfig.json', JSON.stringify({ compilerOptions: { target: 'es2022', module: 'commonjs', strict: true, noEmitOnError: true, types: ['node'] }, files: ['main.ts'] }));
    app.write('main.ts', appSource(flavour.core, manifest.name));
    await app.run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], 'npm install');
    return app;
  }

  write(file: string, text: string): void {
    fs.writeFileSync(path.join(this.dir, file), text);
  }

  /** The app's own commands first on the PATH, as `npx` has them: with a node package installed, `node` is that one. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env = terraformEnv(extra);
    env.PATH = `${path.join(this.dir, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`;
    return env;
  }

  /** Runs a command in the app folder; fails with its output unless it exits 0. */
  async run(command: string, args: string[], what: string, extra: Record<string, string> = {}): Promise<string> {
    const result = await runProcess(command, args, { cwd: this.dir, env: this.env(extra) });
    if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}) in ${this.dir}:\n${result.output.slice(-6000)}`);
    return result.output;
  }

  /** Type-checks main.ts against the installed package's declarations and compiles it to main.js. */
  async compile(): Promise<void> {
    await this.run(path.join(this.dir, 'node_modules', '.bin', 'tsc'), ['-p', '.'], 'tsc');
  }

  /** `cdktf <command> saas --auto-approve` (or cdktn), with the simulators' variables and the app's stage. */
  async cli(command: 'deploy' | 'destroy', stage: Stage, sims: Record<string, string>): Promise<string> {
    const cli = path.join(this.dir, 'node_modules', '.bin', this.flavour.core);
    return this.run(cli, [command, 'saas', '--auto-approve'], `${this.flavour.core} ${command} (${stage})`, { ...sims, APP_STAGE: stage });
  }

  /** Synthesizes the app with node alone, as the CLI would; never throws. */
  synth(stage: Stage): Promise<{ code: number; output: string }> {
    return runProcess('node', ['main.js'], { cwd: this.dir, env: this.env({ APP_STAGE: stage }) });
  }

  /** The version of an installed package, as the app resolves it. */
  installedVersion(name: string): string {
    return JSON.parse(fs.readFileSync(path.join(this.dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What the four simulated vendors hold. */
function vendorState(sims: Simulators): Record<string, unknown> {
  return { polarity: sims.polarity.snapshot(), britive: sims.britive.snapshot(), kore: sims.kore.snapshot(), polytomic: sims.polytomic.snapshot() };
}

/** What the vendors hold once the app's four constructs are deployed. */
function allGranted(): Record<string, unknown> {
  return {
    polarity: { virustotal: { 7: ['read'] } },
    britive: { 'pap-oncall': ['role:AdministratorAccess'] },
    kore: { 'st-search/fc-drive/eng@example.com': ['ana@example.com'] },
    polytomic: { 'Sync operators': { id: expect.any(String), actions: { read: [ROLE] } } },
  };
}

/** The packages the repository develops against, so the app installs what the tests here already ran. */
export function devVersion(name: string): string {
  return require(path.join(REPO_ROOT, 'node_modules', name, 'package.json')).version;
}

/**
 * The journey, the same on each core: the tarball installs with its handler and command and without the other core,
 * the app type-checks, the core's CLI deploys the four constructs, a deploy without one of them revokes that one
 * alone, and destroy revokes everything. `more` adds what is particular to a core; its tests run once the app is
 * compiled, before the first deploy.
 */
export function describeFreshApp(flavour: Flavour, more: (get: () => { app: FreshApp; sims: Simulators }) => void): void {
  const { core } = flavour;
  describe(`a fresh ${core} app installing the packed tarball`, () => {
    let sims: Simulators;
    let app: FreshApp;
    beforeAll(async () => {
      sims = await startSimulators();
      app = await FreshApp.create(flavour);
    });
    afterAll(async () => {
      app?.dispose();
      await sims?.stop();
    });

    test(`the tarball installs with its handler and command, and without ${core === 'cdktf' ? 'cdktn' : 'cdktf'}`, () => {
      const installed = path.join(app.dir, 'node_modules', app.library);
      for (const file of ['LICENSE', 'dist/lifecycle-handler.cjs', 'lib/constructs/index.d.ts']) {
        expect(fs.existsSync(path.join(installed, file))).toBe(true);
      }
      expect(fs.realpathSync(path.join(app.dir, 'node_modules/.bin', app.library))).toBe(path.join(installed, `bin/${app.library}.js`));
      // Two cores in one app fail at synth: the package must not bring the other one along.
      expect(fs.existsSync(path.join(app.dir, 'node_modules', core === 'cdktf' ? 'cdktn' : 'cdktf'))).toBe(false);
    });

    test('the app type-checks against the package\'s declarations', async () => {
      await app.compile();
    });

    more(() => ({ app, sims }));

    test(`${core} deploy grants what the four constructs declare, synthesized by ${core}`, async () => {
      const output = await app.cli('deploy', 'all', sims.env);
      expect(output).toMatch(/Apply complete!/);
      expect(vendorState(sims)).toEqual(allGranted());
      const tf = JSON.parse(fs.readFileSync(path.join(app.dir, 'cdktf.out', 'stacks', 'saas', 'cdk.tf.json'), 'utf8'));
      expect(tf['//'].metadata.version).toBe(app.installedVersion(core));
    });

    test('removing a construct and deploying revokes its grant, and only that', async () => {
      await app.cli('deploy', 'without-britive', sims.env);
      expect(vendorState(sims)).toEqual({ ...allGranted(), britive: {} });
    });

    test(`${core} destroy revokes everything`, async () => {
      await app.cli('destroy', 'without-britive', sims.env);
      expect(vendorState(sims)).toEqual({ polarity: {}, britive: {}, kore: {}, polytomic: {} });
    });
  });
}
