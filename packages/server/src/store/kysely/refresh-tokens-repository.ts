// Refresh token rotation with reuse detection (RFC 9700 §4.14.2; RFC 6749 §6, §10.4).
// A family's current token lives in the family's row, found by its chain (migration 003,
// tokens/refresh-token-format.ts): the usual rotation is one conditional UPDATE of that row, on
// SQLite and PostgreSQL alike. Tokens from before chains are rows of refresh_tokens, rotated in a
// transaction as they always were; their successor starts the family's chain.
import { expressionBuilder, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { ChainPosition, FirstRefreshToken, RefreshToken, RefreshTokenRepository, RotateResult, TokenFamily, Written } from '../repositories.js';
import { batchOf, batchValues, byIndex, parameterValues, type ValueSource } from './batch-statement.js';
import { isDeadlock } from './errors.js';
import { inLockOrder } from './lock-order.js';
import { queryTemplate } from './query-template.js';
import { synchronousTransaction } from './synchronous-transaction.js';
import { committedOnDisk } from './wal-sync.js';
import { currentToken, familyRow, selectChain, selectFamily, selectToken, selectTokenAndFamily, toFamily, tokenRow } from './refresh-token-rows.js';
import { TOKEN_FAMILY_COLUMNS, type Database, type TokenFamiliesTable } from './schema.js';
import { TurnBatch } from './turn-batch.js';

type RotateInput = Parameters<RefreshTokenRepository['rotate']>[0];
type AdvanceValues = Parameters<typeof advance.execute>[1];
type AdvanceResult = Awaited<ReturnType<typeof advance.execute>>;
/** A rotation's UPDATE as written, and when it is on disk (already, except in a SQLite batch). */
type AdvanceWritten = Written<AdvanceResult>;

/** The one answer of a batch of one. */
function onlyOne(written: AdvanceWritten[]): AdvanceWritten {
  const [one] = written;
  if (one === undefined || written.length !== 1) throw new Error(`a batch of one rotation answered ${written.length}`);
  return one;
}

/** For what was written and waited for already. */
const DURABLE: Promise<void> = Promise.resolve();
const alreadyDurable = <T>(result: T): Written<T> => ({ result, durable: DURABLE });

export class KyselyRefreshTokenRepository implements RefreshTokenRepository {
  readonly #db: Kysely<Database>;
  /** Runs the usual rotation's UPDATE: alone, or with the others of its event-loop turn (one transaction, or one statement). */
  readonly #advance: (values: AdvanceValues) => Promise<AdvanceWritten>;

  /**
   * `batchRotations`: how the usual rotations asked for during one turn of the event loop are
   * written together. `transaction`: one UPDATE each, in one transaction, for a database with one
   * connection (SQLite), where a statement alone is a transaction of its own with the locking and
   * commit that costs. `statement`: one UPDATE for all of them, for a database a round trip away
   * (PostgreSQL), which then parses, plans, locks and commits once per batch instead of once per
   * rotation. Without it, each rotation is its own statement.
   */
  constructor(db: Kysely<Database>, options: { batchRotations?: 'transaction' | 'statement' } = {}) {
    this.#db = db;
    const alone = (values: AdvanceValues) => advance.execute(db, values).then(alreadyDurable);
    if (options.batchRotations === undefined) {
      this.#advance = alone;
    } else if (options.batchRotations === 'transaction') {
      // A rotation alone in its turn goes the same way, so it too answers at its commit.
      const turns = new TurnBatch((values: AdvanceValues) => advanceAll(db, [values]).then(onlyOne), (all) => advanceAll(db, all));
      this.#advance = (values) => turns.run(values);
    } else {
      const turns = new TurnBatch(alone, (all) => advanceInOne(db, all).then((results) => results.map(alreadyDurable)));
      this.#advance = (values) => turns.run(values);
    }
  }

  async createFamily(family: TokenFamily, token: FirstRefreshToken | RefreshToken | null): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const chained = token !== null && 'chain' in token;
      await trx.insertInto('token_families').values(familyRow(family, chained ? token : null)).execute();
      if (token !== null && !chained) await trx.insertInto('refresh_tokens').values(tokenRow(token)).execute();
      // RFC 6749 §4.1.2: a replay of the code that raced this redemption revokes what it issued.
      // Read with a no-op UPDATE, not a SELECT: it locks the code's row until this commits, so a
      // replay marking it meanwhile waits and then finds this family to revoke (revokeByCode);
      // a plain read at READ COMMITTED (PostgreSQL) would let both miss each other.
      if (family.codeHash !== null) {
        const code = await trx
          .updateTable('authorization_codes')
          .set((eb) => ({ reused_at: eb.ref('reused_at') }))
          .where('code_hash', '=', family.codeHash)
          .returning('reused_at')
          .executeTakeFirst();
        if (code?.reused_at !== null && code?.reused_at !== undefined) {
          await trx.updateTable('token_families').set({ revoked_at: code.reused_at }).where('id', '=', family.id).execute();
        }
      }
    });
  }

  async rotate(input: RotateInput): Promise<RotateResult> {
    const { result, durable } = await this.rotateWritten(input);
    await durable;
    return result;
  }

  async rotateWritten(input: RotateInput): Promise<Written<RotateResult>> {
    const { at } = input;
    if (at === undefined) return this.#decided(await this.#db.transaction().execute((trx) => rotateUnchainedIn(trx, input)));
    // The usual case, the current token with no scope asked for: one statement, atomic by itself,
    // that only the first of concurrent callers wins (issue 9: one row written, one round trip).
    // The rotations of one turn of the event loop go together (TurnBatch): on SQLite in one
    // transaction, on PostgreSQL as one statement.
    if (input.scopes === undefined || input.scopes === null) {
      const { result, durable } = await this.#advance(advanceValues(at, input));
      const rotated = rotatedRow(result);
      if (rotated !== undefined) return { result: rotated, durable };
      // This UPDATE changed nothing, so nothing of this call's waits on the batch's flush.
    }
    return this.#decided(await this.#db.transaction().execute((trx) => rotateChainIn(trx, at, input)));
  }

  /**
   * What a transaction of its own decided, which waited for its own flush. A repeat within the
   * grace window hands out the successor another request wrote, whose flush may still be under
   * way (that request has not answered yet): it waits until everything committed so far is on
   * disk, so no client holds a successor a crash could forget (D-4; group commit, wal-sync.ts).
   */
  #decided(result: RotateResult): Written<RotateResult> {
    if (result.outcome !== 'grace') return alreadyDurable(result);
    const durable = committedOnDisk(this.#db);
    // Handled here too: a caller that stops listening leaves no unhandled rejection.
    durable.catch(() => undefined);
    return { result, durable };
  }

  async find(tokenHash: string, at?: ChainPosition): Promise<RefreshToken | undefined> {
    if (at === undefined) return selectToken(this.#db, tokenHash);
    return (await this.findWithFamily(tokenHash, at))?.token;
  }

  async findWithFamily(tokenHash: string, at?: ChainPosition): Promise<{ token: RefreshToken; family: TokenFamily } | undefined> {
    if (at === undefined) return selectTokenAndFamily(this.#db, tokenHash);
    // The family's row holds its current token: one read answers for both.
    const row = await selectChain(this.#db, at.chain);
    const current = row && currentToken(row);
    if (row === undefined || current === undefined) return undefined;
    const token = isCurrent(row, at, tokenHash) ? current : { ...current, tokenHash, rotatedAt: current.issuedAt };
    return { token, family: toFamily(row) };
  }

  findFamily(familyId: string): Promise<TokenFamily | undefined> {
    return selectFamily(this.#db, familyId);
  }

  async revokeFamily(familyId: string, now: number): Promise<void> {
    await revokeFamilyIn(this.#db, familyId, now);
  }

  /** RFC 6749 §4.1.2: tokens issued from a code that is used twice SHOULD be revoked. */
  async revokeByCode(codeHash: string, now: number): Promise<void> {
    await this.#db
      .updateTable('token_families')
      .set({ revoked_at: now })
      .where('code_hash', '=', codeHash)
      .where('revoked_at', 'is', null)
      .execute();
  }
}

/** Only the first of concurrent rotations finds rotated_at empty. */
const markRotated = queryTemplate((db, param: (name: 'now' | 'tokenHash') => never) =>
  db.updateTable('refresh_tokens').set({ rotated_at: param('now') }).where('token_hash', '=', param('tokenHash')).where('rotated_at', 'is', null),
);

const UNKNOWN: RotateResult = Object.freeze({ outcome: 'invalid', reason: 'unknown' });

/** Why the rotation of a known token is refused before anything is written, or undefined when it may go ahead. */
function refusal({ token, family }: { token: RefreshToken; family: TokenFamily }, input: RotateInput): RotateResult | undefined {
  if (family.revokedAt !== null) return { outcome: 'invalid', reason: 'revoked' };
  // RFC 6749 §6: the token is bound to the client it was issued to. Another client's attempt
  // proves nothing about reuse, so it neither rotates nor revokes.
  if (token.clientId !== input.clientId) return { outcome: 'invalid', reason: 'wrong_client' };
  if (token.expiresAt <= input.now) return { outcome: 'invalid', reason: 'expired' };
  // RFC 6749 §6: the scope may narrow, never widen. A refused request rotates nothing.
  const widened = widenedScopes(token.scopes, input.scopes);
  if (widened.length > 0) return { outcome: 'widened', scopes: widened };
  return undefined;
}

/** The token that replaces `found.token`: same family, client, user and scopes. */
function nextToken({ token, family }: { token: RefreshToken; family: TokenFamily }, input: RotateInput): RefreshToken {
  const { now, successor, familyLifetime } = input;
  return {
    ...token,
    tokenHash: successor.tokenHash,
    issuedAt: now,
    // D-7: an idle limit per token, within the family's absolute limit.
    expiresAt: familyLifetime === undefined ? successor.expiresAt : Math.min(successor.expiresAt, family.createdAt + familyLifetime),
    rotatedAt: null,
  };
}

/** Whether `tokenHash` at `at` is the family's current token. */
function isCurrent(row: TokenFamiliesTable, at: ChainPosition, tokenHash: string): boolean {
  return row.refresh_generation === at.generation && row.refresh_hash === tokenHash;
}

/** Any lifetime at all: the family limit when none is set (no overflow in a bigint or a double). */
const NO_FAMILY_LIMIT = 2 ** 52;

/** `advance`'s values and their SQL types (the types for a batch of rotations in one statement). */
const ADVANCE_COLUMNS = {
  chain: 'text',
  generation: 'integer',
  tokenHash: 'text',
  clientId: 'text',
  now: 'bigint',
  next: 'integer',
  successorHash: 'text',
  expiresAt: 'bigint',
  lifetime: 'bigint',
} as const;

type AdvanceName = keyof typeof ADVANCE_COLUMNS;

const families = expressionBuilder<Database, 'token_families'>();

/** The rotation's condition: `tokenHash` is still the chain's current, live, unrevoked token held by this client. */
function stillCurrent(v: ValueSource<AdvanceName>): Expression<SqlBool> {
  return families.and([
    families('refresh_chain', '=', v('chain')),
    families('refresh_generation', '=', v('generation')),
    families('refresh_hash', '=', v('tokenHash')),
    families('revoked_at', 'is', null),
    families('client_id', '=', v('clientId')),
    families('refresh_expires_at', '>', v('now')),
  ]);
}

/** The row's new current token: the successor. */
function successorColumns(v: ValueSource<AdvanceName>) {
  return {
    refresh_generation: v('next'),
    refresh_hash: v('successorHash'),
    refresh_issued_at: v('now'),
    // D-7: an idle limit per token, within the family's absolute limit.
    refresh_expires_at: families
      .case()
      .when(families(families('created_at', '+', v('lifetime')), '<', v('expiresAt')))
      .then(families('created_at', '+', v('lifetime')))
      .else(v('expiresAt'))
      .end(),
  };
}

/**
 * Makes the successor the chain's current token if `tokenHash` is still its current, live,
 * unrevoked token held by this client; the row as it is now, or nothing when it was not.
 */
const advance = queryTemplate((db, param: (name: AdvanceName) => never) => {
  const v = parameterValues(param);
  return db.updateTable('token_families').set(successorColumns(v)).where(stillCurrent(v)).returning(TOKEN_FAMILY_COLUMNS);
});

function advanceValues(at: ChainPosition, input: RotateInput): AdvanceValues {
  return {
    chain: at.chain,
    generation: at.generation,
    tokenHash: input.tokenHash,
    clientId: input.clientId,
    now: input.now,
    next: at.generation + 1,
    successorHash: input.successor.tokenHash,
    expiresAt: input.successor.expiresAt,
    lifetime: input.familyLifetime ?? NO_FAMILY_LIMIT,
  };
}

/**
 * Several rotations in one transaction, one after another: each is still its own conditional
 * UPDATE, so two of the same token in one batch rotate it once, as they would one by one (the
 * second then takes the slower path below and is answered as a retry within the grace window).
 * If the transaction fails, every rotation in it fails with that error and none is written; if
 * its flush to disk fails after the commit, every rotation's `durable` rejects.
 */
function advanceAll(db: Kysely<Database>, all: AdvanceValues[]): Promise<AdvanceWritten[]> {
  // On SQLite's connection the UPDATEs run synchronously, with no promise per rotation, and the
  // batch answers at its commit, each rotation with the flush it waits for (issue 9).
  const together = synchronousTransaction(db, (run) =>
    all.map((values): AdvanceResult => {
      const { sql, parameters } = advance.bind(db, values);
      // The rows are the UPDATE's RETURNING, shaped as the template's output type says.
      return { rows: run(sql, parameters) as AdvanceResult['rows'] };
    }),
  );
  if (together !== undefined) return together.then(({ result, durable }) => result.map((one) => ({ result: one, durable })));
  return db
    .transaction()
    .execute(async (trx) => {
      const results: AdvanceResult[] = [];
      for (const values of all) results.push(await advance.execute(trx, values));
      return results;
    })
    .then((results) => results.map(alreadyDurable));
}

/**
 * `advance` for a whole batch in one statement (PostgreSQL; batch-statement.ts). A family named
 * twice in a batch (the same token presented twice at once) is updated once, from either of its
 * rows (PostgreSQL picks one; both carry the same successor), and only that row's place is
 * returned: the other is answered as a retry, as it would be one by one.
 */
const advanceMany = queryTemplate((db, param: (name: AdvanceName | 'index') => never) => {
  const batch = batchOf(param, ADVANCE_COLUMNS);
  return db
    .updateTable('token_families')
    .from(batch.rows)
    .set(successorColumns(batch.values))
    .where(stillCurrent(batch.values))
    .returning([...TOKEN_FAMILY_COLUMNS, 'b.b_index']);
});

const NOT_ADVANCED: AdvanceResult = Object.freeze({ rows: [] });

/**
 * The rotations of a batch in one statement. They go in sorted by chain, the order in which the
 * plan (a nested loop over them, using the chain's index) locks their families, so two processes'
 * batches do not wait for each other in a cycle. If one still deadlocks (with another writer's
 * transaction), PostgreSQL ends it, nothing of it was written, and each rotation is tried again
 * alone.
 */
async function advanceInOne(db: Kysely<Database>, all: AdvanceValues[]): Promise<AdvanceResult[]> {
  const order = inLockOrder(
    all.map((_, index) => index),
    (index) => String(all[index]?.chain),
  );
  let rows;
  try {
    ({ rows } = await advanceMany.execute(db, batchValues(all, ADVANCE_COLUMNS, order)));
  } catch (error) {
    if (!isDeadlock(error)) throw error;
    return Promise.all(all.map((values) => advance.execute(db, values)));
  }
  return byIndex(all.length, rows, ({ b_index: _, ...row }) => ({ rows: [row] }), NOT_ADVANCED);
}

/** The rotation `advance` made, or undefined when it matched no row. */
function rotatedRow({ rows }: AdvanceResult): RotateResult | undefined {
  const row = rows[0];
  const token = row && currentToken(row);
  return row && token && { outcome: 'rotated', token, family: toFamily(row) };
}

async function advanceIfCurrent(db: Kysely<Database>, at: ChainPosition, input: RotateInput): Promise<RotateResult | undefined> {
  return rotatedRow(await advance.execute(db, advanceValues(at, input)));
}

/**
 * A token on a chain that the single UPDATE did not rotate (or a request that asks for scopes):
 * the reason, in the order the checks are made for tokens from before chains.
 */
async function rotateChainIn(trx: Kysely<Database>, at: ChainPosition, input: RotateInput): Promise<RotateResult> {
  const { tokenHash, clientId, now, graceSeconds, successor } = input;
  // Twice at most: a concurrent rotation between this read and the UPDATE changes the answer.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const row = await selectChain(trx, at.chain);
    const current = row && currentToken(row);
    if (row === undefined || current === undefined) return UNKNOWN;
    const family = toFamily(row);
    if (family.revokedAt !== null) return { outcome: 'invalid', reason: 'revoked' };
    // RFC 6749 §6: bound to its client. Another client's attempt proves nothing about reuse.
    if (row.client_id !== clientId) return { outcome: 'invalid', reason: 'wrong_client' };
    const presentedIsCurrent = isCurrent(row, at, tokenHash);
    if (presentedIsCurrent && current.expiresAt <= now) return { outcome: 'invalid', reason: 'expired' };
    const widened = widenedScopes(current.scopes, input.scopes);
    if (widened.length > 0) return { outcome: 'widened', scopes: widened };
    if (presentedIsCurrent) {
      const rotated = await advanceIfCurrent(trx, at, input);
      if (rotated !== undefined) return rotated;
      continue;
    }
    // The token just before the current one, recognised by deriving its successor: a retry
    // racing the first answer (D-4) gets the same successor again within the window.
    if (row.refresh_generation === at.generation + 1 && row.refresh_hash === successor.tokenHash && withinGrace(now - current.issuedAt, graceSeconds)) {
      return { outcome: 'grace', token: current, family };
    }
    // RFC 9700 §4.14.2: an older token of the chain, or a forged one naming it, means the chain
    // leaked; end the whole family.
    await revokeFamilyIn(trx, family.id, now);
    return { outcome: 'reused', familyId: family.id };
  }
  return UNKNOWN;
}

/** RFC 6749 §6: the scope may narrow, never widen. The scopes asked for that the token lacks. */
function widenedScopes(held: readonly string[], asked: readonly string[] | null | undefined): string[] {
  return asked === undefined || asked === null ? [] : asked.filter((s) => !held.includes(s));
}

/**
 * A window of 0 turns the grace off; times are whole seconds, so 2 means 2 to 3 s. A negative
 * age (the clock stepped back since, REL-07) is outside the window: it fails closed, as reuse.
 */
function withinGrace(age: number, graceSeconds: number): boolean {
  return graceSeconds > 0 && age >= 0 && age <= graceSeconds;
}

/** Starts a family's chain with the successor of its last token from before chains. */
const startChain = queryTemplate((db, param: (name: 'familyId' | 'chain' | 'successorHash' | 'now' | 'expiresAt') => never) =>
  db
    .updateTable('token_families')
    .set({
      refresh_chain: param('chain'),
      refresh_generation: 1,
      refresh_hash: param('successorHash'),
      refresh_issued_at: param('now'),
      refresh_expires_at: param('expiresAt'),
    })
    .where('id', '=', param('familyId'))
    .where('refresh_chain', 'is', null),
);

/**
 * A token from before chains (refresh_tokens): the checks, in order, then one conditional UPDATE
 * that lets exactly one caller rotate; the winner starts the family's chain with the successor.
 */
async function rotateUnchainedIn(trx: Kysely<Database>, input: RotateInput): Promise<RotateResult> {
  const { tokenHash, now, graceSeconds, successor } = input;
  const found = await selectTokenAndFamily(trx, tokenHash);
  if (found === undefined) return UNKNOWN;
  const refused = refusal(found, input);
  if (refused !== undefined) return refused;
  const { family } = found;

  const marked = await markRotated.execute(trx, { now, tokenHash });
  if (marked.numAffectedRows === 1n) {
    const next = nextToken(found, input);
    const started = await startChain.execute(trx, { familyId: family.id, chain: successor.chain, successorHash: next.tokenHash, now, expiresAt: next.expiresAt });
    if (started.numAffectedRows === 1n) return { outcome: 'rotated', token: next, family };
    // The family is on a chain already, so this row was not its current token: fail closed.
    await revokeFamilyIn(trx, family.id, now);
    return { outcome: 'reused', familyId: family.id };
  }

  // Already rotated. Read rotated_at again: under READ COMMITTED (PostgreSQL) the row read above
  // may predate the rotation that made the UPDATE miss.
  const rotatedAt = (await selectToken(trx, tokenHash))?.rotatedAt ?? now;
  if (withinGrace(now - rotatedAt, graceSeconds)) {
    // A retry racing the first answer (lost response, double submit): same successor again.
    const row = await selectChain(trx, successor.chain);
    const current = row && currentToken(row);
    if (current !== undefined && current.familyId === family.id && current.tokenHash === successor.tokenHash) return { outcome: 'grace', token: current, family };
  }
  // RFC 9700 §4.14.2: an old token presented again means it leaked; end the whole family.
  await revokeFamilyIn(trx, family.id, now);
  return { outcome: 'reused', familyId: family.id };
}

async function revokeFamilyIn(db: Kysely<Database>, familyId: string, now: number): Promise<void> {
  await db
    .updateTable('token_families')
    .set({ revoked_at: now })
    .where('id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}
