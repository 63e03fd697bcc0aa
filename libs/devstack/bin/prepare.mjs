#!/usr/bin/env node
// @ts-check
// `npm test` runs this first, so a fresh clone tests with nothing done by hand.
import { exitOnError } from '../lib/process.mjs';
import { prepare } from '../lib/stack.mjs';

await prepare().catch(exitOnError);
