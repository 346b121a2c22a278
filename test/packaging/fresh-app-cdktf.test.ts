/**
 * A fresh app on cdktf, outside this repository: the packed cdktf-saas-permissions installed beside cdktf and
 * cdktf-cli from the npm registry, `cdktf deploy` against the simulators, one construct removed, `cdktf destroy`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, describeFreshApp, devVersion } from './fresh-app';

jest.setTimeout(600_000);

describeFreshApp({
  core: 'cdktf',
  packageDir: REPO_ROOT,
  dependencies: { cdktf: devVersion('cdktf'), constructs: devVersion('constructs') },
  devDependencies: { 'cdktf-cli': devVersion('cdktf-cli') },
}, (get) => {
  test('the package ships its jsii assembly', () => {
    const { app } = get();
    const assembly = JSON.parse(fs.readFileSync(path.join(app.dir, 'node_modules', app.library, '.jsii'), 'utf8'));
    expect(assembly).toMatchObject({ name: 'cdktf-saas-permissions', version: app.installedVersion(app.library) });
    expect(Object.keys(assembly.types)).toContain('cdktf-saas-permissions.PolytomicPolicyAction');
  });
});
