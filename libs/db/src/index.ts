export { createPool, migrate, inTransaction } from './db.js';
export type { Pool, PoolClient, PoolOptions, MigrateOptions } from './db.js';
