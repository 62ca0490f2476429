// Signing key rotation (CLI `latchkey keys rotate`): a new ES256 and RS256 key start signing;
// the keys they replace stay published until the next rotation, so tokens signed before it keep
// verifying until they expire; anything older is retired. Every process picks the change up
// within its key reload interval (5 s), since keys live in the shared database.
import type { Store } from '../store/repositories.js';
import { generateSigningKey } from '../tokens/keys.js';

export interface Rotation {
  added: string[];
  retired: string[];
}

export async function rotateSigningKeys(store: Pick<Store, 'signingKeys'>, now: number): Promise<Rotation> {
  const before = await store.signingKeys.listActive();
  const added: string[] = [];
  // Keys are ordered by creation time (seconds): the new ones must come after every existing one.
  const createdAt = Math.max(now, ...before.map((k) => k.createdAt + 1));
  for (const alg of ['ES256', 'RS256'] as const) {
    const key = await generateSigningKey(alg, createdAt);
    await store.signingKeys.insert(key);
    added.push(key.kid);
  }
  // Keep the newest previous key of each algorithm: it signed the tokens still in use.
  const keep = new Set((['ES256', 'RS256'] as const).map((alg) => before.findLast((k) => k.alg === alg)?.kid));
  const retired = before.filter((k) => !keep.has(k.kid)).map((k) => k.kid);
  await store.signingKeys.retire(retired, now);
  return { added, retired };
}
