// A free TCP port on 127.0.0.1 for a server a test starts (AGENTS: loopback only, free ports).
// Shared by the in-process servers (support/server.ts), the CLI tests (cli/run-cli.ts) and e2e/.
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
