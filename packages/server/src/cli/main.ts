// The `latchkey` command line: dispatch to one module per command. Usage, settings and input
// errors print one line and exit 2; anything unexpected prints one line and exits 1.
import { AdminInputError } from '../admin/errors.js';
import { ConfigError } from '../config.js';
import { UnsupportedDatabaseError } from '../store/index.js';
import { UsageError } from './args.js';
import { clientAdd } from './client.js';
import { helpText } from './help.js';
import { scopeAdd } from './scope.js';
import { serve } from './serve.js';
import { userAdd } from './user.js';

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  serve,
  'user add': userAdd,
  'scope add': scopeAdd,
  'client add': clientAdd,
};

export async function run(argv: string[]): Promise<number> {
  // `npx latchkey -- --help`: npm passes the `--` on; it means nothing here.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const [first, second] = args;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    process.stdout.write(helpText());
    return 0;
  }
  try {
    const twoWords = second === undefined ? undefined : COMMANDS[`${first} ${second}`];
    if (twoWords !== undefined) return await twoWords(args.slice(2));
    const oneWord = COMMANDS[first];
    if (oneWord !== undefined) return await oneWord(args.slice(1));
    throw new UsageError(`unknown command ${JSON.stringify(args.slice(0, 2).join(' '))}; run latchkey help`);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof AdminInputError || error instanceof UnsupportedDatabaseError) {
      process.stderr.write(`latchkey: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`latchkey: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.LATCHKEY_DEBUG === '1') console.error(error);
    return 1;
  }
}
