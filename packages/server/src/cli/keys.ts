// `latchkey keys rotate`: new signing keys for every process on this database (see admin/keys.ts).
import { rotateSigningKeys } from '../admin/keys.js';
import { openStore, parseCommand } from './args.js';

export async function keysRotate(args: string[]): Promise<number> {
  const parsed = parseCommand(args, {}, { min: 0, max: 0, usage: 'latchkey keys rotate' });
  const store = await openStore(parsed.config);
  try {
    const { added, retired } = await rotateSigningKeys(store, Math.floor(Date.now() / 1000));
    process.stdout.write(`new signing keys: ${added.join(' ')}\n`);
    process.stdout.write(retired.length === 0 ? 'no key retired (the previous keys stay published)\n' : `retired: ${retired.join(' ')}\n`);
  } finally {
    await store.close();
  }
  return 0;
}
