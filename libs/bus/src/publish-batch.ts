import { JetStreamApiError, type ApiError, type PubAck } from '@nats-io/jetstream';
import {
  createInbox,
  NoRespondersError,
  TimeoutError,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

export interface PublishBatchOptions {
  /** A batch is sent once it holds this many messages, or at the end of the event loop's turn. */
  maxMessages?: number;
  /** How long a sent batch waits for its acks before the missing ones fail with a TimeoutError. */
  ackTimeoutMs?: number;
}

interface Pending {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
  resolve(ack: PubAck): void;
  reject(err: Error): void;
}

interface Awaiting {
  subject: string;
  resolve(ack: PubAck): void;
  reject(err: Error): void;
}

interface AckReply {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  domain?: string;
  error?: ApiError;
}

/**
 * JetStream publishes of concurrent callers sent together: a batch closes
 * when it is full or at the end of the event loop's turn that opened it
 * (every publish made while handling what arrived together shares it, and a
 * lone publish waits for no timer), its
 * messages go out in one write, each with a reply subject under one inbox
 * subscription, and a single timer bounds the wait for all their acks. Each
 * publish resolves with its own message's ack (stored, or dropped as a
 * duplicate of its `Nats-Msg-Id`), never before; a message JetStream refuses
 * or does not ack in time fails alone, as `js.publish` would.
 */
export class PublishBatcher {
  private readonly nc: NatsConnection;
  private readonly maxMessages: number;
  private readonly ackTimeoutMs: number;
  private readonly inbox: string;
  private readonly subscription: Subscription;
  private readonly awaiting = new Map<string, Awaiting>();
  private batch: Pending[] = [];
  private closing: NodeJS.Immediate | undefined;
  private sequence = 0;
  private drained: (() => void) | undefined;

  constructor(nc: NatsConnection, options: PublishBatchOptions = {}) {
    this.nc = nc;
    this.maxMessages = options.maxMessages ?? 256;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
    this.inbox = createInbox(inboxPrefixOf(nc));
    this.subscription = nc.subscribe(`${this.inbox}.*`, { callback: (err, msg) => this.acked(err, msg) });
  }

  publish(subject: string, data: Uint8Array, headers: MsgHdrs): Promise<PubAck> {
    return new Promise<PubAck>((resolve, reject) => {
      this.batch.push({ subject, data, headers, resolve, reject });
      if (this.batch.length >= this.maxMessages) this.send();
      else this.closing ??= setImmediate(() => this.send());
    });
  }

  /** Sends what is waiting, and lets the acks of what was sent arrive. */
  async close(): Promise<void> {
    this.send();
    if (this.awaiting.size > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
      });
    }
    this.subscription.unsubscribe();
  }

  private send(): void {
    clearImmediate(this.closing);
    this.closing = undefined;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const tokens: string[] = [];
    for (const message of batch) {
      const token = (this.sequence++).toString(36);
      tokens.push(token);
      this.awaiting.set(token, message);
      try {
        this.nc.publish(message.subject, message.data, { headers: message.headers, reply: `${this.inbox}.${token}` });
      } catch (err) {
        this.settle(token)?.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    const timer = setTimeout(() => {
      for (const token of tokens) this.settle(token)?.reject(new TimeoutError());
    }, this.ackTimeoutMs);
    timer.unref();
  }

  private settle(token: string): Awaiting | undefined {
    const message = this.awaiting.get(token);
    if (message === undefined) return undefined;
    this.awaiting.delete(token);
    if (this.awaiting.size === 0 && this.drained) {
      const drained = this.drained;
      this.drained = undefined;
      queueMicrotask(drained);
    }
    return message;
  }

  private acked(err: Error | null, msg: Msg): void {
    if (err) return;
    const token = msg.subject.slice(this.inbox.length + 1);
    const message = this.settle(token);
    if (message === undefined) return; // already timed out
    if (msg.headers?.code === 503) {
      message.reject(new NoRespondersError(message.subject));
      return;
    }
    let reply: AckReply;
    try {
      reply = msg.json<AckReply>();
    } catch (cause) {
      message.reject(new Error(`unreadable JetStream ack for ${message.subject}`, { cause }));
      return;
    }
    if (reply.error) {
      message.reject(new JetStreamApiError(reply.error));
      return;
    }
    if (!reply.stream) {
      message.reject(new Error(`invalid JetStream ack for ${message.subject}`));
      return;
    }
    const ack: PubAck = { stream: reply.stream, seq: reply.seq ?? 0, duplicate: reply.duplicate ?? false };
    if (reply.domain !== undefined) ack.domain = reply.domain;
    message.resolve(ack);
  }
}

/** The connection's inbox prefix (`_INBOX` unless configured), which its permissions allow. */
function inboxPrefixOf(nc: NatsConnection): string {
  const options = (nc as unknown as { options?: { inboxPrefix?: string } }).options;
  return options?.inboxPrefix ?? '';
}
