// `node dist/main.js`: Mine until SIGINT or SIGTERM, then drain and exit 0. Settings come from the
// environment (config.ts); `npm start` runs it third, after Latchkey and the Calendar API.
import { pathToFileURL } from 'node:url';
import { buildMine } from './app.js';
import { MineConfigError, readSettings, type MineSettings } from './config.js';

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let settings: MineSettings;
  try {
    settings = readSettings(env);
  } catch (error) {
    if (!(error instanceof MineConfigError)) throw error;
    process.stderr.write(`mine: ${error.message}\n`);
    return 2;
  }
  // One Ctrl-C may arrive more than once (terminal, npm, the launcher): the first one stops.
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.on('SIGINT', () => stop());
  process.on('SIGTERM', () => stop());

  let app: Awaited<ReturnType<typeof buildMine>>;
  try {
    app = await buildMine({ dataDir: settings.dataDir, apiUrl: settings.apiUrl, logger: { level: env.LATCHKEY_LOG_LEVEL || 'warn' } });
  } catch (error) {
    const reason = error instanceof MineConfigError ? error.message : `cannot start: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`mine: ${reason}\n`);
    return error instanceof MineConfigError ? 2 : 1;
  }
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await app.close();
    process.stderr.write(`mine: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  process.stdout.write(`Mine at http://localhost:${settings.port} (listening on ${settings.host}:${settings.port}), calling the Calendar API at ${settings.apiUrl}\n`);
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
