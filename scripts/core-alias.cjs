// Preloaded (--require) by `npm run demo -- --core cdktn`: resolves the module `cdktf` to `cdktn`, so main.ts and
// constructs/, which name cdktf, run on CDK Terrain unchanged, as jest's cdktn project does with moduleNameMapper.
const Module = require('module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveCdktfToCdktn(request, ...rest) {
  return resolve.call(this, request === 'cdktf' ? 'cdktn' : request, ...rest);
};
