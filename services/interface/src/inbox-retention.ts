import type { Pool } from '@herald/db';
import type { Logger } from '@herald/telemetry';

export interface RetentionPolicy {
  /** Items read longer ago than this are removed, with their delivery log; 0 keeps every item. */
  readDays: number;
  /** Most items removed by one statement: short transactions, short locks. */
  batchSize: number;
  /** Between two sweeps, in milliseconds. */
  intervalMs: number;
}

/** The statements of the sweep. */
export class RetentionRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Removes up to `limit` items read before `cutoff`, and their delivery log,
   * in one statement; returns how many items went. Rows another replica's
   * sweep holds are skipped, not waited for.
   */
  async removeReadBefore(cutoff: Date, limit: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `WITH doomed AS (
         SELECT account_id, user_id, notification_id FROM inbox_items
         WHERE read_at < $1
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), removed AS (
         DELETE FROM inbox_items i USING doomed d
         WHERE i.account_id = d.account_id AND i.user_id = d.user_id AND i.notification_id = d.notification_id
         RETURNING i.account_id, i.user_id, i.notification_id
       ), outcomes AS (
         DELETE FROM delivery_outcomes o USING removed r
         WHERE o.account_id = r.account_id AND o.user_id = r.user_id AND o.notification_id = r.notification_id
       )
       SELECT count(*)::int AS n FROM removed`,
      [cutoff, limit],
    );
    return rows[0]?.n ?? 0;
  }
}

/**
 * Keeps the inbox from growing without bound: every `intervalMs`, removes the
 * items read more than `readDays` ago, a batch at a time until none is left.
 */
export class InboxRetention {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly repository: RetentionRepository,
    private readonly policy: RetentionPolicy,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    if (this.policy.readDays === 0) {
      this.logger.info('inbox retention off: read items are kept');
      return;
    }
    this.schedule();
  }

  /** One sweep: every item due, in batches; resolves with how many went. */
  sweep(): Promise<number> {
    this.sweeping ??= this.removeAll().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** Stops the timer and waits for the batch under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweep()
        .catch((err: unknown) => this.logger.warn({ err }, 'inbox retention sweep failed; next sweep will retry'))
        .finally(() => this.schedule());
    }, this.policy.intervalMs);
    this.timer.unref();
  }

  private async removeAll(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - this.policy.readDays * 86_400_000);
    let removed = 0;
    while (!this.stopped) {
      const n = await this.repository.removeReadBefore(cutoff, this.policy.batchSize);
      removed += n;
      if (n < this.policy.batchSize) break;
    }
    if (removed > 0) this.logger.info({ removed, readBefore: cutoff }, 'read items removed from the inbox');
    return removed;
  }
}
