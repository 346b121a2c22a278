// node-fetch 2 loads zlib at start-up but needs it only to inflate a compressed answer; loading it on first use
// keeps it off the path of every handler run whose answer is not compressed.
let zlib: typeof import('zlib') | undefined;
const load = () => (zlib ??= require('node:zlib') as typeof import('zlib'));
module.exports = new Proxy({}, { get: (_target, name) => (load() as unknown as Record<string | symbol, unknown>)[name] });
