// @ts-check
import { join } from 'node:path';
import { capture, findExecutable, repoRoot, run, say, SetupError } from './process.mjs';

/** Installs pnpm with npm when it is missing (corepack cannot fetch it on our machines). */
export async function ensurePnpm() {
  if (findExecutable('pnpm')) return;
  say('pnpm not found: npm i -g pnpm@10');
  await run('npm', ['i', '-g', 'pnpm@10']);
  if (findExecutable('pnpm')) return;
  // npm's global bin may be off PATH (a custom prefix): our children still need to find pnpm.
  const prefix = capture('npm', ['prefix', '-g'])?.trim();
  const bin = prefix && join(prefix, 'bin');
  if (!bin || !findExecutable('pnpm', [join(bin, 'pnpm')])) {
    throw new SetupError('pnpm was installed but is not on PATH: add the folder of `npm prefix -g`/bin to PATH');
  }
  process.env.PATH = `${bin}:${process.env.PATH ?? ''}`;
}

export async function installAndBuild() {
  await run('pnpm', ['install', '--frozen-lockfile'], { cwd: repoRoot });
  await run('pnpm', ['run', 'build'], { cwd: repoRoot });
}
