#!/usr/bin/env node
// @ts-check
// The system part of the set-up, which `npm start` and `npm test` also run
// first: for .ci/run, before anything else. Plain Node, no dependencies.
import { exitOnError } from '../lib/process.mjs';
import { ensureServices } from '../lib/stack.mjs';
import { ensureSystemPackages } from '../lib/system.mjs';

try {
  await ensureSystemPackages();
  await ensureServices();
} catch (err) {
  exitOnError(err);
}
