// @ts-check
import { appendFileSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { endpointOf, isListening, isLocalHost, waitForPort } from './net.mjs';
import { capture, findExecutable, heraldDir, postgresBinDirs, run, say, SetupError } from './process.mjs';

export const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Makes sure PostgreSQL answers at `url`: a Debian cluster on that port is
 * started with pg_ctlcluster; failing that, a cluster of our own is made under
 * `dir`/pg. A server that already answers is left alone. Resolves to the data
 * folder of the cluster it started, or null when one was up.
 */
export async function ensurePostgres(url = defaultDatabaseUrl, { dir = heraldDir, timeoutMs = 20_000 } = {}) {
  const endpoint = endpointOf(url, 5432);
  const where = `${endpoint.host}:${endpoint.port}`;
  if (await isListening(endpoint)) return null;
  if (!isLocalHost(endpoint.host)) throw new SetupError(`PostgreSQL at ${where} is not reachable (DATABASE_URL)`);

  const cluster = debianClusterOn(endpoint.port);
  let dataDir;
  if (cluster) {
    say(`starting PostgreSQL cluster ${cluster.version}/${cluster.name} (port ${cluster.port})`);
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'start']);
    dataDir = cluster.dataDir;
  } else {
    dataDir = await startOwnCluster(endpoint, join(dir, 'pg'));
  }
  if (!(await waitForPort(endpoint, { timeoutMs }))) {
    throw new SetupError(`PostgreSQL did not come up on ${where} within ${timeoutMs / 1000} s`);
  }
  return dataDir;
}

/**
 * The Debian cluster (pg_lsclusters) configured for `port`, if any.
 * @param {number} port
 */
function debianClusterOn(port) {
  const listing = findExecutable('pg_lsclusters') && capture('pg_lsclusters', ['--no-header']);
  if (!listing) return null;
  for (const line of listing.split('\n')) {
    const [version, name, clusterPort, , , dataDir] = line.trim().split(/\s+/);
    if (name && Number(clusterPort) === port) return { version, name, port, dataDir };
  }
  return null;
}

/**
 * @param {import('./net.mjs').Endpoint} endpoint
 * @param {string} pgDir
 */
async function startOwnCluster(endpoint, pgDir) {
  const initdb = postgresTool('initdb');
  const pgCtl = postgresTool('pg_ctl');
  if (!initdb || !pgCtl) {
    throw new SetupError(
      `PostgreSQL is not running at ${endpoint.host}:${endpoint.port} and is not installed: apt-get install postgresql`,
    );
  }

  const dataDir = join(pgDir, 'data');
  const logFile = join(pgDir, 'postgres.log');
  // PostgreSQL refuses to run as root: as root, run it as the postgres user, owner of its folder.
  const asPostgres = process.getuid?.() === 0 ? postgresUser() : null;
  /** @type {(bin: string, args: string[]) => [string, string[]]} */
  const as = (bin, args) => (asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]);
  mkdirSync(pgDir, { recursive: true });
  if (asPostgres) {
    chownSync(pgDir, asPostgres.uid, asPostgres.gid);
    if (capture('runuser', ['-u', 'postgres', '--', 'test', '-w', pgDir]) === null) {
      throw new SetupError(`the postgres user cannot reach ${pgDir} (a parent folder is closed to it, like /root)`);
    }
  }

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    say(`creating a PostgreSQL cluster in ${dataDir}`);
    await run(...as(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-instructions']));
    // Its own socket folder: Debian's /var/run/postgresql may be missing or not ours.
    appendFileSync(join(dataDir, 'postgresql.conf'), `\nunix_socket_directories = '${pgDir.replaceAll("'", "''")}'\n`);
  }
  say(`starting PostgreSQL from ${dataDir} on ${endpoint.host}:${endpoint.port} (log ${logFile})`);
  const serverOptions = `-p ${endpoint.port} -h ${endpoint.host}`;
  await run(...as(pgCtl, ['start', '-w', '-t', '30', '-D', dataDir, '-l', logFile, '-o', serverOptions]));
  return dataDir;
}

/**
 * A PostgreSQL program: on PATH, or where Debian keeps it (off PATH).
 * @param {string} name
 */
export function postgresTool(name) {
  const debianPlaces = postgresBinDirs().map((dir) => join(dir, name));
  return findExecutable(name, debianPlaces);
}

function postgresUser() {
  const uid = capture('id', ['-u', 'postgres']);
  const gid = capture('id', ['-g', 'postgres']);
  if (!uid || !gid) {
    throw new SetupError('running as root needs a "postgres" user to own the cluster: useradd postgres');
  }
  return { uid: Number(uid), gid: Number(gid) };
}
