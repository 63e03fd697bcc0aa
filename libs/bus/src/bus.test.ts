import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DeadLetter } from '@herald/contracts';
import { InboxRead, topics } from '@herald/contracts';
import { InvalidArgumentError } from '@herald/errors';
import { eventually, isolatedBus, within } from '@herald/testing';
import type { Bus, MessageOutcome, Received } from './index.js';

function read(user: string, ids: string[]): InboxRead {
  return InboxRead.fromPartial({ accountId: 'acme', userId: user, notificationIds: ids, readAt: new Date() });
}

describe('Bus', () => {
  let bus: Bus;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ bus, cleanup } = await isolatedBus());
    await bus.ensureStreams(['INBOX', 'DEADLETTER']);
  });
  afterEach(() => cleanup());

  it('creates its streams idempotently, in its own namespace', async () => {
    await bus.ensureStreams(['INBOX', 'DEADLETTER']);
    const info = await bus.jsm.streams.info(bus.streamName('INBOX'));
    expect(info.config.subjects).toEqual([`${bus.namespace}.inbox.>`]);
  });

  it('drops a second publish with the same msgID', async () => {
    const first = await bus.publish(topics.inboxRead, ['acme', 'u1'], read('u1', ['a']), { msgID: 'm-1' });
    const second = await bus.publish(topics.inboxRead, ['acme', 'u1'], read('u1', ['a']), { msgID: 'm-1' });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    const info = await bus.jsm.streams.info(bus.streamName('INBOX'));
    expect(info.state.messages).toBe(1);
  });

  it('hands a burst to the handler in batches, decoded, and acks them', async () => {
    const seen: Received<InboxRead>[] = [];
    const batchSizes: number[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    for (let i = 0; i < 50; i++) {
      await bus.publish(topics.inboxRead, ['acme', `u${i}`], read(`u${i}`, [`n${i}`]), { msgID: `burst-${i}` });
    }
    const consumer = await bus.consume(topics.inboxRead, { durable: 'batcher', batchSize: 20 }, async (batch) => {
      batchSizes.push(batch.length);
      seen.push(...batch);
      if (seen.length === 50) done();
    });
    await within(all, 10_000, '50 messages');
    await consumer.stop();
    expect(new Set(seen.map((r) => r.data.userId)).size).toBe(50);
    expect(seen[0]?.subject).toMatch(/^inbox\.read\.acme\.u\d+$/);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(20);
    const info = await bus.jsm.consumers.info(bus.streamName('INBOX'), 'batcher');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it('retries a failing message with backoff, then dead-letters it with the reason, while the others flow', async () => {
    const attempts = new Map<string, number>();
    const delivered: string[] = [];
    const dead: DeadLetter[] = [];
    bus.subscribe(topics.deadLetter, [], (letter) => dead.push(letter));
    const consumer = await bus.consume(
      topics.inboxRead,
      { durable: 'flaky', retry: { maxTries: 3, baseDelayMs: 50, maxDelayMs: 100 } },
      async (batch) => {
        for (const { data, deliveryCount } of batch) {
          // Deliveries, not calls: a failing batch is tried again message by message within one delivery.
          attempts.set(data.userId, Math.max(attempts.get(data.userId) ?? 0, deliveryCount));
          if (data.userId === 'poison') throw new Error('cannot handle poison');
        }
        delivered.push(...batch.map((r) => r.data.userId));
      },
    );
    await bus.publish(topics.inboxRead, ['acme', 'poison'], read('poison', ['p']), { msgID: 'p' });
    for (let i = 0; i < 5; i++) {
      await bus.publish(topics.inboxRead, ['acme', `ok${i}`], read(`ok${i}`, ['x']), { msgID: `ok-${i}` });
    }
    await eventually(() => expect(dead).toHaveLength(1));
    await eventually(() => expect(new Set(delivered)).toEqual(new Set(['ok0', 'ok1', 'ok2', 'ok3', 'ok4'])));
    await consumer.stop();
    expect(attempts.get('poison')).toBe(3);
    expect(dead[0]).toMatchObject({ subject: 'inbox.read.acme.poison', consumer: 'flaky', deliveries: 3 });
    expect(dead[0]?.reason).toContain('cannot handle poison');
    expect(InboxRead.decode(dead[0]!.payload).userId).toBe('poison');
  });

  it('dead-letters a permanent error at once', async () => {
    const dead: DeadLetter[] = [];
    bus.subscribe(topics.deadLetter, [], (letter) => dead.push(letter));
    let tries = 0;
    const consumer = await bus.consume(topics.inboxRead, { durable: 'strict' }, async () => {
      tries++;
      throw new InvalidArgumentError('user_id', 'unknown user');
    });
    await bus.publish(topics.inboxRead, ['acme', 'u1'], read('u1', ['a']), { msgID: 'bad' });
    await eventually(() => expect(dead).toHaveLength(1));
    await consumer.stop();
    expect(tries).toBe(1);
    expect(dead[0]?.reason).toContain('user_id: unknown user');
  });

  it('redelivers what a consumer received but never acked', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const handling = new Promise<void>((resolve) => (started = resolve));
    // A handler that never finishes stands for a process killed mid-message.
    const first = await bus.consume(topics.inboxRead, { durable: 'shared', ackWaitMs: 500 }, async () => {
      started();
      await blocked;
      throw new Error('never acked');
    });
    await bus.publish(topics.inboxRead, ['acme', 'u1'], read('u1', ['a']), { msgID: 'once' });
    await within(handling, 5_000, 'first delivery');

    const second: Received<InboxRead>[] = [];
    const replica = await bus.consume(topics.inboxRead, { durable: 'shared', ackWaitMs: 500 }, async (batch) => {
      second.push(...batch);
    });
    try {
      await eventually(() => expect(second).toHaveLength(1));
      expect(second[0]?.data.userId).toBe('u1');
      expect(second[0]?.deliveryCount).toBeGreaterThanOrEqual(2);
    } finally {
      release();
      await Promise.all([first.stop(), replica.stop()]);
    }
  });

  it('settles each message of a batch by its own outcome, retrying only the one that asked, after its delay', async () => {
    const seen = new Map<string, number[]>();
    const dead: DeadLetter[] = [];
    bus.subscribe(topics.deadLetter, [], (letter) => dead.push(letter));
    for (const user of ['fine', 'later', 'never']) {
      await bus.publish(topics.inboxRead, ['acme', user], read(user, ['x']), { msgID: `outcome-${user}` });
    }
    const consumer = await bus.consume(
      topics.inboxRead,
      { durable: 'outcomes', batchSize: 10, retry: { maxTries: 3 } },
      async (batch): Promise<MessageOutcome[]> => {
        for (const { data } of batch) seen.set(data.userId, [...(seen.get(data.userId) ?? []), Date.now()]);
        return batch.map(({ data, deliveryCount }): MessageOutcome => {
          if (data.userId === 'later' && deliveryCount === 1) {
            return { type: 'retry', delayMs: 400, reason: 'rate limited' };
          }
          if (data.userId === 'never') return { type: 'deadLetter', reason: 'recipient unknown' };
          return { type: 'ack' };
        });
      },
    );
    await eventually(() => expect(seen.get('later')).toHaveLength(2));
    await eventually(() => expect(dead).toHaveLength(1));
    await consumer.stop();
    expect(seen.get('fine')).toHaveLength(1);
    expect(seen.get('never')).toHaveLength(1);
    const [first, second] = seen.get('later')!;
    expect(second! - first!).toBeGreaterThanOrEqual(350);
    expect(dead[0]).toMatchObject({ subject: 'inbox.read.acme.never', reason: 'recipient unknown', deliveries: 1 });
    const info = await bus.jsm.consumers.info(bus.streamName('INBOX'), 'outcomes');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it('dead-letters each of many poison messages exactly once, and none is delivered again', async () => {
    const count = 300;
    const dead: DeadLetter[] = [];
    bus.subscribe(topics.deadLetter, [], (letter) => dead.push(letter));
    for (let i = 0; i < count; i++) {
      await bus.publish(topics.inboxRead, ['acme', `p${i}`], read(`p${i}`, ['x']), { msgID: `poison-${i}` });
    }
    let latestDelivery = 0;
    const consumer = await bus.consume(topics.inboxRead, { durable: 'poisoned', batchSize: 50 }, async (batch) => {
      for (const { deliveryCount } of batch) latestDelivery = Math.max(latestDelivery, deliveryCount);
      throw new InvalidArgumentError('user_id', 'poison');
    });
    await eventually(() => expect(dead).toHaveLength(count), 30_000);
    await eventually(async () => {
      const info = await bus.jsm.consumers.info(bus.streamName('INBOX'), 'poisoned');
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_redelivered).toBe(0);
      expect(info.num_pending).toBe(0);
    });
    await consumer.stop();
    const stored = await bus.jsm.streams.info(bus.streamName('DEADLETTER'));
    expect(stored.state.messages).toBe(count);
    expect(new Set(dead.map((d) => d.subject)).size).toBe(count);
    expect(latestDelivery).toBe(1);
  });

  it('pauses through an outage of a dependency and resumes, spending none of the tries', async () => {
    const dead: DeadLetter[] = [];
    bus.subscribe(topics.deadLetter, [], (letter) => dead.push(letter));
    let outage = true;
    const handled: Received<InboxRead>[] = [];
    let failures = 0;
    const consumer = await bus.consume(
      topics.inboxRead,
      { durable: 'patient', retry: { maxTries: 1 } },
      async (batch) => {
        if (outage) {
          failures++;
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        }
        handled.push(...batch);
      },
    );
    await bus.publish(topics.inboxRead, ['acme', 'u1'], read('u1', ['a']), { msgID: 'patient-1' });
    await eventually(() => expect(failures).toBeGreaterThanOrEqual(3));
    outage = false;
    await eventually(() => expect(handled).toHaveLength(1));
    await consumer.stop();
    expect(handled[0]?.deliveryCount).toBe(1);
    expect(dead).toHaveLength(0);
  });

  it('applies a changed configuration to an existing durable consumer', async () => {
    const first = await bus.consume(
      topics.inboxRead,
      { durable: 'evolving', filter: ['acme'], ackWaitMs: 5_000, retry: { maxTries: 2 } },
      async () => undefined,
    );
    await first.stop();
    const second = await bus.consume(
      topics.inboxRead,
      { durable: 'evolving', filter: ['globex'], ackWaitMs: 7_000, retry: { maxTries: 4 } },
      async () => undefined,
    );
    await second.stop();
    const { config } = await bus.jsm.consumers.info(bus.streamName('INBOX'), 'evolving');
    expect(config.filter_subject).toBe(`${bus.namespace}.inbox.read.globex.>`);
    expect(config.ack_wait).toBe(7_000 * 1_000_000);
    expect(config.max_deliver).toBe(4 + 3);
  });
});
