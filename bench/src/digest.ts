/**
 * The daily digest at scale: BENCH_USERS users (100,000 by default) each with
 * BENCH_ITEMS unread items (30) due at the same minute. Times one scheduler
 * tick: claim, compose (en/ru MJML templates), hand every mail to a local SMTP
 * sink over the pooled connections, record the ledger, report each item's
 * outcome. The held items are seeded straight into the email schema.
 *
 *   pnpm --filter @herald/bench run digest
 *   BENCH_USERS=10000 BENCH_ITEMS=30 SMTP_POOL_SIZE=10 pnpm --filter @herald/bench run digest
 */
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { Notification, ProviderKind } from '@herald/contracts';
import { loadEmailConfig, startEmail } from '@herald/email';
import { dropSchemas, isolatedBus, testEnv, testLogger, uniqueName } from '@herald/testing';

const users = Number(process.env['BENCH_USERS'] ?? 100_000);
const itemsPerUser = Number(process.env['BENCH_ITEMS'] ?? 30);
const poolSize = Number(process.env['SMTP_POOL_SIZE'] ?? 10);

/** An SMTP server that takes every mail and throws it away, counting. */
async function smtpSink(): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sampleNotification(i: number): Buffer {
  const at = new Date(Date.UTC(2030, 0, 10, 8, i));
  return Buffer.from(
    Notification.encode({
      id: `sample${i}`,
      accountId: 'bench',
      provider: { id: 'p1', kind: ProviderKind.PROVIDER_KIND_INTEGRATION, name: 'Telephony', iconUrl: '' },
      recipients: [],
      occurredAt: at,
      ingestedAt: at,
      body: {
        $case: 'call',
        value: {
          text: `Call about order #${i} <b>unescaped?</b>`,
          from: '+34 600 000 000',
          to: 'Sales line',
          element: { id: i, type: 'ELEMENT_TYPE_LEAD' },
          duration: 60 + i,
          link: `/leads/${i}`,
        },
      },
    }).finish(),
  );
}

async function seed(schema: string): Promise<void> {
  const db = new pg.Client({ connectionString: testEnv.databaseUrl });
  await db.connect();
  try {
    await db.query(`SET search_path = "${schema}"`);
    await db.query(
      `INSERT INTO recipients (account_id, user_id, email, locale, timezone, email_mode, digest_time, version, next_digest_at)
       SELECT 'bench', 'u' || n, 'u' || n || '@example.com', CASE WHEN n % 2 = 0 THEN 'ru' ELSE 'en' END,
              'UTC', 'daily', '18:00', 1, '2030-01-10T18:00:00Z'
       FROM generate_series(1, $1::int) AS n`,
      [users],
    );
    const samples = Array.from({ length: itemsPerUser }, (_, i) => sampleNotification(i));
    await db.query(
      `INSERT INTO digest_items (account_id, user_id, notification_id, delivery_id, arrived_at, notification)
       SELECT 'bench', 'u' || n, 'n' || i || 'u' || n, 'n' || i || 'u' || n || '.email',
              timestamptz '2030-01-10T08:00:00Z' + i * interval '1 minute', ($2::bytea[])[i + 1]
       FROM generate_series(1, $1::int) AS n, generate_series(0, $3::int - 1) AS i`,
      [users, samples, itemsPerUser],
    );
    await db.query('ANALYZE recipients; ANALYZE digest_items');
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const { namespace, cleanup } = await isolatedBus('bench-digest');
  const schema = uniqueName('bench_email_');
  const sink = await smtpSink();
  const email = await startEmail(
    {
      ...loadEmailConfig({}),
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: testEnv.databaseUrl,
      HERALD_NAMESPACE: namespace,
      DB_SCHEMA: schema,
      GRPC_PORT: 0,
      METRICS_PORT: 0,
      LOG_LEVEL: 'warn',
      SMTP_URL: sink.url,
      SMTP_POOL_SIZE: poolSize,
      DB_POOL_SIZE: poolSize + 4,
      DIGEST_CLAIM_SIZE: 200,
    },
    testLogger(),
    { cron: false },
  );
  try {
    const seeding = Date.now();
    await seed(schema);
    console.log(
      `seeded ${users} users × ${itemsPerUser} unread items in ${((Date.now() - seeding) / 1000).toFixed(1)} s`,
    );
    const started = process.hrtime.bigint();
    const result = await email.digests.tick(new Date('2030-01-10T18:00:30Z'));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      JSON.stringify({
        users,
        itemsPerUser,
        smtpPoolSize: poolSize,
        claimed: result.claimed,
        sent: result.sent,
        failed: result.failed,
        receivedBySink: sink.received(),
        seconds: Number(seconds.toFixed(1)),
        mailsPerSecond: Math.round(result.sent / seconds),
        outcomesPerSecond: Math.round((result.sent * itemsPerUser) / seconds),
      }),
    );
  } finally {
    await email.stop();
    await sink.close();
    await cleanup();
    await dropSchemas(schema);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
