#!/usr/bin/env node
// @ts-check
// `npm start`: the whole system on one machine, as the architecture's "Scale" section puts it.
import { runServices } from '../lib/launcher.mjs';
import { exitOnError, repoRoot } from '../lib/process.mjs';
import { prepare } from '../lib/stack.mjs';

try {
  await prepare();
  process.exit(await runServices({ root: repoRoot }));
} catch (err) {
  exitOnError(err);
}
