import { AckPolicy, DeliverPolicy, JetStreamApiCodes, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { context as otelContext, trace, SpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { DeadLetter, topics, type StreamName, type Topic } from '@herald/contracts';
import { isHeraldError, UnavailableError } from '@herald/errors';
import { extractContext, type Logger } from '@herald/telemetry';
import type { JetStreamClient, JetStreamManager, PubAck } from '@nats-io/jetstream';
import { isApiError } from './jetstream-errors.js';
import { headerGetter } from './trace-headers.js';

/** What a consumer needs of the bus. */
export interface ConsumerHost {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  streamName(stream: StreamName): string;
  filter<T, P extends readonly string[]>(topic: Topic<T, P>, ...leading: string[]): string;
  unprefixed(subject: string): string;
  publish<T, P extends readonly string[]>(
    topic: Topic<T, P>,
    values: { [K in keyof P]: string },
    message: T,
    options: { msgID: string },
  ): Promise<PubAck>;
}

export interface RetryPolicy {
  /** Deliveries before a failing message goes to the dead-letter subject. */
  maxTries: number;
  /** First retry delay; each next one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ConsumerOptions {
  /** The durable consumer's name: replicas with the same name share the work. */
  durable: string;
  /** Leading tokens after the topic's base (e.g. ['interface']); the rest is a wildcard. */
  filter?: readonly string[];
  /** Most messages handed to the handler at once. */
  batchSize?: number;
  /** Most batches in flight at once. */
  concurrency?: number;
  /** How long a delivered message may stay unacked before JetStream redelivers it. */
  ackWaitMs?: number;
  retry?: Partial<RetryPolicy>;
}

/** One message as a handler sees it. */
export interface Received<T> {
  readonly data: T;
  /** The subject without the namespace, e.g. deliveries.interface.acme */
  readonly subject: string;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  /** The message's own trace context: pass it to publish so the trace goes on. */
  readonly context: Context;
}

/**
 * Handles a batch. Returning acks every message in it; throwing retries them,
 * each on its own, so one poison message cannot hold back the others.
 */
export type BatchHandler<T> = (batch: readonly Received<T>[]) => Promise<void>;

export interface ConsumerHandle {
  readonly name: string;
  /** Stops fetching, finishes every message already received, then resolves. */
  stop(): Promise<void>;
}

/** How long one pull waits for messages; also the longest a stop waits for the pull under way. */
const pullExpiresMs = 1_000;

export const defaultRetry: RetryPolicy = { maxTries: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/** The delay before delivery number `deliveryCount + 1`, with ±20% jitter. */
export function retryDelay(policy: RetryPolicy, deliveryCount: number): number {
  const exact = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, deliveryCount - 1));
  return Math.round(exact * (0.8 + Math.random() * 0.4));
}

/** Errors no retry can mend: the message goes straight to the dead-letter subject. */
function isPermanent(err: unknown): boolean {
  return isHeraldError(err) && (err.code === 'INVALID_ARGUMENT' || err.code === 'FAILED_PRECONDITION');
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

interface InFlight<T> extends Received<T> {
  readonly msg: JsMsg;
  readonly span: Span;
}

export async function startConsumer<T, P extends readonly string[]>(
  bus: ConsumerHost,
  topic: Topic<T, P>,
  stream: StreamName,
  options: ConsumerOptions,
  handler: BatchHandler<T>,
  logger: Logger,
): Promise<ConsumerHandle> {
  const streamName = bus.streamName(stream);
  const retry: RetryPolicy = { ...defaultRetry, ...options.retry };
  const batchSize = options.batchSize ?? 100;
  const concurrency = options.concurrency ?? 2;
  const durable = options.durable;
  const log = logger.child({ consumer: durable });
  const tracer = trace.getTracer('herald.bus');

  // A pull asks for several batches' worth: pulls are few, and while one fills, batches keep being handled.
  const pullSize = batchSize * concurrency * 4;
  const limits = {
    ack_wait: (options.ackWaitMs ?? 30_000) * 1_000_000,
    // A safety net past our own dead-lettering, for a message that crashes the process every time.
    max_deliver: retry.maxTries + 3,
    max_ack_pending: pullSize * 2,
  };
  try {
    await bus.jsm.consumers.info(streamName, durable);
    await bus.jsm.consumers.update(streamName, durable, limits);
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    await bus.jsm.consumers.add(streamName, {
      ...limits,
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: bus.filter(topic, ...(options.filter ?? [])),
    });
  }

  const consumer = await bus.js.consumers.get(streamName, durable);

  const watch = (messages: ConsumerMessages): void => {
    void (async () => {
      for await (const status of messages.status()) {
        switch (status.type) {
          case 'heartbeats_missed':
          case 'consumer_not_found':
          case 'stream_not_found':
          case 'consumer_deleted':
          case 'exceeded_limits':
          case 'no_responders':
            log.warn({ status }, 'consumer status');
            break;
          default:
            log.debug({ status }, 'consumer status');
        }
      }
    })();
  };

  const deadLetter = async (msg: JsMsg, reason: string): Promise<void> => {
    try {
      await bus.publish(
        topics.deadLetter,
        [bus.unprefixed(msg.subject)],
        DeadLetter.fromPartial({
          subject: bus.unprefixed(msg.subject),
          consumer: durable,
          deliveries: msg.info.deliveryCount,
          reason,
          payload: Buffer.from(msg.data),
          failedAt: new Date(),
        }),
        { msgID: `${streamName}.${msg.seq}.${durable}` },
      );
      msg.term(reason.slice(0, 200));
      log.error({ subject: msg.subject, seq: msg.seq, deliveries: msg.info.deliveryCount, reason }, 'dead-lettered');
    } catch (err) {
      log.error({ err, subject: msg.subject }, 'dead-letter publish failed; will retry');
      msg.nak(retryDelay(retry, msg.info.deliveryCount));
    }
  };

  const fail = async (item: InFlight<T>, err: unknown): Promise<void> => {
    item.span.recordException(err instanceof Error ? err : String(err));
    item.span.setStatus({ code: SpanStatusCode.ERROR, message: describe(err) });
    item.span.end();
    if (isPermanent(err) || item.deliveryCount >= retry.maxTries) {
      await deadLetter(item.msg, describe(err));
      return;
    }
    // A provider's Retry-After is a floor: retrying sooner only earns another refusal.
    const retryAfter = err instanceof UnavailableError ? err.retryAfterMs : 0;
    const delay = Math.max(retryDelay(retry, item.deliveryCount), retryAfter);
    log.warn({ err, subject: item.subject, deliveries: item.deliveryCount, retryInMs: delay }, 'handler failed');
    item.msg.nak(delay);
  };

  const succeed = (items: readonly InFlight<T>[]): void => {
    for (const item of items) {
      item.msg.ack();
      item.span.end();
    }
  };

  const processBatch = async (msgs: JsMsg[]): Promise<void> => {
    const items: InFlight<T>[] = [];
    for (const msg of msgs) {
      let data: T;
      try {
        data = topic.codec.decode(msg.data);
      } catch (err) {
        await deadLetter(msg, `undecodable payload: ${describe(err)}`);
        continue;
      }
      const parent = extractContext(msg.headers, headerGetter);
      const span = tracer.startSpan(
        `${durable} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: { 'messaging.destination.name': msg.subject, 'messaging.consumer.group.name': durable },
        },
        parent,
      );
      items.push({
        msg,
        span,
        data,
        subject: bus.unprefixed(msg.subject),
        deliveryCount: msg.info.deliveryCount,
        context: trace.setSpan(parent, span),
      });
    }
    if (items.length === 0) return;
    try {
      await otelContext.with(items[0]!.context, () => handler(items));
      succeed(items);
    } catch (err) {
      if (items.length === 1) {
        await fail(items[0]!, err);
        return;
      }
      // Isolate the failure: each message on its own, so the good ones go through.
      for (const item of items) {
        try {
          await otelContext.with(item.context, () => handler([item]));
          succeed([item]);
        } catch (itemErr) {
          await fail(item, itemErr);
        }
      }
    }
  };

  const pending: JsMsg[] = [];
  const inflight = new Set<Promise<void>>();
  let scheduled = false;

  const dispatch = (): void => {
    scheduled = false;
    while (pending.length > 0 && inflight.size < concurrency) {
      const batch = pending.splice(0, batchSize);
      const run: Promise<void> = processBatch(batch)
        .catch((err: unknown) => log.error({ err }, 'batch crashed'))
        .finally(() => {
          inflight.delete(run);
          dispatch();
        });
      inflight.add(run);
    }
  };

  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  // Bounded pulls rather than an endless consume(): a pull's messages are all
  // received before the loop stops, so a stop never strands messages that the
  // server has sent but this process has not yet read (they would wait out
  // ack_wait before anyone else could have them).
  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      // Pull again only once the work already received has room to go.
      while (pending.length >= pullSize && !stopped) {
        dispatch();
        await Promise.race(inflight);
      }
      try {
        const messages = await consumer.fetch({ max_messages: pullSize, expires: pullExpiresMs });
        watch(messages);
        for await (const msg of messages) {
          pending.push(msg);
          if (pending.length >= batchSize) dispatch();
          else if (!scheduled) {
            // Let every message already received arrive first, so they share one batch.
            scheduled = true;
            setImmediate(dispatch);
          }
        }
        failures = 0;
      } catch (err) {
        failures++;
        log.warn({ err, failures }, 'pull failed; retrying');
        await pause(Math.min(5_000, 100 * 2 ** failures));
      }
    }
    while (pending.length > 0 || inflight.size > 0) {
      dispatch();
      await Promise.race(inflight);
    }
  })();

  log.info({ stream: streamName, batchSize, concurrency }, 'consuming');
  let stopping: Promise<void> | undefined;
  return {
    name: durable,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        wake?.();
        await loop;
        log.info('consumer stopped');
      })();
      return stopping;
    },
  };
}
