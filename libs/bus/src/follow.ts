import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { Topic } from '@herald/contracts';
import type { Logger } from '@herald/telemetry';
import type { Bus } from './bus.js';

export interface Follower {
  /** Stops reading; what was handled stays handled. */
  stop(): Promise<void>;
}

/**
 * How long a pull waits before it is renewed, in milliseconds: the server's
 * heartbeats come at half of it, so a follower whose consumer was lost (the
 * server restarted, the link was cut) notices within about this long.
 */
const pullExpiresMs = 2_000;

/**
 * Every message of a stream topic published from now on, in order, to this
 * process alone (an ordered consumer: no durable, no acks). After a lost
 * connection it resumes after the last message it saw, so nothing published
 * meanwhile is missed: what a cache that must hear every invalidation needs.
 */
export async function follow<T, P extends readonly string[]>(
  bus: Bus,
  topic: Topic<T, P>,
  handler: (message: T, subject: string) => void,
  logger: Logger,
): Promise<Follower> {
  if (topic.stream === null) throw new TypeError(`${topic.base} is a core subject: use subscribe`);
  const consumer = await bus.js.consumers.get(bus.streamName(topic.stream), {
    filter_subjects: bus.filter(topic),
    deliver_policy: DeliverPolicy.New,
  });
  const messages: ConsumerMessages = await consumer.consume({ expires: pullExpiresMs });
  const done = (async () => {
    for await (const msg of messages) {
      try {
        handler(topic.codec.decode(msg.data), bus.unprefixed(msg.subject));
      } catch (err) {
        logger.warn({ err, subject: msg.subject }, 'message skipped');
      }
    }
  })();
  return {
    async stop() {
      await messages.close();
      await done;
    },
  };
}
