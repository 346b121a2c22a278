/**
 * One synth measurement in a fresh process: `tsx scripts/bench-synth.ts <constructs|bare> <count> <outdir> [validate]`.
 * Prints the milliseconds from the first construct to the end of app.synth(), excluding module loading, which is the
 * same for both kinds. Validations are skipped unless `validate` is given: cdktf validates every terraform_data by
 * spawning `terraform version` (about 50 ms each), which would make the bare floor measure process spawns, not synth.
 */
import { App, DataResource, TerraformStack } from 'cdktf';
import { buildMixedStack } from './bench-stack';

const [kind, countText, outdir, validate] = process.argv.slice(2);
const count = Number(countText);

const started = performance.now();
const app = new App({ outdir, skipValidation: validate !== 'validate' });
const stack = new TerraformStack(app, 'bench');
if (kind === 'bare') {
  for (let i = 0; i < count; i++) new DataResource(stack, `d${i}`, { input: { name: `grant-${i}`, value: String(i) } });
} else {
  buildMixedStack(stack, count);
}
app.synth();
process.stdout.write(`${(performance.now() - started).toFixed(1)}\n`);
