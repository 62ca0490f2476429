// `latchkey serve`: the authorization server until SIGINT or SIGTERM, then drain and exit 0.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { loggableUrl } from '../http/log-url.js';
import type { Config } from '../config.js';
import { openStore, parseCommand } from './args.js';
import { boundHeapGrowth, stopPretenuring } from './heap-growth.js';
import { lowerHelperThreads } from './helper-threads.js';

/** How long in-flight requests may take to finish after a stop signal before they are cut. */
const DRAIN_TIMEOUT_MS = 10_000;
/** How often, while draining, connections that have turned idle are closed. */
const IDLE_SWEEP_MS = 100;

export async function serve(args: string[]): Promise<number> {
  const { config } = parseCommand(args, {}, { min: 0, max: 0, usage: 'latchkey serve [setting flags]' });
  // The process is the server's alone from here: bound its heap's swings under load, and keep a
  // slow moment at warm-up from sending requests' objects to the old generation for good.
  boundHeapGrowth();
  stopPretenuring();
  // And the event loop's thread goes first among its threads (helper-threads.ts).
  await lowerHelperThreads(config.helperNice);
  await runServer(config);
  return 0;
}

/** Runs until a signal arrives; resolves once in-flight requests are done and the store is closed. */
export async function runServer(config: Config, onListening?: () => void): Promise<void> {
  // Listen for the signal from the start, so a Ctrl-C during startup still stops cleanly.
  const signal = stopSignal();
  // Loaded here, so that bad arguments are answered without loading the server.
  const { buildApp } = await import('../app.js');
  const store = await openStore(config);
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp({
      config,
      store,
      logger: {
        level: config.logLevel,
        // Secrets never reach the logs (RFC 6819 §4.6.7).
        redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        serializers: {
          // Fastify's own request fields, with secrets in a query string hidden (REL-09).
          req: (request: FastifyRequest) => ({
            method: request.method,
            url: loggableUrl(request.url),
            host: request.host,
            remoteAddress: request.ip,
            remotePort: request.socket.remotePort,
          }),
        },
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
  // A keep-alive connection whose request finishes after the signal turns idle after Fastify's
  // one sweep of idle connections, and would hold the process until the cut below (its answer
  // still promised keep-alive): sweep again until the drain is done.
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const cut = setTimeout(() => {
    app.log.warn(`drain timeout: closing the connections still open after ${DRAIN_TIMEOUT_MS / 1000} s`);
    server.closeAllConnections();
  }, DRAIN_TIMEOUT_MS);
  sweep.unref();
  cut.unref();
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
    await store.close();
  }
}

/**
 * Resolves on the first SIGINT or SIGTERM. Later ones are ignored from then on (the handlers stay;
 * they do not keep the process alive): one Ctrl-C under `npm start` arrives twice, from the
 * terminal to the process group and forwarded by npm, and the second must neither cut the drain
 * short nor turn exit code 0 into death by signal. DRAIN_TIMEOUT_MS bounds the drain instead.
 * `cancel()` removes the handlers when startup fails.
 */
function stopSignal(): { received: Promise<void>; cancel(): void } {
  let stop = (): void => {};
  const received = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    received,
    cancel: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
