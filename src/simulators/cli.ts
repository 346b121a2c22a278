/**
 * `npm run simulators`: starts all four simulators on loopback and prints the environment to export, so a
 * `cdktf deploy` in another shell reaches them. Ports come from --base-port (consecutive ports) or are free ones;
 * --alternative answers the other reading of what each vendor leaves undocumented (see each simulator).
 */
import { parseArgs } from 'util';
import { startSimulators } from './index';

async function run(): Promise<void> {
  const { values } = parseArgs({ options: { 'base-port': { type: 'string' }, alternative: { type: 'boolean' } } });
  const base = values['base-port'] ? Number(values['base-port']) : undefined;
  const sims = await startSimulators(base ? { polarity: base, britive: base + 1, kore: base + 2, polytomic: base + 3 } : {}, { alternative: values.alternative });
  for (const [name, value] of Object.entries(sims.env)) process.stdout.write(`export ${name}=${value}\n`);
  process.stdout.write('# simulators running; Ctrl-C stops them\n');
  const stop = () => { void sims.stop().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void run();
