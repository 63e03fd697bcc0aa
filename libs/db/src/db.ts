import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import type { Logger } from '@herald/telemetry';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  url: string;
  /** The service's own schema: every unqualified name resolves there. */
  schema: string;
  applicationName: string;
  max?: number;
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** A pool whose connections all work in the service's schema. */
export function createPool(options: PoolOptions): Pool {
  if (!identifier.test(options.schema))
    throw new TypeError(`schema ${JSON.stringify(options.schema)} is not a plain identifier`);
  return new pg.Pool({
    connectionString: options.url,
    application_name: options.applicationName,
    max: options.max ?? 10,
    options: `-c search_path=${options.schema}`,
  });
}

export interface MigrateOptions {
  url: string;
  schema: string;
  /**
   * Folders of versioned .sql migrations, applied in the order of their file
   * names across all folders: the service's own, and those of the libs it
   * keeps tables for (e.g. @herald/channel's ledger of sent deliveries).
   */
  dir: URL | readonly URL[];
  logger: Logger;
}

/** An advisory-lock key of the schema's own, so that only replicas of one service wait for each other. */
function lockValueOf(schema: string): number {
  return createHash('sha256').update(`herald-migrate:${schema}`).digest().readUIntBE(0, 6);
}

/**
 * Brings the service's schema up to date. Replicas starting together wait for
 * each other on an advisory lock of the schema's; each file runs once.
 */
export async function migrate(options: MigrateOptions): Promise<void> {
  const client = new pg.Client({ connectionString: options.url, application_name: `${options.schema}-migrate` });
  await client.connect();
  try {
    const applied = await runner({
      dbClient: client,
      dir: (options.dir instanceof URL ? [options.dir] : options.dir).map((d) => `${fileURLToPath(d)}*.sql`),
      useGlob: true,
      direction: 'up',
      schema: options.schema,
      createSchema: true,
      migrationsTable: 'schema_migrations',
      count: Infinity,
      checkOrder: true,
      advisoryLockMode: 'wait',
      lockValue: lockValueOf(options.schema),
      logger: {
        debug: () => undefined,
        info: (msg: string) => options.logger.debug(msg),
        warn: (msg: string) => options.logger.warn(msg),
        error: (msg: string) => options.logger.error(msg),
      },
    });
    if (applied.length > 0)
      options.logger.info({ schema: options.schema, applied: applied.map((m) => m.name) }, 'migrated');
  } finally {
    await client.end();
  }
}

/** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
