import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { headers } from '@nats-io/transport-node';
import { InboxRead, Notification, topics } from '@herald/contracts';
import { classify } from '@herald/errors';
import { isolatedBus } from '@herald/testing';
import type { Bus } from './index.js';
import { PublishBatcher } from './publish-batch.js';

function read(user: string, id: string): InboxRead {
  return InboxRead.fromPartial({ accountId: 'acme', userId: user, notificationIds: [id], readAt: new Date() });
}

function withMsgId(id: string) {
  const h = headers();
  h.set('Nats-Msg-Id', id);
  return h;
}

describe('PublishBatcher', () => {
  let bus: Bus;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ bus, cleanup } = await isolatedBus());
    await bus.ensureStreams(['INBOX']);
  });
  afterEach(() => cleanup());

  it('answers each of many concurrent publishes with the ack of its own stored message', async () => {
    // More than one batch's worth (256), every tenth one a repeat of an earlier id.
    const ids = Array.from({ length: 700 }, (_, i) => (i % 10 === 9 ? `m-${i - 1}` : `m-${i}`));
    const acks = await Promise.all(
      ids.map((id, i) => bus.publish(topics.inboxRead, ['acme', `u${i}`], read(`u${i}`, id), { msgID: id })),
    );
    const stored = acks.filter((a) => !a.duplicate);
    expect(stored).toHaveLength(630);
    expect(new Set(stored.map((a) => a.seq)).size).toBe(630);
    const stream = await bus.jsm.streams.get(bus.streamName('INBOX'));
    for (const i of [0, 255, 256, 257, 511, 512, 698]) {
      const ack = acks[i]!;
      expect(ack.duplicate).toBe(false);
      const message = await stream.getMessage({ seq: ack.seq });
      expect(message?.header.get('Nats-Msg-Id')).toBe(ids[i]);
      expect(InboxRead.decode(message!.data).userId).toBe(`u${i}`);
    }
    const info = await bus.jsm.streams.info(bus.streamName('INBOX'));
    expect(info.state.messages).toBe(630);
  });

  it('fails a publish no stream takes as a dependency outage, and the others of its batch still succeed', async () => {
    const missing = bus.publish(topics.notificationIngested, ['acme'], Notification.fromPartial({ id: 'nowhere' }), {
      msgID: 'nowhere',
    });
    const fine = bus.publish(topics.inboxRead, ['acme', 'u1'], read('u1', 'x'), { msgID: 'fine' });
    const err = await missing.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'NoResponders' });
    expect(classify(err)?.code).toBe('UNAVAILABLE');
    await expect(fine).resolves.toMatchObject({ duplicate: false });
  });

  it("fails a message JetStream refuses with JetStream's reason", async () => {
    const batcher = new PublishBatcher(bus.nc);
    const h = withMsgId('refused');
    h.set('Nats-Expected-Stream', 'ANOTHER');
    await expect(batcher.publish(bus.subject(topics.inboxRead, 'acme', 'u1'), new Uint8Array(), h)).rejects.toThrow(
      /expected stream does not match/,
    );
    await batcher.close();
  });

  it('fails a message left unacked past the ack timeout with a TimeoutError', async () => {
    const silent = `${bus.namespace}.silent`;
    const listener = bus.nc.subscribe(silent, { callback: () => undefined });
    const batcher = new PublishBatcher(bus.nc, { ackTimeoutMs: 50 });
    const err = await batcher.publish(silent, new Uint8Array(), withMsgId('never')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'TimeoutError' });
    expect(classify(err)?.code).toBe('UNAVAILABLE');
    listener.unsubscribe();
    await batcher.close();
  });
});
