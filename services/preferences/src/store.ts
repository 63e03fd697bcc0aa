import { inTransaction, type Pool } from '@herald/db';
import { DirectoryRepository } from './directory-repository.js';
import type { Queryable } from './queryable.js';
import { SettingsRepository } from './settings-repository.js';

export interface Repositories {
  readonly directory: DirectoryRepository;
  readonly settings: SettingsRepository;
}

/** The repositories on the pool, and the same repositories inside one transaction. */
export interface Store extends Repositories {
  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
}

function repositories(db: Queryable): Repositories {
  return { directory: new DirectoryRepository(db), settings: new SettingsRepository(db) };
}

export function createStore(pool: Pool): Store {
  return {
    ...repositories(pool),
    transaction: (fn) => inTransaction(pool, (client) => fn(repositories(client))),
  };
}
