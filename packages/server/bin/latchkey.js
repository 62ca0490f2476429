#!/usr/bin/env node
// The command line entry; the compiled CLI lives in dist (built by `npm install`).
// No node flags on the line above: `env -S` is GNU's, and BusyBox (Alpine images) refuses it.
// docs/DEPLOYMENT.md recommends NODE_OPTIONS=--max-semi-space-size=4 for `serve` instead.
import { run } from '../dist/cli/main.js';

// Exit as soon as the output is flushed, not when the event loop empties: while Node tears the
// loop down it no longer handles signals, so a second Ctrl-C (or SIGTERM) arriving just after
// `serve` stopped cleanly would otherwise kill it and turn exit code 0 into death by signal.
const code = await run(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
