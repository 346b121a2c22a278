#!/usr/bin/env node
// The command-line tool of this package (drift, import); the bundled program lives in dist/cli.cjs.
require('../dist/cli.cjs');
