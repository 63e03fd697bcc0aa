import { loadEmailConfig, type EmailConfig } from '@herald/email';
import { testEnv } from '@herald/testing';

/** The email service's configuration for a spec: this machine's NATS and PostgreSQL, its own namespace and schema. */
export function emailTestConfig(namespace: string, schema: string): EmailConfig {
  return {
    ...loadEmailConfig({}),
    NATS_URL: testEnv.natsUrl,
    DATABASE_URL: testEnv.databaseUrl,
    HERALD_NAMESPACE: namespace,
    DB_SCHEMA: schema,
    GRPC_PORT: 0,
    METRICS_PORT: 0,
    LOG_LEVEL: 'silent',
  };
}
