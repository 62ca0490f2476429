// Login throttling (RFC 6819 §5.1.4.2.4; SECURITY-CATALOG SEC-52, SEC-63, D-5): each key (an
// account, a client address) gets `threshold` attempts, then delays that double. Counted in the
// database, so every process behind the load balancer shares one count (SEC-63).
import type { Kysely } from 'kysely';
import type { ThrottleDecision, ThrottleRepository, ThrottleRule } from '../repositories.js';
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

  /** One transaction: the check and the count cannot be split by a concurrent attempt. */
  attempt(rules: readonly ThrottleRule[], now: number): Promise<ThrottleDecision> {
    return this.#db.transaction().execute(async (trx) => {
      const retryAfter = await blockedFor(trx, rules, now);
      if (retryAfter > 0) return { allowed: false, retryAfter };
      for (const rule of rules) await count(trx, rule, now);
      return { allowed: true };
    });
  }

  forgive(rules: readonly ThrottleRule[]): Promise<void> {
    return this.#db.transaction().execute(async (trx) => {
      for (const rule of rules) {
        const row = await trx.selectFrom('throttle').select('failures').where('key', '=', rule.key).executeTakeFirst();
        if (row === undefined) continue;
        const failures = Math.max(0, row.failures - 1);
        await trx
          .updateTable('throttle')
          .set(failures < rule.threshold ? { failures, blocked_until: null } : { failures })
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

/** Seconds until every key of `rules` is free again; 0 when none is blocked. */
async function blockedFor(db: Kysely<Database>, rules: readonly ThrottleRule[], now: number): Promise<number> {
  if (rules.length === 0) return 0;
  const rows = await db
    .selectFrom('throttle')
    .select('blocked_until')
    .where('key', 'in', rules.map((rule) => rule.key))
    .where('blocked_until', '>', now)
    .execute();
  return Math.max(0, ...rows.map((row) => (row.blocked_until ?? now) - now));
}

/** Counts one failure against the rule's key; from the threshold on, blocks for 2, 4, 8 ... s. */
async function count(db: Kysely<Database>, rule: ThrottleRule, now: number): Promise<void> {
  const { failures } = await db
    .insertInto('throttle')
    .values({ key: rule.key, failures: 1, blocked_until: null, last_attempt_at: now })
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
    .returning('failures')
    .executeTakeFirstOrThrow();
  if (failures < rule.threshold) return;
  const delay = Math.min(2 ** (failures - rule.threshold + 1), MAX_DELAY);
  await db.updateTable('throttle').set({ blocked_until: now + delay }).where('key', '=', rule.key).execute();
}
