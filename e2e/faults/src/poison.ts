import type { Bus } from '@herald/bus';
import { topics, type DeadLetter } from '@herald/contracts';

const marker = 'poison-';

/**
 * A payload no protobuf decoder accepts: its first tag has wire type 7, which
 * does not exist. The marker after it names the message in its dead letter.
 */
function poisonPayload(n: number): Uint8Array {
  return Buffer.concat([Buffer.from([0x0f]), Buffer.from(`${marker}${n}`)]);
}

function poisonOf(letter: DeadLetter): number | undefined {
  const text = Buffer.from(letter.payload).toString('latin1');
  const match = new RegExp(`${marker}(\\d+)$`).exec(text);
  return match ? Number(match[1]) : undefined;
}

/** One dead-letter publish, as seen on the wire (JetStream may still drop it as a repeat). */
export interface SeenLetter {
  at: number;
  subject: string;
  poison: number | undefined;
}

/**
 * Every publish on deadletter.>, seen on core NATS: a second publish of the
 * same dead letter shows here even when JetStream drops it by its msgID.
 */
export class DeadLetters {
  readonly seen: SeenLetter[] = [];

  constructor(bus: Bus) {
    bus.subscribe(topics.deadLetter, [], (letter) =>
      this.seen.push({ at: Date.now(), subject: letter.subject, poison: poisonOf(letter) }),
    );
  }

  /** Dead letters per poison message. */
  poisonCounts(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const letter of this.seen) {
      if (letter.poison !== undefined) counts.set(letter.poison, (counts.get(letter.poison) ?? 0) + 1);
    }
    return counts;
  }
}

/**
 * Publishes `count` undecodable messages straight to the streams, half where
 * the router reads (notifications.ingested) and half where the inbox writer
 * reads (deliveries.interface), each stored once by its own msgID.
 */
export async function publishPoison(bus: Bus, account: string, count: number): Promise<void> {
  const publishes: Promise<unknown>[] = [];
  for (let n = 0; n < count; n++) {
    const subject =
      n % 2 === 0
        ? bus.subject(topics.notificationIngested, account)
        : bus.subject(topics.delivery, 'interface', account);
    publishes.push(bus.js.publish(subject, poisonPayload(n), { msgID: `${marker}${n}` }));
  }
  await Promise.all(publishes);
}
