// The README's curl walkthrough is run as written (claims in docs are checked by tests): a
// newcomer who pastes it gets a code, tokens, and a refreshed token.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, ROOT } from './support/processes.js';

function walkthrough(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const match = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
  if (match?.[1] === undefined) throw new Error('README.md has no walkthrough block');
  return match[1];
}

describe('README walkthrough', () => {
  it('runs from start to finish and prints the tokens', async () => {
    const port = await freePort();
    const script = walkthrough();
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
        cwd: ROOT,
        env: { ...process.env, LATCHKEY_PORT: String(port) },
        // Its own process group, so a failed run cannot leave the background server behind.
        detached: true,
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {
          // Nothing left in the group: the walkthrough stopped its server itself.
        }
        resolve({ code, out });
      });
    });
    expect(result.out).toMatch(/The browser is sent back to: http:\/\/127\.0\.0\.1:3000\/callback\?code=[A-Za-z0-9_-]{43}&state=xyz&iss=/);
    const tokenLines = result.out.split('\n').filter((l) => l.startsWith('{"access_token"'));
    expect(tokenLines).toHaveLength(2);
    for (const line of tokenLines) {
      expect(JSON.parse(line)).toMatchObject({ token_type: 'Bearer', scope: 'openid calendar.read' });
    }
    expect(result.code).toBe(0);
  });
});
