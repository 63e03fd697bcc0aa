import { z } from 'zod';
import { loadConfig } from '@herald/config';

export function loadCliConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(
    {
      HERALD_INGEST_ADDR: z.string().default('127.0.0.1:50051'),
      HERALD_PREFERENCES_ADDR: z.string().default('127.0.0.1:50052'),
      HERALD_INTERFACE_ADDR: z.string().default('127.0.0.1:50053'),
      /** The integration's key, for the ingest commands (or --key). */
      HERALD_API_KEY: z.string().optional(),
      /** The preferences service's admin token, when it has one. */
      HERALD_ADMIN_TOKEN: z.string().optional(),
    },
    source,
  );
}

export type CliConfig = ReturnType<typeof loadCliConfig>;
