/**
 * A fresh app on cdktf, outside this repository: the packed cdktf-saas-permissions installed beside cdktf and
 * cdktf-cli from the npm registry, `cdktf deploy` against the simulators, one construct removed, `cdktf destroy`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Simulators, startSimulators } from '../../src/simulators';
import { FreshApp, REPO_ROOT, allGranted, devVersion, vendorState } from './fresh-app';

jest.setTimeout(600_000);

describe('a fresh cdktf app with the packed cdktf-saas-permissions', () => {
  let sims: Simulators;
  let app: FreshApp;
  beforeAll(async () => {
    sims = await startSimulators();
    app = await FreshApp.create({
      core: 'cdktf',
      packageDir: REPO_ROOT,
      dependencies: { cdktf: devVersion('cdktf'), constructs: devVersion('constructs') },
      devDependencies: { 'cdktf-cli': devVersion('cdktf-cli') },
    });
  });
  afterAll(async () => {
    app?.dispose();
    await sims?.stop();
  });

  test('the tarball installs with its jsii assembly, handler and command, and one core', () => {
    const installed = path.join(app.dir, 'node_modules', 'cdktf-saas-permissions');
    for (const file of ['.jsii', 'LICENSE', 'dist/lifecycle-handler.cjs', 'lib/constructs/index.d.ts']) {
      expect(fs.existsSync(path.join(installed, file))).toBe(true);
    }
    expect(fs.realpathSync(path.join(app.dir, 'node_modules/.bin/cdktf-saas-permissions'))).toBe(path.join(installed, 'bin/cdktf-saas-permissions.js'));
    expect(fs.existsSync(path.join(app.dir, 'node_modules', 'cdktn'))).toBe(false);
  });

  test('the app type-checks against the package\'s declarations', async () => {
    await app.compile();
  });

  test('cdktf deploy grants what the four constructs declare', async () => {
    const output = await app.cli('deploy', 'all', sims.env);
    expect(output).toMatch(/Apply complete!/);
    expect(vendorState(sims)).toEqual(allGranted());
  });

  test('removing a construct and deploying revokes its grant, and only that', async () => {
    await app.cli('deploy', 'without-britive', sims.env);
    expect(vendorState(sims)).toEqual({ ...allGranted(), britive: {} });
  });

  test('cdktf destroy revokes everything', async () => {
    await app.cli('destroy', 'without-britive', sims.env);
    expect(vendorState(sims)).toEqual({ polarity: {}, britive: {}, kore: {}, polytomic: {} });
  });
});
