// `latchkey scope add NAME --description TEXT [--resource URI]`
import { addScope, validateNewScope } from '../admin/scopes.js';
import { openStore, parseCommand, stringOption, UsageError } from './args.js';

const USAGE = 'latchkey scope add NAME --description TEXT [--resource URI]';

export async function scopeAdd(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { description: { type: 'string' }, resource: { type: 'string' } }, { min: 1, max: 1, usage: USAGE });
  const description = stringOption(parsed, 'description');
  if (description === undefined) throw new UsageError(`--description is required; usage: ${USAGE}`);
  const input = { name: parsed.positionals[0] ?? '', description, resource: stringOption(parsed, 'resource') ?? null };
  validateNewScope(input);
  const store = await openStore(parsed.config);
  try {
    const scope = await addScope(store, input, Math.floor(Date.now() / 1000));
    process.stdout.write(`created scope ${scope.name}${scope.resource === null ? '' : ` for ${scope.resource}`}\n`);
  } finally {
    await store.close();
  }
  return 0;
}
