// node-fetch 2 loads zlib at start-up but needs it only to inflate a compressed answer; loading it on first use
// keeps it off the path of every handler run whose answer is not compressed.
import { lazyBuiltin } from './lazy-builtin';

module.exports = lazyBuiltin(() => require('node:zlib'));
