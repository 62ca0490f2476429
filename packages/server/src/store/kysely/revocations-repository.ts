// The access-token revocation list (RFC 7009 §2; RFC 7662 §2.2: a revoked token is inactive).
import { expressionBuilder, type Kysely, type QueryCreator } from 'kysely';
import type { RevocationRepository } from '../repositories.js';
import { batchOf, batchValues, byIndex, parameterValues, type ValueSource } from './batch-statement.js';
import { queryTemplate } from './query-template.js';
import type { Database } from './schema.js';
import { TurnBatch } from './turn-batch.js';

const tables = expressionBuilder<Database>();

/** The token's entry on the revocation list, if it is there and has not expired. */
function listedEntry(db: Pick<QueryCreator<Database>, 'selectFrom'>, v: ValueSource<'jti' | 'now'>) {
  return db.selectFrom('access_token_revocations').select('jti').where('jti', '=', v('jti')).where('expires_at', '>', v('now'));
}

/** Whether the token is on the revocation list, as a column. */
function listed(v: ValueSource<'jti' | 'now'>) {
  return tables.exists(listedEntry(tables, v));
}

/** The grant the token came from is still there and not revoked. */
function grantLive(v: ValueSource<'grantId'>) {
  return tables.exists(tables.selectFrom('token_families').select('id').where('id', '=', v('grantId')).where('revoked_at', 'is', null));
}

// Rows, not `select exists(…)`: a token that is not listed, nearly every one, then costs SQLite no
// row to build (issue 9: introspection 7% slower with `exists`, four alternating pairs).
const revokedJti = queryTemplate((db, param: (name: 'jti' | 'now') => never) => listedEntry(db, parameterValues(param)));

/** Both checks of a user's access token in one statement: listed, and whether its grant is still live. */
const listedOrGrantGone = queryTemplate((db, param: (name: 'jti' | 'now' | 'grantId') => never) => {
  const v = parameterValues(param);
  return db.selectNoFrom([listed(v).as('listed'), grantLive(v).as('grant_live')]);
});

/** The checks above for a whole batch, one row per check (PostgreSQL; batch-statement.ts). */
const LISTED_COLUMNS = { jti: 'text', now: 'bigint' } as const;
const listedMany = queryTemplate((db, param: (name: keyof typeof LISTED_COLUMNS | 'index') => never) => {
  const batch = batchOf(param, LISTED_COLUMNS);
  return db.selectFrom(batch.rows).select(['b.b_index', listed(batch.values).as('listed')]);
});

const LISTED_OR_GRANT_COLUMNS = { jti: 'text', now: 'bigint', grantId: 'text' } as const;
const listedOrGrantGoneMany = queryTemplate((db, param: (name: keyof typeof LISTED_OR_GRANT_COLUMNS | 'index') => never) => {
  const batch = batchOf(param, LISTED_OR_GRANT_COLUMNS);
  return db.selectFrom(batch.rows).select(['b.b_index', listed(batch.values).as('listed'), grantLive(batch.values).as('grant_live')]);
});

type Check = { jti: string; now: number };
type GrantCheck = Check & { grantId: string };

export class KyselyRevocationRepository implements RevocationRepository {
  readonly #db: Kysely<Database>;
  readonly #listed: (check: Check) => Promise<boolean>;
  readonly #listedOrGrantGone: (check: GrantCheck) => Promise<boolean>;

  /**
   * `batchReads`: for a database a round trip away (PostgreSQL), the checks asked for during one
   * turn of the event loop are one statement (SQLite batches its reads itself, read-batch.ts). The
   * statement runs after every check of the batch was asked, so none misses a revocation committed
   * before it (SEC-44).
   */
  constructor(db: Kysely<Database>, options: { batchReads?: boolean } = {}) {
    this.#db = db;
    const one = async (check: Check) => (await revokedJti.execute(db, check)).rows.length > 0;
    const oneWithGrant = async (check: GrantCheck) => {
      const [row] = (await listedOrGrantGone.execute(db, check)).rows;
      return row === undefined || isListedOrGrantGone(row);
    };
    if (options.batchReads === true) {
      // unnest gives one row per check; a check without one would count as revoked (fail closed).
      const checks = new TurnBatch(one, async (all: Check[]) => {
        const { rows } = await listedMany.execute(db, batchValues(all, LISTED_COLUMNS));
        return byIndex(all.length, rows, (row) => Boolean(row.listed), true);
      });
      const grantChecks = new TurnBatch(oneWithGrant, async (all: GrantCheck[]) => {
        const { rows } = await listedOrGrantGoneMany.execute(db, batchValues(all, LISTED_OR_GRANT_COLUMNS));
        return byIndex(all.length, rows, isListedOrGrantGone, true);
      });
      this.#listed = (check) => checks.run(check);
      this.#listedOrGrantGone = (check) => grantChecks.run(check);
    } else {
      this.#listed = one;
      this.#listedOrGrantGone = oneWithGrant;
    }
  }

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    await this.#db
      .insertInto('access_token_revocations')
      .values({ jti, expires_at: expiresAt })
      .onConflict((conflict) => conflict.column('jti').doNothing())
      .execute();
  }

  // Asked on every introspection of an access token (issue 9: hot path, built once).
  isAccessTokenRevoked(jti: string, now: number): Promise<boolean> {
    return this.#listed({ jti, now });
  }

  // Asked on every introspection and userinfo call with a user's access token (issue 9).
  isAccessTokenOrGrantRevoked(jti: string, grantId: string, now: number): Promise<boolean> {
    return this.#listedOrGrantGone({ jti, now, grantId });
  }
}

/** SQLite answers 0 or 1, PostgreSQL false or true. */
function isListedOrGrantGone(row: { listed: unknown; grant_live: unknown }): boolean {
  return Boolean(row.listed) || !row.grant_live;
}
