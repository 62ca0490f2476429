// Login throttling (RFC 6819 §5.1.4.2.4; SECURITY-CATALOG SEC-52, SEC-63, D-5): each key (an
// account, a client address) gets `threshold` attempts, then delays that double. Counted in the
// database, so every process behind the load balancer shares one count (SEC-63).
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ThrottleDecision, ThrottleRepository, ThrottleRule } from '../repositories.js';
import { inLockOrder } from './lock-order.js';
import type { Database } from './schema.js';

/** The longest delay, in seconds: long enough to stop guessing, short enough not to lock out. */
const MAX_DELAY = 900;
/** Failures older than this, with no attempt since, are forgotten. */
const FORGET_AFTER = 3600;

export class KyselyThrottleRepository implements ThrottleRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * One transaction that counts first and decides after. The upsert takes each key's row lock and
   * holds it to the end, so concurrent attempts on a key run one after the other on every
   * database (PostgreSQL at READ COMMITTED too, where a check before the count would let a burst
   * through) and each sees the count and block of those before it. Keys are locked in sorted
   * order, so two attempts cannot deadlock. A refused attempt rolls its counts back: it does not count.
   */
  async attempt(rules: readonly ThrottleRule[], now: number): Promise<ThrottleDecision> {
    try {
      return await this.#db.transaction().execute(async (trx) => {
        const counted = [];
        for (const rule of inLockOrder(rules, (rule) => rule.key)) counted.push({ rule, ...(await count(trx, rule.key, now)) });
        const retryAfter = Math.max(0, ...counted.map(({ blockedUntil }) => (blockedUntil ?? now) - now));
        if (retryAfter > 0) throw new Refused(retryAfter);
        for (const { rule, failures } of counted) await block(trx, rule, failures, now);
        return { allowed: true } as const;
      });
    } catch (error) {
      if (error instanceof Refused) return { allowed: false, retryAfter: error.retryAfter };
      throw error;
    }
  }

  async retryAfter(keys: readonly string[], now: number): Promise<number> {
    if (keys.length === 0) return 0;
    const rows = await this.#db.selectFrom('throttle').select('blocked_until').where('key', 'in', keys).where('blocked_until', '>', now).execute();
    return Math.max(0, ...rows.map((row) => (row.blocked_until ?? now) - now));
  }

  /** One conditional UPDATE per key, on the count as it is now: a concurrent attempt is never lost. */
  forgive(rules: readonly ThrottleRule[]): Promise<void> {
    return this.#db.transaction().execute(async (trx) => {
      for (const rule of inLockOrder(rules, (rule) => rule.key)) {
        await trx
          .updateTable('throttle')
          .set((eb) => ({
            failures: eb.case().when('failures', '>', 0).then(eb('failures', '-', 1)).else(0).end(),
            // One failure fewer is below the threshold: lift the block.
            blocked_until: eb.case().when('failures', '<=', rule.threshold).then(sql<number | null>`null`).else(eb.ref('blocked_until')).end(),
          }))
          .where('key', '=', rule.key)
          .execute();
      }
    });
  }

  async reset(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#db.deleteFrom('throttle').where('key', 'in', keys).execute();
  }
}

/** Thrown inside the transaction to roll back the counts of an attempt that is refused. */
class Refused extends Error {
  constructor(readonly retryAfter: number) {
    super(`throttled for ${retryAfter} s`);
  }
}

/** Counts one failure against the key; answers the count and the block in force before it. */
async function count(db: Kysely<Database>, key: string, now: number): Promise<{ failures: number; blockedUntil: number | null }> {
  const row = await db
    .insertInto('throttle')
    .values({ key, failures: 1, blocked_until: null, last_attempt_at: now })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('throttle.last_attempt_at', '<', now - FORGET_AFTER)
          .then(1)
          .else(eb('throttle.failures', '+', 1))
          .end(),
        last_attempt_at: now,
      })),
    )
    .returning(['failures', 'blocked_until'])
    .executeTakeFirstOrThrow();
  return { failures: row.failures, blockedUntil: row.blocked_until };
}

/** From the threshold on, blocks the key for 2, 4, 8 ... s. */
async function block(db: Kysely<Database>, rule: ThrottleRule, failures: number, now: number): Promise<void> {
  if (failures < rule.threshold) return;
  const delay = Math.min(2 ** (failures - rule.threshold + 1), MAX_DELAY);
  await db.updateTable('throttle').set({ blocked_until: now + delay }).where('key', '=', rule.key).execute();
}
