// `node dist/main.js`: the Calendar API until SIGINT or SIGTERM, then drain and exit 0. Settings
// come from the environment (config.ts); `npm start` runs it beside the authorization server.
import { pathToFileURL } from 'node:url';
import { buildApi } from './app.js';
import { ApiConfigError, readSettings, type ApiSettings } from './config.js';

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let settings: ApiSettings;
  try {
    settings = readSettings(env);
  } catch (error) {
    if (!(error instanceof ApiConfigError)) throw error;
    process.stderr.write(`calendar-api: ${error.message}\n`);
    return 2;
  }
  // One Ctrl-C may arrive more than once (terminal, npm, the demo's launcher): the first stops,
  // later ones are ignored, so the exit code stays 0.
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.on('SIGINT', () => stop());
  process.on('SIGTERM', () => stop());

  const app = await buildApi({
    issuer: settings.issuer,
    audience: settings.audience,
    dataDir: settings.dataDir,
    allowQueryToken: true,
    logger: { level: env.LATCHKEY_LOG_LEVEL || 'warn' },
  });
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await app.close();
    process.stderr.write(`calendar-api: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  process.stdout.write(`Calendar API at ${settings.audience} (listening on ${settings.host}:${settings.port}), trusting tokens from ${settings.issuer}\n`);
  await stopped;
  const cut = setTimeout(() => app.server.closeAllConnections(), 10_000);
  cut.unref();
  await app.close();
  clearTimeout(cut);
  return 0;
}

// Run when executed directly (`node dist/main.js`), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Exit as soon as the output is flushed, not when the event loop empties: while Node tears the
  // loop down it no longer handles signals, and a repeated Ctrl-C (a terminal signals the whole
  // process group, and the launcher forwards it too) landing then kills the process instead.
  const code = await main();
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
