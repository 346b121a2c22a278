/**
 * One synth measurement in a fresh process: `tsx scripts/bench-synth.ts <constructs|bare> <count> <outdir> [validate]`.
 * Prints the milliseconds from the first construct to the end of app.synth(), excluding module loading, which is the
 * same for both kinds. Validations are skipped unless `validate` is given: cdktf validates every terraform_data by
 * spawning `terraform version` (about 50 ms each), which would make the bare floor measure process spawns, not synth.
 */
import { App, DataResource, TerraformStack } from 'cdktf';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider,
  PolytomicPolicy, PolytomicProvider,
} from '../constructs';

const ROLE = '6c1a2b3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const [kind, countText, outdir, validate] = process.argv.slice(2);
const count = Number(countText);

const started = performance.now();
const app = new App({ outdir, skipValidation: validate !== 'validate' });
const stack = new TerraformStack(app, 'bench');
if (kind === 'bare') {
  for (let i = 0; i < count; i++) new DataResource(stack, `d${i}`, { input: { name: `grant-${i}`, value: String(i) } });
} else {
  new PolarityProvider(stack, 'polarity');
  new BritiveProvider(stack, 'britive');
  new KoreProvider(stack, 'kore');
  new PolytomicProvider(stack, 'polytomic');
  for (let i = 0; i < count; i++) {
    switch (i % 4) {
      case 0: new PolarityIntegrationPermission(stack, `p${i}`, { integrationId: 'virustotal', groupId: String(i + 1), permissions: ['read'] }); break;
      case 1: new BritiveProfilePermission(stack, `b${i}`, { profileId: 'pap-admins', permissionName: `Role${i}`, permissionType: 'role' }); break;
      case 2: new KoreEntityUsers(stack, `k${i}`, { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', users: [`u${i}@example.com`] }); break;
      default: new PolytomicPolicy(stack, `t${i}`, { name: `Policy ${i}`, policyActions: [{ action: 'read', roleIds: [ROLE] }] });
    }
  }
}
app.synth();
process.stdout.write(`${(performance.now() - started).toFixed(1)}\n`);
