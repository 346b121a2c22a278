/**
 * The CDK Terrain twin as `npm run build` leaves it in build/cdktn-saas-permissions/ (npm test builds first): the
 * same exports as the main package, built on cdktn, and refusing what cdktn cannot offer.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const TWIN = path.join(ROOT, 'build', 'cdktn-saas-permissions');

/** A cdktn app in a temporary folder; returns the stack's cdk.tf.json, or the error synth threw. */
function synthOnCdktn(build: (twin: any, stack: unknown) => void): { tf?: any; error?: Error } {
  const cdktn = require('cdktn');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'twin-'));
  try {
    const app = new cdktn.App({ outdir, skipValidation: false });
    const stack = new cdktn.TerraformStack(app, 'twin');
    build(require(TWIN), stack);
    app.synth();
    return { tf: JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'twin', 'cdk.tf.json'), 'utf8')) };
  } catch (error) {
    return { error: error as Error };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('cdktn-saas-permissions, the CDK Terrain twin', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(TWIN, 'package.json'))) throw new Error(`${TWIN} is missing: run "npm run build" first`);
  });

  test('exports the same names as cdktf-saas-permissions', () => {
    const main = require(path.join(ROOT, 'lib/constructs'));
    const twin = require(TWIN);
    expect(Object.keys(twin).sort()).toEqual(Object.keys(main).sort());
  });

  test('its constructs are built on cdktn: a cdktn stack synthesizes with them, stamped with cdktn\'s version', () => {
    const { tf, error } = synthOnCdktn((twin, stack) => {
      new twin.PolarityProvider(stack, 'polarity');
      new twin.PolarityIntegrationPermission(stack, 'analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['read'] });
    });
    expect(error).toBeUndefined();
    expect(tf['//'].metadata.version).toBe(require('cdktn/package.json').version);
    expect(Object.keys(tf.resource.terraform_data)).toEqual(expect.arrayContaining(['polarity_apply', 'polarity_revoke']));
    expect(fs.readFileSync(path.join(TWIN, 'lib/constructs/core.js'), 'utf8')).toMatch(/require\("cdktn"\)/);
  });

  test('refuses resourceType null_resource at synth, saying there is no @cdktn/provider-null', () => {
    const { error } = synthOnCdktn((twin, stack) => {
      new twin.PolarityProvider(stack, 'polarity', { resourceType: 'null_resource' });
      new twin.PolarityIntegrationPermission(stack, 'analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['read'] });
    });
    expect(error?.message).toMatch(/twin\/polarity.*resourceType: "null_resource" needs prebuilt bindings.*no @cdktn\/provider-null/s);
  });

  test('its package.json names the twin, its command and cdktn as the peer', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(TWIN, 'package.json'), 'utf8'));
    const main = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'cdktn-saas-permissions', version: main.version, bin: { 'cdktn-saas-permissions': 'bin/cdktn-saas-permissions.js' } });
    expect(manifest.peerDependencies).toEqual({ cdktn: '^0.24.0', constructs: require('cdktn/package.json').peerDependencies.constructs });
    expect(manifest.scripts).toBeUndefined(); // nothing runs when it is installed
    for (const file of ['bin/cdktn-saas-permissions.js', 'dist/lifecycle-handler.cjs', 'dist/cli.cjs', 'LICENSE']) {
      expect(fs.existsSync(path.join(TWIN, file))).toBe(true);
    }
  });

  test('both commands print their package\'s version (--version), which is the main package\'s', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const bin of [path.join(ROOT, 'bin/cdktf-saas-permissions.js'), path.join(TWIN, 'bin/cdktn-saas-permissions.js')]) {
      expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })).toBe(`${version}\n`);
    }
    expect(fs.readFileSync(path.join(TWIN, 'CHANGELOG.md'), 'utf8')).toContain(`## ${version}`);
  });
});
