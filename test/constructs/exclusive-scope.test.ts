/** `exclusiveScope` on a provider reaches the command-line tool through the stack manifest, and only as a boolean. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider } from '../../constructs';

/** Synthesizes as `cdktf synth` does and returns cdk.tf.json. */
function synth(build: (stack: TerraformStack) => void): any {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'exclusive-'));
  try {
    const app = new App({ outdir });
    build(new TerraformStack(app, 'test'));
    app.synth();
    return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks/test/cdk.tf.json'), 'utf8'));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('exclusiveScope', () => {
  test('the manifest names the providers that manage their scopes alone (none by default)', () => {
    const tf = synth((stack) => {
      new PolarityProvider(stack, 'polarity', { url: 'https://polarity.example.com' });
      new KoreProvider(stack, 'kore', { exclusiveScope: true });
      new PolarityIntegrationPermission(stack, 'analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['read'] });
      new KoreEntityUsers(stack, 'eng', { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', users: ['ana@example.com'] });
    });
    expect(tf.resource.terraform_data.polarity_revoke['//']['saas-permissions'].exclusiveScope).toEqual([]);
    expect(tf.resource.terraform_data.kore_revoke['//']['saas-permissions'].exclusiveScope).toEqual(['kore']);
    // And the construct path of each instance key, which a revoke prints (src/stack-manifest.ts).
    expect(tf.resource.terraform_data.polarity_revoke['//']['saas-permissions'].paths).toEqual({ 'virustotal/7': 'test/analysts' });
  });

  test('anything but a boolean fails synth naming the provider and the field', () => {
    expect(() => synth((stack) => {
      new PolarityProvider(stack, 'polarity', { url: 'https://polarity.example.com', exclusiveScope: 'yes' as unknown as boolean });
      new PolarityIntegrationPermission(stack, 'analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['read'] });
    })).toThrow(/test\/polarity[\s\S]*exclusiveScope[\s\S]*must be true or false/);
  });
});
