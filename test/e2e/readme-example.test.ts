/**
 * The README's Example, as written, deployed with real terraform against the simulators (`npm run simulators`
 * knows its ids): every grant it declares is held afterwards, and a destroy takes them all back.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runProcess } from '../../scripts/run-process';
import { terraformEnv } from '../../scripts/terraform-env';
import { SIM_CREDENTIALS, Simulators, startSimulators } from '../../src/simulators';

jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '../..');

function exampleSource(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Example\n'));
  const code = /^```ts(?: [^\n]*)?\n([\s\S]*?)^```/m.exec(section)![1];
  return code.replace("from 'cdktf-saas-permissions'", `from ${JSON.stringify(path.join(ROOT, 'constructs'))}`);
}

describe('the README example', () => {
  let sims: Simulators;
  let dir: string;
  beforeAll(async () => {
    sims = await startSimulators();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-example-'));
  });
  afterAll(async () => {
    await sims.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('deploys as written against the simulators, and destroys', async () => {
    fs.writeFileSync(path.join(dir, 'main.ts'), exampleSource());
    const synth = await runProcess(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(dir, 'main.ts')], {
      cwd: dir, env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    });
    expect(synth.output).toBe('');
    expect(synth.code).toBe(0);
    const stackDir = path.join(dir, 'cdktf.out', 'stacks', 'saas-access');
    // The second Polarity tenant is the same simulator under the second provider's variable names.
    const env = terraformEnv({
      ...sims.env, POLARITY_EU_URL: sims.polarity.url, POLARITY_EU_TOKEN: SIM_CREDENTIALS.polarityToken, TF_VAR_analysts_group_id: '3',
    });
    const terraform = (...args: string[]) => runProcess('terraform', [...args, '-no-color', '-input=false'], { cwd: stackDir, env });
    expect((await terraform('init')).code).toBe(0);
    const apply = await terraform('apply', '-auto-approve');
    expect(apply.output).not.toMatch(/Error/);
    expect(apply.code).toBe(0);
    expect(sims.polarity.snapshot()).toEqual({ virustotal_3_7_4_node_18_63e5110da4_1697729362: { 3: ['admin', 'read'], 7: ['read'] } });
    expect(sims.britive.snapshot()).toEqual({ pocahtoxoatg2dthkesw: ['role:AdministratorAccess'] });
    expect(sims.kore.snapshot()).toEqual({ 'st-search/fc-drive/eng@example.com': ['ana@example.com'] });
    expect(sims.polytomic.snapshot()).toEqual({ 'Sync operators': { id: expect.any(String), actions: { read: ['248df4b7-aa70-47b8-a036-33ac447e668d'] } } });

    expect((await terraform('destroy', '-auto-approve')).code).toBe(0);
    for (const sim of [sims.polarity, sims.britive, sims.kore, sims.polytomic]) expect(sim.snapshot()).toEqual({});
  });
});
