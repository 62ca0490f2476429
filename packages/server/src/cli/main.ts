// The `latchkey` command line: dispatch to one module per command. Usage, settings and input
// errors print one line and exit 2; anything unexpected prints one line and exits 1.
import { AdminInputError } from '../admin/errors.js';
import { ConfigError } from '../config.js';
import { UsageError } from './args.js';
import { helpText } from './help.js';

type Command = (args: string[]) => Promise<number>;

// Loaded on demand, so `help` and argument errors answer without loading the server.
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serve,
  'user add': async () => (await import('./user.js')).userAdd,
  'scope add': async () => (await import('./scope.js')).scopeAdd,
  'client add': async () => (await import('./client.js')).clientAdd,
  'keys rotate': async () => (await import('./keys.js')).keysRotate,
};

export async function run(argv: string[]): Promise<number> {
  // `npx latchkey -- --help`: npm passes the `--` on; it means nothing here.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const [first, second] = args;
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  if (first === undefined || first === 'help' || flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(helpText());
    return 0;
  }
  try {
    const load = (second === undefined ? undefined : COMMANDS[`${first} ${second}`]) ?? COMMANDS[first];
    if (load === undefined) {
      const group = Object.keys(COMMANDS).some((name) => name.startsWith(`${first} `));
      throw new UsageError(`unknown command ${JSON.stringify(group ? `${first} ${second ?? ''}`.trim() : first)}; run latchkey help`);
    }
    const command = await load();
    return await command(args.slice(COMMANDS[first] === load ? 1 : 2));
  } catch (error) {
    if (await isInputError(error)) {
      process.stderr.write(`latchkey: ${(error as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`latchkey: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.LATCHKEY_DEBUG === '1') console.error(error);
    return 1;
  }
}

/** Wrong usage, a bad setting or bad input: the user's to fix (exit code 2). */
async function isInputError(error: unknown): Promise<boolean> {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof AdminInputError) return true;
  const { UnsupportedDatabaseError } = await import('../store/index.js');
  return error instanceof UnsupportedDatabaseError;
}
