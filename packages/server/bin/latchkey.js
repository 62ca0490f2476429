#!/usr/bin/env node
// The command line entry; the compiled CLI lives in dist (built by `npm install`).
// No node flags on the line above: `env -S` is GNU's, and BusyBox (Alpine images) refuses it.
// docs/DEPLOYMENT.md has `serve` started as `node --max-semi-space-size=4 --min-semi-space-size=4 ...` instead.
import { exitWhenFlushed } from '../dist/cli/exit.js';
import { run } from '../dist/cli/main.js';

exitWhenFlushed(await run(process.argv.slice(2)));
