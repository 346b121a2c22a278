/**
 * `npm run bundle`: builds dist/lifecycle-handler.cjs, the one file a stack's provisioners run: the handler bundle
 * (src/handler.ts and its dependencies, minified) embedded as text in the loader (src/handler-loader.ts), with the
 * bundle's hash that names its V8 code cache.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { HANDLER_FILE_NAME, HANDLER_SCRIPT_NAME } from '../src/contract';

const ROOT = path.resolve(__dirname, '..');
const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', minify: true, legalComments: 'none', write: false } as const;

const handler = buildSync({
  ...common,
  entryPoints: [path.join(ROOT, 'src/handler.ts')],
  // Optional in node-fetch and never used: answers are decoded as UTF-8.
  external: ['encoding'],
  alias: {
    'whatwg-url': path.join(ROOT, 'src/shims/whatwg-url.ts'),
    zlib: path.join(ROOT, 'src/shims/lazy-zlib.ts'),
    https: path.join(ROOT, 'src/shims/lazy-https.ts'),
  },
}).outputFiles[0].text;

const loader = buildSync({
  ...common,
  entryPoints: [path.join(ROOT, 'src/handler-loader.ts')],
  define: {
    HANDLER_SOURCE: JSON.stringify(handler),
    HANDLER_SHA256: JSON.stringify(createHash('sha256').update(handler).digest('hex').slice(0, 16)),
  },
}).outputFiles[0].text;

// The command-line tool: a second entry point beside the handler, bundled the same way so the package needs no
// runtime dependencies; not loaded by provisioners, so its start-up is not tuned.
const cli = buildSync({
  ...common,
  entryPoints: [path.join(ROOT, 'src/cli/index.ts')],
  external: ['encoding'],
  alias: { 'whatwg-url': path.join(ROOT, 'src/shims/whatwg-url.ts') },
}).outputFiles[0].text;

fs.mkdirSync(path.join(ROOT, 'dist'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'dist', HANDLER_FILE_NAME), loader);
fs.writeFileSync(path.join(ROOT, 'dist', 'cli.cjs'), cli);
// The provisioners' script, as written: it hands each grant to the run's agent (src/agent.ts).
fs.copyFileSync(path.join(ROOT, 'src', 'agent-client.sh'), path.join(ROOT, 'dist', HANDLER_SCRIPT_NAME));
process.stdout.write(`dist/${HANDLER_FILE_NAME}: ${(loader.length / 1024).toFixed(0)} KB, dist/cli.cjs: ${(cli.length / 1024).toFixed(0)} KB\n`);
