import { ensureNats } from './nats.mjs';
import { installAndBuild, ensurePnpm } from './pnpm.mjs';
import { ensurePostgres } from './postgres.mjs';
import { stackUrls } from './services.mjs';

/** NATS and PostgreSQL answering at NATS_URL and DATABASE_URL. */
export async function ensureServices(env = process.env) {
  const { natsUrl, databaseUrl } = stackUrls(env);
  await ensureNats(natsUrl);
  await ensurePostgres(databaseUrl);
}

/** Everything the tests and `npm start` need: pnpm, an installed and built workspace, NATS, PostgreSQL. */
export async function prepare(env = process.env) {
  await ensurePnpm();
  await installAndBuild();
  await ensureServices(env);
}
