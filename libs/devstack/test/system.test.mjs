// @ts-check
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findExecutable } from '../lib/process.mjs';
import { ensureSystemPackages } from '../lib/system.mjs';

const installed = { name: 'coreutils', present: () => '/usr/bin/env' };
const missing = { name: 'herald-missing', present: () => null };

/** Records the commands ensureSystemPackages would run, instead of running them. */
function recorder() {
  /** @type {string[]} */
  const commands = [];
  /** @type {(command: string, args: string[]) => Promise<void>} */
  const runCommand = async (command, args) => {
    commands.push([command, ...args].join(' '));
  };
  return { commands, runCommand };
}

describe('ensureSystemPackages', { skip: !findExecutable('apt-get') && 'not a Debian or Ubuntu system' }, () => {
  it('does nothing when every package is there', async () => {
    const { commands, runCommand } = recorder();
    await ensureSystemPackages({ packages: [installed], isRoot: false, canSudo: () => false, runCommand });
    assert.deepEqual(commands, []);
  });

  it('installs only what is missing, as root', async () => {
    const { commands, runCommand } = recorder();
    await ensureSystemPackages({ packages: [installed, missing], isRoot: true, runCommand });
    const apt = 'env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600';
    assert.deepEqual(commands, [`${apt} update`, `${apt} install -y --no-install-recommends herald-missing`]);
  });

  it('uses sudo when it needs no password', async () => {
    const { commands, runCommand } = recorder();
    await ensureSystemPackages({ packages: [missing], isRoot: false, canSudo: () => true, runCommand });
    assert.equal(commands.length, 2);
    for (const command of commands) assert.match(command, /^sudo -n env DEBIAN_FRONTEND=noninteractive apt-get /);
  });

  it('otherwise names the one command to run, and fails', async () => {
    const { commands, runCommand } = recorder();
    await assert.rejects(
      ensureSystemPackages({ packages: [missing, installed], isRoot: false, canSudo: () => false, runCommand }),
      {
        name: 'SetupError',
        message:
          "missing herald-missing; install them once with: sudo sh -c 'apt-get update && apt-get install -y herald-missing'",
      },
    );
    assert.deepEqual(commands, []);
  });
});
