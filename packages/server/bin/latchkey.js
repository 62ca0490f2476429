#!/usr/bin/env -S node --max-semi-space-size=4
// The command line entry; the compiled CLI lives in dist (built by `npm install`).
// The young generation is capped at 4 MiB per semi-space (V8's default is 16): under load `serve`
// then peaks about 20 MiB lower with the same throughput (docs/PERFORMANCE.md, issue 9).
import { run } from '../dist/cli/main.js';

process.exitCode = await run(process.argv.slice(2));
