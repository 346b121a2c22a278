/**
 * A fresh app on CDK Terrain, outside this repository: the packed twin (cdktn-saas-permissions) installed beside
 * cdktn and cdktn-cli from the npm registry, `cdktn deploy` against the simulators, one construct removed,
 * `cdktn destroy`. cdktn-cli needs Node >= 22.19: the app installs it from the npm registry as the platform's node
 * package, which needs no install script, and runs its commands with that `node` first on the PATH, as npx does.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Simulators, startSimulators } from '../../src/simulators';
import { NODE_PACKAGE, recentEnough } from '../../scripts/cdktn-node';
import { runProcess } from '../../scripts/run-process';
import { FreshApp, REPO_ROOT, allGranted, devVersion, vendorState } from './fresh-app';

jest.setTimeout(600_000);

describe('a fresh cdktn app with the packed cdktn-saas-permissions', () => {
  let sims: Simulators;
  let app: FreshApp;
  beforeAll(async () => {
    sims = await startSimulators();
    app = await FreshApp.create({
      core: 'cdktn',
      packageDir: path.join(REPO_ROOT, 'build', 'cdktn-saas-permissions'),
      dependencies: { cdktn: devVersion('cdktn'), constructs: devVersion('constructs') },
      devDependencies: { 'cdktn-cli': devVersion('cdktn-cli'), [NODE_PACKAGE.name]: NODE_PACKAGE.range },
    });
  });
  afterAll(async () => {
    app?.dispose();
    await sims?.stop();
  });

  test('the twin installs with its handler and command, beside cdktn alone', () => {
    const installed = path.join(app.dir, 'node_modules', 'cdktn-saas-permissions');
    for (const file of ['LICENSE', 'dist/lifecycle-handler.cjs', 'lib/constructs/index.d.ts']) {
      expect(fs.existsSync(path.join(installed, file))).toBe(true);
    }
    expect(fs.realpathSync(path.join(app.dir, 'node_modules/.bin/cdktn-saas-permissions'))).toBe(path.join(installed, 'bin/cdktn-saas-permissions.js'));
    // The measured failure this twin exists for: the library's peer cdktf installed beside cdktn.
    expect(fs.existsSync(path.join(app.dir, 'node_modules', 'cdktf'))).toBe(false);
  });

  test('the app\'s node is the one cdktn-cli needs', async () => {
    const { output } = await runProcess('node', ['--version'], { env: app.env() });
    expect(recentEnough(output)).toBe(true);
  });

  test('the app type-checks against the twin\'s declarations', async () => {
    await app.compile();
  });

  test('cdktn deploy grants what the four constructs declare', async () => {
    const output = await app.cli('deploy', 'all', sims.env);
    expect(output).toMatch(/Apply complete!/);
    expect(vendorState(sims)).toEqual(allGranted());
    const tf = JSON.parse(fs.readFileSync(path.join(app.dir, 'cdktf.out', 'stacks', 'saas', 'cdk.tf.json'), 'utf8'));
    expect(tf['//'].metadata.version).toBe(app.installedVersion('cdktn'));
  });

  test('removing a construct and deploying revokes its grant, and only that', async () => {
    await app.cli('deploy', 'without-britive', sims.env);
    expect(vendorState(sims)).toEqual({ ...allGranted(), britive: {} });
  });

  test('cdktn destroy revokes everything', async () => {
    await app.cli('destroy', 'without-britive', sims.env);
    expect(vendorState(sims)).toEqual({ polarity: {}, britive: {}, kore: {}, polytomic: {} });
  });

  test('asking for null_resource fails synth with the reason', async () => {
    const { code, output } = await app.synth('null-resource');
    expect(code).not.toBe(0);
    expect(output).toMatch(/saas\/polarity\] resourceType: "null_resource" needs prebuilt bindings.*no @cdktn\/provider-null/);
  });
});
