// `latchkey user add USERNAME --password-stdin [--name N] [--email E]`
import { validateNewUser, addUser } from '../admin/users.js';
import { flagOption, openStore, parseCommand, readStdin, stringOption, UsageError } from './args.js';

const USAGE = 'latchkey user add USERNAME --password-stdin [--name N] [--email E]';

export async function userAdd(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { 'password-stdin': { type: 'boolean' }, name: { type: 'string' }, email: { type: 'string' } }, { min: 1, max: 1, usage: USAGE });
  if (!flagOption(parsed, 'password-stdin')) throw new UsageError(`--password-stdin is required (the password is never taken as an argument); usage: ${USAGE}`);
  const password = (await readStdin()).replace(/\r?\n$/, '');
  const input = { username: parsed.positionals[0] ?? '', password, name: stringOption(parsed, 'name') ?? null, email: stringOption(parsed, 'email') ?? null };
  // Everything is checked before the database is opened, so bad input writes nothing.
  validateNewUser(input);
  const store = await openStore(parsed.config);
  try {
    const user = await addUser(store, input, Math.floor(Date.now() / 1000));
    process.stdout.write(`created user ${user.username} (id ${user.id})\n`);
  } finally {
    await store.close();
  }
  return 0;
}
