#!/usr/bin/env node
// @ts-check
// `npm start`: the whole system on one machine, as the architecture's "Scale" section puts it.
import { runServices } from '../lib/launcher.mjs';
import { exitOnError, repoRoot } from '../lib/process.mjs';
import { prepare } from '../lib/stack.mjs';
import { vapidEnv } from '../lib/vapid.mjs';

try {
  await prepare();
  process.exit(await runServices({ root: repoRoot, env: { ...process.env, ...vapidEnv(process.env) } }));
} catch (err) {
  exitOnError(err);
}
