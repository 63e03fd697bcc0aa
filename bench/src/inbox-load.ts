/**
 * Fills an inbox schema (made by the interface's own migrations) with
 * `rows` items spread evenly over `users` users of the bench account, kept
 * between runs: a second run with the same size finds them there.
 *
 * The rows are made by PostgreSQL itself (INSERT … SELECT over
 * generate_series, a million a statement) with the secondary indexes dropped
 * and rebuilt after, the usual bulk load: sending 10 million encoded rows
 * through a client would cost gigabytes of COPY text for the same table.
 * Each row holds a real encoded Notification whose id is the row's own. The
 * newest 20 items of each user are unread, the rest read, one a minute back
 * from the load; the benchmark's interface keeps them (INBOX_RETENTION_DAYS=0)
 * so that the set stays the same from run to run.
 *
 * A finished load leaves its size in the table's comment, written last (after
 * the indexes and VACUUM ANALYZE): a later run checks that rather than the
 * count of rows, which the stack's own warm-up notification changes, and a
 * load cut short (rows in, indexes not rebuilt) is never taken for a whole one.
 */
import pg from 'pg';
import { Notification, ProviderKind, Rendered } from '@herald/contracts';
import { testEnv } from '@herald/testing';
import { count, machineLoad } from './load.js';
import { benchAccount } from './slice.js';

const idWidth = 10;
const placeholder = 'x'.repeat(idWidth);

export async function loadInbox(schema: string, rows: number, users: number): Promise<void> {
  const db = new pg.Client({ connectionString: testEnv.databaseUrl });
  await db.connect();
  try {
    await db.query(`SET search_path TO "${schema}"`);
    const marker = `bench load: ${rows} items for ${users} users`;
    const { rows: present } = await db.query<{ comment: string | null }>(
      `SELECT obj_description('inbox_items'::regclass, 'pg_class') AS comment`,
    );
    if (present[0]?.comment === marker) return;
    const began = performance.now();
    console.log(`  loading ${count(rows)} inbox items into ${schema} (kept for the next runs); ${machineLoad()}`);
    const date = new Date('2026-01-01T00:00:00Z');
    const notification = Buffer.from(
      Notification.encode({
        id: placeholder,
        accountId: benchAccount,
        provider: { id: 'bench', kind: ProviderKind.PROVIDER_KIND_INTEGRATION, name: 'Bench', iconUrl: '' },
        recipients: [],
        occurredAt: date,
        ingestedAt: date,
        body: { $case: 'error', value: { header: 'Bench', text: 'A stored notification of the benchmark', link: '' } },
      }).finish(),
    );
    const offset = notification.indexOf(placeholder);
    const rendered = Buffer.from(
      Rendered.encode({ title: 'Bench', body: 'A stored notification of the benchmark', link: '' }).finish(),
    );
    const { rows: indexes } = await db.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes
       WHERE schemaname = $1 AND tablename = 'inbox_items' AND indexname <> 'inbox_items_pkey'`,
      [schema],
    );
    await db.query('COMMENT ON TABLE inbox_items IS NULL');
    await db.query('TRUNCATE inbox_items');
    for (const { indexname } of indexes) await db.query(`DROP INDEX "${indexname}"`);
    const perUser = Math.ceil(rows / users);
    const loadedAt = new Date();
    const chunk = 1_000_000;
    for (let from = 0; from < rows; from += chunk) {
      // Row i: user i / perUser, its (i % perUser)-th newest item, one minute apart; the newest 20 unread.
      await db.query(
        `INSERT INTO inbox_items (account_id, user_id, notification_id, provider_id, occurred_at, read_at, notification, rendered)
         SELECT $1, 'u' || (i / $2), id, 'bench', at, CASE WHEN i % $2 < 20 THEN NULL ELSE at + interval '1 minute' END,
                overlay($3::bytea PLACING convert_to(id, 'UTF8') FROM $4), $5
         FROM generate_series($6::bigint, $7::bigint) AS i,
              LATERAL (SELECT lpad(i::text, ${idWidth}, '0') AS id,
                              $8::timestamptz - (i % $2) * interval '1 minute' AS at) AS r`,
        [benchAccount, perUser, notification, offset + 1, rendered, from, Math.min(rows, from + chunk) - 1, loadedAt],
      );
      process.stdout.write(`  … ${count(Math.min(rows, from + chunk))}\r`);
    }
    for (const { indexdef } of indexes) await db.query(indexdef);
    await db.query('VACUUM ANALYZE inbox_items');
    await db.query(`COMMENT ON TABLE inbox_items IS '${marker}'`);
    console.log(`  loaded in ${count((performance.now() - began) / 1000)} s`);
  } finally {
    await db.end();
  }
}
