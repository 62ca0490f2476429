#!/usr/bin/env node
// The command line entry; the compiled CLI lives in dist (built by `npm install`).
import { run } from '../dist/cli/main.js';

process.exitCode = await run(process.argv.slice(2));
