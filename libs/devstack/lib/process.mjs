// @ts-check
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives in libs/devstack/lib. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the stack keeps what it starts itself (gitignored). */
export const heraldDir = join(repoRoot, '.herald');

/** A failure the user can act on: printed as one line, exit 1. */
export class SetupError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'SetupError';
  }
}

/** @param {string} message */
export function say(message) {
  console.log(`[devstack] ${message}`);
}

/**
 * Runs a command with inherited stdio; rejects with SetupError unless it exits 0.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 * @returns {Promise<void>}
 */
export function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.once('error', (err) => reject(new SetupError(`cannot run ${command}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new SetupError(`${[command, ...args].join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/**
 * Runs a command to read its output; null when it cannot run or fails.
 * @param {string} command
 * @param {string[]} args
 * @returns {string | null}
 */
export function capture(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return result.status === 0 ? result.stdout : null;
}

/** @param {string} path */
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first executable named `name` on PATH, else the first of `fallbacks` that exists.
 * @param {string} name
 * @param {string[]} fallbacks
 * @returns {string | null}
 */
export function findExecutable(name, fallbacks = []) {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return [...onPath.map((dir) => join(dir, name)), ...fallbacks].find(isExecutable) ?? null;
}

/** /usr/lib/postgresql/<version>/bin folders, newest version first (Debian keeps them off PATH). */
export function postgresBinDirs() {
  let versions;
  try {
    versions = readdirSync('/usr/lib/postgresql');
  } catch {
    return [];
  }
  return versions
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => `/usr/lib/postgresql/${v}/bin`);
}

/**
 * Entry points share one ending: a SetupError is one line and exit 1, anything else a stack trace.
 * @param {unknown} err
 * @returns {never}
 */
export function exitOnError(err) {
  if (err instanceof SetupError) console.error(`[devstack] ${err.message}`);
  else console.error(err);
  process.exit(1);
}
