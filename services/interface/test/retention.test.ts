import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPool, migrate, type Pool } from '@herald/db';
import { dropSchemas, testEnv, testLogger, uniqueName } from '@herald/testing';
import { loadInterfaceConfig } from '../src/config.js';
import { InboxRetention, RetentionRepository } from '../src/inbox-retention.js';

const day = 86_400_000;
const now = new Date('2026-06-01T12:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * day);

describe('interface: inbox retention', () => {
  const schema = uniqueName('inbox_retention_');
  let pool: Pool;

  beforeAll(async () => {
    const logger = testLogger();
    await migrate({
      url: testEnv.databaseUrl,
      schema,
      dir: new URL('../migrations/', import.meta.url),
      logger,
    });
    pool = createPool({ url: testEnv.databaseUrl, schema, applicationName: 'retention-test', max: 2, logger });
  });
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  /** An item of ann's, read `readDaysAgo` days ago (unread when null), with one delivery outcome. */
  async function item(id: string, readDaysAgo: number | null): Promise<void> {
    await pool.query(
      `INSERT INTO inbox_items (account_id, user_id, notification_id, provider_id, occurred_at, read_at, notification, rendered)
       VALUES ('acme', 'ann', $1, 'p', $2, $3, '\\x', '\\x')`,
      [id, daysAgo(400), readDaysAgo === null ? null : daysAgo(readDaysAgo)],
    );
    await pool.query(
      `INSERT INTO delivery_outcomes (account_id, user_id, notification_id, delivery_id, status, channel, reason, tries, provider_message_id, at)
       VALUES ('acme', 'ann', $1, $1 || '.ann.email', 'DELIVERED', 'email', '', 1, '', $2)`,
      [id, daysAgo(400)],
    );
  }

  const left = async (table: string) =>
    (await pool.query<{ id: string }>(`SELECT notification_id AS id FROM ${table} ORDER BY 1`)).rows.map((r) => r.id);

  it('removes, a batch at a time, the items read longer ago than the policy, with their delivery log', async () => {
    for (let i = 0; i < 5; i++) await item(`old-read-${i}`, 91 + i);
    await item('read-yesterday', 1);
    await item('read-89-days-ago', 89);
    await item('never-read', null);

    const retention = new InboxRetention(
      new RetentionRepository(pool),
      { readDays: 90, batchSize: 2, intervalMs: 60_000 },
      testLogger(),
      () => now,
    );
    expect(await retention.sweep()).toBe(5);

    const kept = ['never-read', 'read-89-days-ago', 'read-yesterday'];
    expect(await left('inbox_items')).toEqual(kept);
    expect(await left('delivery_outcomes')).toEqual(kept);
    expect(await retention.sweep()).toBe(0);
    await retention.stop();
  });

  it('reads its policy from the environment (0 days keeps every item), naming a bad setting', () => {
    expect(loadInterfaceConfig({}).INBOX_RETENTION_DAYS).toBe(90);
    expect(loadInterfaceConfig({ INBOX_RETENTION_DAYS: '0' }).INBOX_RETENTION_DAYS).toBe(0);
    expect(() => loadInterfaceConfig({ INBOX_RETENTION_DAYS: '-1' })).toThrow(/INBOX_RETENTION_DAYS/);
    expect(() => loadInterfaceConfig({ INBOX_RETENTION_BATCH: '0' })).toThrow(/INBOX_RETENTION_BATCH/);
  });
});
