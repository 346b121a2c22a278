// node-fetch 2 loads https (and with it tls and crypto, a third of the handler's start-up) even for an http:// URL;
// loading it on first use keeps it off the path of a call that does not speak TLS. An https:// call loads it as before.
import { lazyBuiltin } from './lazy-builtin';

module.exports = lazyBuiltin(() => require('node:https'));
