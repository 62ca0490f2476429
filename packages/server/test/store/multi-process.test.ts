// Several server processes on one SQLite file (ARCHITECTURE: stateless processes, one shared
// store). The store is transpiled to plain JS so that real child processes can load it.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { seedParties, useTempDir } from './temp-store.js';

const PROCESSES = 6;
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = useTempDir('processes');
const build = dir.file('build');

/** What each child does once every child is up; it prints one JSON line per result. */
const CHILD = `
import { createStore } from './store/index.js';
const [file, startAt, task] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {}
const store = await createStore({ kind: 'sqlite', path: file });
const out = [];
if (task === 'consume') out.push((await store.codes.consume('code', 2000)).outcome);
if (task === 'rotate') out.push((await store.refreshTokens.rotate({
  tokenHash: 't1', at: { chain: 'ch1', generation: 0 }, clientId: 'c1', now: 2000, graceSeconds: 2, successor: { tokenHash: 't2', expiresAt: 9000, chain: 'ch1' } })).outcome);
if (task === 'rotate-unchained') out.push((await store.refreshTokens.rotate({
  tokenHash: 'old1', clientId: 'c1', now: 2000, graceSeconds: 2, successor: { tokenHash: 'old2', expiresAt: 9000, chain: 'ch2' } })).outcome);
if (task === 'throttle') for (let i = 0; i < 5; i++) out.push((await store.throttle.attempt([{ key: 'alice', threshold: 5 }], 2000)).allowed);
await store.close();
console.log(JSON.stringify(out));
`;

function transpileStore(): void {
  const source = path.resolve(here, '../../src/store');
  const copy = (from: string, to: string): void => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const input = path.join(from, entry.name);
      if (entry.isDirectory()) copy(input, path.join(to, entry.name));
      else if (entry.name.endsWith('.ts')) {
        const { outputText } = ts.transpileModule(readFileSync(input, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        });
        writeFileSync(path.join(to, entry.name.replace(/\.ts$/, '.js')), outputText);
      }
    }
  };
  copy(source, path.join(build, 'store'));
  writeFileSync(path.join(build, 'package.json'), '{"type":"module"}');
  writeFileSync(path.join(build, 'child.js'), CHILD);
  symlinkSync(path.resolve(here, '../../../../node_modules'), path.join(build, 'node_modules'), 'dir');
}

/** Starts the children together on `file` and collects what each printed. */
async function runTogether(file: string, task: string): Promise<unknown[][]> {
  const startAt = Date.now() + 1_000;
  const runs = Array.from({ length: PROCESSES }, () =>
    new Promise<unknown[]>((resolve, reject) => {
      const child = spawn(process.execPath, ['child.js', file, String(startAt), task], { cwd: build });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as unknown[]) : reject(new Error(stderr))));
    }));
  return Promise.all(runs);
}

beforeAll(transpileStore);

describe('several processes on one SQLite file', () => {
  it('migrate a fresh file together without failing', { timeout: 30_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const file = dir.file(`fresh-${round}.db`);
      await runTogether(file, 'migrate');
      const store = await createStore({ kind: 'sqlite', path: file });
      expect(await store.scopes.list()).toHaveLength(4);
      await store.close();
    }
  });

  it('consume one code exactly once, rotate one token exactly once (on a chain and from before chains), and share one throttle', { timeout: 30_000 }, async () => {
    const file = dir.file('shared.db');
    const store = await createStore({ kind: 'sqlite', path: file });
    await seedParties(store, ['u1'], ['c1']);
    await store.codes.create({
      codeHash: 'code', clientId: 'c1', userId: 'u1', redirectUri: 'https://app.example/cb', redirectUriSent: true,
      scopes: ['openid'], codeChallenge: null, codeChallengeMethod: null, nonce: null, authTime: null,
      createdAt: 1_000, expiresAt: 9_000, consumedAt: null,
    });
    await store.refreshTokens.createFamily(
      { id: 'f1', clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: 'code', createdAt: 1_000, revokedAt: null },
      { chain: 'ch1', tokenHash: 't1', issuedAt: 1_000, expiresAt: 9_000 },
    );
    // A token from before chains (a refresh_tokens row), rotated in a transaction.
    await store.refreshTokens.createFamily(
      { id: 'f2', clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: null, createdAt: 1_000, revokedAt: null },
      { tokenHash: 'old1', familyId: 'f2', clientId: 'c1', userId: 'u1', scopes: ['openid'], issuedAt: 1_000, expiresAt: 9_000, rotatedAt: null },
    );
    await store.close();

    const consumed = (await runTogether(file, 'consume')).flat();
    expect(consumed.filter((o) => o === 'consumed')).toHaveLength(1);
    expect(consumed.filter((o) => o === 'reused')).toHaveLength(PROCESSES - 1);

    for (const task of ['rotate', 'rotate-unchained']) {
      const rotated = (await runTogether(file, task)).flat();
      expect(rotated.filter((o) => o === 'rotated'), task).toHaveLength(1);
      expect(rotated.filter((o) => o === 'grace'), task).toHaveLength(PROCESSES - 1);
    }

    const attempts = (await runTogether(file, 'throttle')).flat();
    expect(attempts.filter((allowed) => allowed === true)).toHaveLength(5);
  });
});
