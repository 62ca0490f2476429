// `latchkey serve`: the authorization server until SIGINT or SIGTERM, then drain and exit 0.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import type { Config } from '../config.js';
import { createStore } from '../store/index.js';
import { parseCommand } from './args.js';

/** How long in-flight requests may take to finish after a stop signal before they are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

export async function serve(args: string[]): Promise<number> {
  const { config } = parseCommand(args, {}, { min: 0, max: 0, usage: 'latchkey serve [setting flags]' });
  await runServer(config);
  return 0;
}

/** Runs until a signal arrives; resolves once in-flight requests are done and the store is closed. */
export async function runServer(config: Config, onListening?: () => void): Promise<void> {
  // Listen for the signal from the start, so a Ctrl-C during startup still stops cleanly.
  const signal = stopSignal();
  const store = await createStore(config.database);
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp({
      config,
      store,
      logger: {
        level: config.logLevel,
        // Secrets never reach the logs (RFC 6819 §4.6.7).
        redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      },
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    signal.cancel();
    await app?.close();
    await store.close();
    throw error;
  }
  app.log.info(`Latchkey authorization server at ${config.issuer} (listening on ${config.host}:${config.port})`);
  onListening?.();
  await signal.received;
  app.log.info('stopping: finishing in-flight requests');
  // Fastify stops accepting, answers 503 to new requests on open connections, closes idle
  // keep-alive connections and resolves when in-flight requests are done.
  const server = app.server;
  const cut = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
  cut.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
    await store.close();
  }
}

/** Resolves on the first SIGINT or SIGTERM; a second one gets Node's default (immediate exit). */
function stopSignal(): { received: Promise<void>; cancel(): void } {
  let cancel = (): void => {};
  const received = new Promise<void>((resolve) => {
    const stop = (): void => {
      cancel();
      resolve();
    };
    cancel = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { received, cancel };
}
