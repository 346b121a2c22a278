/**
 * Builds `cdktn-saas-permissions`, the CDK Terrain twin, into build/cdktn-saas-permissions/ (ready for `npm pack`):
 * the library's sources as tsconfig.build.json lists them, compiled by tsc with constructs/core.ts importing `cdktn`,
 * beside the same handler and command-line bundles. Runs after `npm run bundle` (see the build script).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const TWIN_NAME = 'cdktn-saas-permissions';
const OUT = path.join(ROOT, 'build', TWIN_NAME);
// Inside the repository, so the staged sources resolve cdktn, constructs and @types from its node_modules.
const STAGE = path.join(ROOT, 'build', '.cdktn-src');
const CORE_MODULE = 'constructs/core.ts';

/** The core module with every 'cdktf' (the imports and CORE_PACKAGE) turned into 'cdktn'. */
function twinCore(source: string): string {
  const rewritten = source.replace(/'cdktf'/g, "'cdktn'");
  if (/\bcdktf\b/.test(rewritten.replace(/\/\*[\s\S]*?\*\//g, ''))) {
    throw new Error(`${CORE_MODULE} names cdktf other than as the string 'cdktf': update scripts/build-twin.ts`);
  }
  return rewritten;
}

function stageSources(): void {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.build.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  if (!config) throw new Error('cannot read tsconfig.build.json');
  fs.rmSync(STAGE, { recursive: true, force: true });
  for (const file of config.fileNames) {
    const relative = path.relative(ROOT, file).split(path.sep).join('/');
    const text = fs.readFileSync(file, 'utf8');
    fs.mkdirSync(path.dirname(path.join(STAGE, relative)), { recursive: true });
    fs.writeFileSync(path.join(STAGE, relative), relative === CORE_MODULE ? twinCore(text) : text);
  }
  // The library's compiler options, with this folder as the root and the twin's lib/ as the output.
  fs.writeFileSync(path.join(STAGE, 'tsconfig.json'), JSON.stringify({
    extends: path.join(ROOT, 'tsconfig.build.json'),
    compilerOptions: { rootDir: '.', outDir: path.join(OUT, 'lib') },
    include: ['**/*.ts'],
  }, null, 2));
}

/** The main package.json with the twin's name, bin and peers; no scripts (nothing to build) and no jsii metadata. */
function twinManifest(): Record<string, unknown> {
  const main = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const cdktn = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/cdktn/package.json'), 'utf8'));
  const [minor] = /^\d+\.\d+/.exec(cdktn.version)!;
  return {
    name: TWIN_NAME,
    version: main.version,
    description: `${main.description.replace(/^CDK for Terraform/, 'CDK Terrain (cdktn)')}; the twin of ${main.name}`,
    license: main.license,
    author: main.author,
    homepage: main.homepage,
    repository: main.repository,
    keywords: main.keywords.map((k: string) => (k === 'cdktf' ? 'cdktn' : k)).filter((k: string) => k !== 'jsii'),
    main: main.main,
    types: main.types,
    files: main.files.filter((f: string) => f !== '.jsii'),
    bin: { [TWIN_NAME]: `bin/${TWIN_NAME}.js` },
    engines: main.engines,
    // cdktn's own peer range for constructs; no null provider: CDK Terrain publishes none.
    peerDependencies: { cdktn: `^${minor}.0`, constructs: cdktn.peerDependencies.constructs },
  };
}

function copy(from: string, to: string): void {
  fs.mkdirSync(path.dirname(path.join(OUT, to)), { recursive: true });
  fs.copyFileSync(path.join(ROOT, from), path.join(OUT, to));
}

function main(): void {
  const started = Date.now();
  fs.rmSync(OUT, { recursive: true, force: true });
  stageSources();
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', STAGE], { stdio: 'inherit' });
  const manifest = twinManifest();
  fs.writeFileSync(path.join(OUT, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const file of ['dist/lifecycle-handler.cjs', 'dist/lifecycle-handler.sh', 'dist/cli.cjs', 'README.md', 'CHANGELOG.md', 'LICENSE']) copy(file, file);
  copy('bin/cdktf-saas-permissions.js', `bin/${TWIN_NAME}.js`);
  fs.chmodSync(path.join(OUT, 'bin', `${TWIN_NAME}.js`), 0o755);
  process.stdout.write(`${path.relative(ROOT, OUT)}: ${TWIN_NAME}@${manifest.version} on cdktn, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main();
