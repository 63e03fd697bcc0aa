// @ts-check
import { readFileSync } from 'node:fs';
import { postgresTool } from './postgres.mjs';
import { capture, findExecutable, run, say, SetupError } from './process.mjs';

/**
 * The Debian/Ubuntu packages the stack and its tests run, each with how to
 * tell it is already there (Debian keeps some programs off PATH).
 * @type {readonly { name: string, present: () => string | null }[]}
 */
export const systemPackages = [
  {
    name: 'nats-server',
    present: () => findExecutable('nats-server', ['/usr/sbin/nats-server', '/usr/bin/nats-server']),
  },
  { name: 'postgresql', present: () => postgresTool('pg_ctl') },
  // For the browser specs. Ubuntu ships it as a snap, behind a package of another name.
  {
    name: isUbuntu() ? 'chromium-browser' : 'chromium',
    present: () => findExecutable('chromium') ?? findExecutable('chromium-browser'),
  },
];

function isUbuntu() {
  try {
    return /^ID=ubuntu$/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

/**
 * @typedef {object} SystemOptions
 * @property {readonly { name: string, present: () => string | null }[]} [packages]
 * @property {boolean} [isRoot]
 * @property {() => boolean} [canSudo] whether `sudo` runs without asking for a password
 * @property {(command: string, args: string[]) => Promise<void>} [runCommand]
 */

/**
 * Installs the missing `systemPackages` with apt-get: directly as root, with
 * `sudo -n` when that needs no password. Otherwise throws a SetupError naming
 * the one command to run. Without apt-get (not Debian or Ubuntu) it only says
 * what is missing: the stack may still reach servers that run elsewhere.
 * @param {SystemOptions} [options]
 */
export async function ensureSystemPackages({
  packages = systemPackages,
  isRoot = process.getuid?.() === 0,
  canSudo = () => findExecutable('sudo') !== null && capture('sudo', ['-n', 'true']) !== null,
  runCommand = run,
} = {}) {
  const missing = packages.filter((p) => !p.present()).map((p) => p.name);
  if (missing.length === 0) return;
  const names = missing.join(' ');
  if (!findExecutable('apt-get')) {
    say(`missing ${names}: this system has no apt-get, install them with its own package manager`);
    return;
  }
  if (!isRoot && !canSudo()) {
    throw new SetupError(
      `missing ${names}; install them once with: sudo sh -c 'apt-get update && apt-get install -y ${names}'`,
    );
  }
  say(`installing ${names} with apt-get`);
  const asRoot = isRoot ? [] : ['sudo', '-n'];
  // Waits for another apt run to finish rather than failing on its lock.
  const apt = [...asRoot, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-q', '-o', 'DPkg::Lock::Timeout=600'];
  const [command, ...args] = apt;
  await runCommand(command, [...args, 'update']);
  await runCommand(command, [...args, 'install', '-y', '--no-install-recommends', ...missing]);
}
