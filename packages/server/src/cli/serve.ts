// `latchkey serve`: the authorization server until SIGINT or SIGTERM, then drain and exit 0.
import { buildApp } from '../app.js';
import type { Config } from '../config.js';
import { createStore } from '../store/index.js';
import { parseCommand } from './args.js';

export async function serve(args: string[]): Promise<number> {
  const { config } = parseCommand(args, {}, { min: 0, max: 0, usage: 'latchkey serve [setting flags]' });
  await runServer(config);
  return 0;
}

/** Runs until a signal arrives; resolves once in-flight requests are done and the store is closed. */
export async function runServer(config: Config, onListening?: () => void): Promise<void> {
  const store = await createStore(config.database);
  const app = await buildApp({
    config,
    store,
    logger: {
      level: config.logLevel,
      // Secrets never reach the logs (RFC 6819 §4.6.7).
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
  });
  await app.listen({ host: config.host, port: config.port });
  app.log.info(`Latchkey authorization server at ${config.issuer} (listening on ${config.host}:${config.port})`);
  onListening?.();
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // Fastify stops accepting, finishes in-flight requests, then resolves.
  await app.close();
  await store.close();
}
