/**
 * A fresh app on CDK Terrain, outside this repository: the packed twin (cdktn-saas-permissions) installed beside
 * cdktn and cdktn-cli from the npm registry, `cdktn deploy` against the simulators, one construct removed,
 * `cdktn destroy`. cdktn-cli needs Node >= 22.19: the app installs it from the npm registry as the platform's node
 * package, which needs no install script, and runs its commands with that `node` first on the PATH, as npx does.
 */
import * as path from 'path';
import { NODE_PACKAGE, recentEnough } from '../../scripts/cdktn-node';
import { runProcess } from '../../scripts/run-process';
import { REPO_ROOT, describeFreshApp, devVersion } from './fresh-app';

jest.setTimeout(600_000);

describeFreshApp({
  core: 'cdktn',
  packageDir: path.join(REPO_ROOT, 'build', 'cdktn-saas-permissions'),
  dependencies: { cdktn: devVersion('cdktn'), constructs: devVersion('constructs') },
  devDependencies: { 'cdktn-cli': devVersion('cdktn-cli'), [NODE_PACKAGE.name]: NODE_PACKAGE.range },
}, (get) => {
  test('the app\'s node is one cdktn-cli accepts', async () => {
    const { output } = await runProcess('node', ['--version'], { env: get().app.env() });
    expect(recentEnough(output)).toBe(true);
  });

  test('asking for null_resource fails synth with the reason', async () => {
    const { code, output } = await get().app.synth('null-resource');
    expect(code).not.toBe(0);
    expect(output).toMatch(/saas\/polarity\] resourceType: "null_resource" needs prebuilt bindings.*no @cdktn\/provider-null/);
  });
});
