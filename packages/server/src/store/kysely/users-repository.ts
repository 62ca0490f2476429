import type { Kysely } from 'kysely';
import type { User, UserRepository } from '../repositories.js';
import { isStorableText } from './columns.js';
import { insertUnique } from './errors.js';
import type { Database, UsersTable } from './schema.js';

export class KyselyUserRepository implements UserRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(user: User): Promise<void> {
    await insertUnique(
      () => this.#db.insertInto('users').values(toRow(user)).execute(),
      `the username ${JSON.stringify(user.username)} is already taken`,
    );
  }

  async findByUsernameKey(usernameKey: string): Promise<User | undefined> {
    if (!isStorableText(usernameKey)) return undefined;
    const row = await this.#db.selectFrom('users').selectAll().where('username_key', '=', usernameKey).executeTakeFirst();
    return row && toUser(row);
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }
}

function toRow(user: User): UsersTable {
  return {
    id: user.id,
    username: user.username,
    username_key: user.usernameKey,
    name: user.name,
    email: user.email,
    password_hash: user.passwordHash,
    created_at: user.createdAt,
  };
}

function toUser(row: UsersTable): User {
  return {
    id: row.id,
    username: row.username,
    usernameKey: row.username_key,
    name: row.name,
    email: row.email,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}
