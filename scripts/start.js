// `npm start` (CONTRACTS.md): the demo as separate processes, from the build that npm install
// made. First the authorization server (packages/server/dist/demo/start.js seeds the data folder,
// prints the URLs and serves), then the Calendar API (examples/calendar-api/dist/main.js), which
// trusts its tokens, then Mine (examples/mine/dist/main.js), the client that reads its credentials
// from the data folder. Ctrl-C (SIGINT) or SIGTERM is passed on to all three; the exit code is 0
// when all stopped cleanly. Every setting comes from the environment, which all children share.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = path.join(ROOT, 'packages/server/dist/demo/start.js');
const API = path.join(ROOT, 'examples/calendar-api/dist/main.js');
const MINE = path.join(ROOT, 'examples/mine/dist/main.js');
const READY = 'Press Ctrl-C to stop.';

const children = [];
let stopping = false;

/** Starts `script`; resolves once a line matching `isReady` appears (not printed), or rejects if it exits first. */
function start(name, script, isReady) {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128))));
  const entry = { name, child, exited, signalled: false };
  children.push(entry);
  let ready = false;
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!ready && isReady(line)) {
        ready = true;
        resolve(entry);
        return;
      }
      process.stdout.write(`${line}\n`);
    });
    void exited.then((code) => {
      if (!ready) reject(Object.assign(new Error(`${name} exited with code ${code} before it was ready`), { exitCode: code }));
    });
  });
}

function stopAll(signal) {
  stopping = true;
  for (const entry of children) {
    // Once per child: a repeat could land after the child has finished stopping, while it is
    // exiting and no longer handles signals, and kill it (exit code 128 instead of 0).
    if (entry.signalled || entry.child.exitCode !== null || entry.child.signalCode !== null) continue;
    entry.signalled = true;
    entry.child.kill(signal);
  }
}

// One Ctrl-C in a terminal reaches every process of the group and, through npm, this one again:
// each child is signalled once by this launcher, and exits as soon as it has stopped, so a late
// copy from the terminal finds it gone.
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));

async function main() {
  try {
    await start('the authorization server', SERVER, (line) => line === READY);
    if (stopping) return finish();
    await start('the Calendar API', API, (line) => line.startsWith('Calendar API at '));
    if (stopping) return finish();
    await start('Mine', MINE, (line) => line.startsWith('Mine at '));
  } catch (error) {
    // Exit code 2 is a bad setting, which the child already named in one line.
    if (error.exitCode !== 2) process.stderr.write(`latchkey demo: ${error.message}\n`);
    stopAll('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    return error.exitCode === 2 ? 2 : 1;
  }
  process.stdout.write(`${READY}\n`);
  // Any child stopping on its own (a crash) stops the others.
  await Promise.race(children.map((c) => c.exited));
  if (!stopping) {
    process.stderr.write('latchkey demo: a process stopped unexpectedly; stopping the demo\n');
    stopAll('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    return 1;
  }
  return finish();
}

async function finish() {
  const codes = await Promise.all(children.map((c) => c.exited));
  // Say which one did not stop cleanly: its own output may not.
  children.forEach(({ name }, i) => {
    if (codes[i] !== 0) process.stderr.write(`latchkey demo: ${name} exited with code ${codes[i]} while stopping\n`);
  });
  return codes.every((code) => code === 0) ? 0 : 1;
}

// Exit as soon as the output is flushed, not when the event loop empties: while Node tears the
// loop down it no longer handles signals, and npm's forwarded copy of a Ctrl-C landing then would
// kill this launcher instead.
const code = await main();
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
