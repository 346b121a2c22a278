/**
 * What the provisioners run (`node lifecycle-handler.cjs <operation>`): the handler bundle, embedded as text, compiled
 * with a V8 code cache kept next to this file. Compiling the bundle was a fifth of every run's start-up; the cache
 * is written by the first run in a directory (or when this Node rejects it) and read by every later one.
 * The cache is named by the bundle's content hash because V8 checks a cache only against the source's length.
 * It lives in the stack's asset folder, not a shared temporary folder: whoever can write there can already replace
 * this file, so a planted cache gives nobody more than they had.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import type * as Handler from './handler';

declare const HANDLER_SOURCE: string;
declare const HANDLER_SHA256: string;

const cacheFile = path.join(__dirname, `.lifecycle-handler-${HANDLER_SHA256}.v8cache`);

function readCache(): Buffer | undefined {
  try {
    return fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/**
 * Best effort: a read-only folder or a concurrent run writing the same file only means the next run compiles. The
 * file is opened before the cache is serialized, so a run in a read-only folder does not pay for serializing.
 */
function writeCache(script: vm.Script): void {
  const temporary = `${cacheFile}.${process.pid}`;
  let fd: number;
  try {
    fd = fs.openSync(temporary, 'wx');
  } catch {
    return;
  }
  try {
    try {
      fs.writeFileSync(fd, script.createCachedData());
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, cacheFile);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

const cachedData = readCache();
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${HANDLER_SOURCE}\n})`, {
  filename: path.join(__dirname, 'lifecycle-handler.bundle.cjs'),
  cachedData,
});
const handler = { exports: {} as typeof Handler };
(script.runInThisContext() as (...args: unknown[]) => void)(handler.exports, require, handler, __filename, __dirname);

void handler.exports.main(process.argv.slice(2), process.env).then((code) => {
  // After the run, so the cache holds the functions the run compiled, not only the top level.
  if (!cachedData || script.cachedDataRejected) writeCache(script);
  // Exit as soon as the result is printed (stdout and stderr are synchronous for pipes and files): waiting for the
  // vendor's socket to close adds time to every one of a stack's handler runs and changes nothing.
  process.exit(code);
});
