/**
 * The file the provisioners run embeds the handler and compiles it with a V8 code cache kept next to it: the cache
 * must be written by a first run and must never change what a run does, even when it is stale or damaged.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runProcess } from '../../scripts/run-process';
import { HANDLER_FILE_NAME, PAYLOAD_ENV } from '../../src/contract';

const BUILT = path.join(__dirname, '../../dist', HANDLER_FILE_NAME);
// A retained grant's revoke: the handler runs end to end and calls nothing.
const payload = JSON.stringify({ v: 3, vendor: 'britive', key: 'p/n/role', providers: {}, stored: '{"path":"s/oncall","removal":"retain"}', identity: ['p', 'n', 'role'] });
const expected = 'britive: s/oncall has removalPolicy "retain": left as it is at the vendor\n';

describe('handler loader and its code cache', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loader-'));
  const handler = path.join(dir, HANDLER_FILE_NAME);
  const run = () => runProcess(process.execPath, [handler, 'revoke'], { env: { PATH: process.env.PATH!, [PAYLOAD_ENV]: payload } });
  const caches = () => fs.readdirSync(dir).filter((f) => f.endsWith('.v8cache'));
  beforeAll(() => fs.copyFileSync(BUILT, handler));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the first run in a folder writes the cache, named by the bundle hash; later runs give the same result', async () => {
    expect(caches()).toEqual([]);
    const first = await run();
    expect([first.code, first.output]).toEqual([0, expected]);
    expect(caches()).toEqual([expect.stringMatching(/^\.lifecycle-handler-[0-9a-f]{16}\.v8cache$/)]);
    const written = fs.readFileSync(path.join(dir, caches()[0]));
    const second = await run();
    expect([second.code, second.output]).toEqual([0, expected]);
    // Accepted, so not rewritten.
    expect(fs.readFileSync(path.join(dir, caches()[0])).equals(written)).toBe(true);
  });

  test('a damaged cache is rejected by V8, the run is unaffected, and the cache is rewritten', async () => {
    const file = path.join(dir, caches()[0]);
    const damaged = Buffer.alloc(fs.statSync(file).size, 7);
    fs.writeFileSync(file, damaged);
    const r = await run();
    expect([r.code, r.output]).toEqual([0, expected]);
    const rewritten = fs.readFileSync(file);
    expect(rewritten.equals(damaged)).toBe(false);
    expect(rewritten.length).toBeGreaterThan(10_000);
  });
});
