#!/usr/bin/env node
// For .ci/run, before pnpm is installed: only NATS and PostgreSQL.
import { exitOnError } from '../lib/process.mjs';
import { ensureServices } from '../lib/stack.mjs';

await ensureServices().catch(exitOnError);
