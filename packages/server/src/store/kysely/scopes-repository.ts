import type { Kysely } from 'kysely';
import type { Scope, ScopeRepository } from '../repositories.js';
import { isStorableText } from './columns.js';
import { insertUnique } from './errors.js';
import type { Database, ScopesTable } from './schema.js';

export class KyselyScopeRepository implements ScopeRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(scope: Scope): Promise<void> {
    const row: ScopesTable = { name: scope.name, description: scope.description, resource: scope.resource };
    await insertUnique(
      () => this.#db.insertInto('scopes').values(row).execute(),
      `the scope ${JSON.stringify(scope.name)} already exists`,
    );
  }

  /** Sorted by name, so listings are stable. */
  async list(): Promise<Scope[]> {
    return this.#db.selectFrom('scopes').select(['name', 'description', 'resource']).orderBy('name').execute();
  }

  async findMany(names: readonly string[]): Promise<Scope[]> {
    const storable = names.filter(isStorableText);
    // `IN ()` is a syntax error in SQL, so an empty request is answered here.
    if (storable.length === 0) return [];
    return this.#db.selectFrom('scopes').select(['name', 'description', 'resource']).where('name', 'in', storable).execute();
  }
}
