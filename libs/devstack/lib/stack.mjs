// @ts-check
import { ensureNats } from './nats.mjs';
import { installAndBuild, ensurePnpm } from './pnpm.mjs';
import { ensurePostgres } from './postgres.mjs';
import { stackUrls } from './services.mjs';
import { ensureSystemPackages } from './system.mjs';

/**
 * NATS and PostgreSQL answering at NATS_URL and DATABASE_URL.
 * @param {Record<string, string | undefined>} env
 */
export async function ensureServices(env = process.env) {
  const { natsUrl, databaseUrl } = stackUrls(env);
  await ensureNats(natsUrl);
  await ensurePostgres(databaseUrl);
}

/**
 * Everything the tests and `npm start` need: the system packages, pnpm, an
 * installed and built workspace, NATS, PostgreSQL.
 * @param {Record<string, string | undefined>} env
 */
export async function prepare(env = process.env) {
  await ensureSystemPackages();
  await ensurePnpm();
  await installAndBuild();
  await ensureServices(env);
}
