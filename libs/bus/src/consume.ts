import { AckPolicy, DeliverPolicy, JetStreamApiCodes, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import {
  context as otelContext,
  trace,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { DeadLetter, topics, type StreamName, type Topic } from '@herald/contracts';
import { isHeraldError, isTransient, UnavailableError } from '@herald/errors';
import { deadLetters, redeliveries } from '@herald/metrics';
import { extractContext, tracingRecords, type Logger } from '@herald/telemetry';
import type { ConsumerConfig, JetStreamClient, JetStreamManager, PubAck } from '@nats-io/jetstream';
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

/** What became of one message of a batch. */
export type MessageOutcome =
  | { readonly type: 'ack' }
  /** Deliver it again after `delayMs` (e.g. a Retry-After); counts as one of its tries. */
  | { readonly type: 'retry'; readonly delayMs: number; readonly reason: string }
  /** No retry can mend it: straight to the dead-letter subject. */
  | { readonly type: 'deadLetter'; readonly reason: string };

/**
 * Handles a batch. Returning nothing acks every message in it; returning
 * outcomes (one per message, in the batch's order) settles each on its own.
 * Throwing retries the messages each on its own, so one poison message cannot
 * hold back the others — except an outage of a dependency (see `isTransient`),
 * which pauses the consumer and retries the whole batch until it passes,
 * spending none of the messages' tries.
 */
export type BatchHandler<T> = (batch: readonly Received<T>[]) => Promise<void | readonly MessageOutcome[]>;

export interface ConsumerHandle {
  readonly name: string;
  /** The stream's full name (with the namespace). */
  readonly stream: string;
  /** Stops fetching, finishes every message already received, then resolves. */
  stop(): Promise<void>;
}

/** How long one pull waits for messages; also the longest a stop waits for the pull under way. */
const pullExpiresMs = 1_000;

const ack: MessageOutcome = { type: 'ack' };

/** The span of every message while nothing records: its trace context is the message's own. */
const quietSpan = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

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

/** What a consumer declares in code; applied to an existing consumer at every start. */
type DeclaredConfig = Required<Pick<ConsumerConfig, 'ack_wait' | 'max_deliver' | 'max_ack_pending' | 'filter_subject'>>;

/**
 * Creates the durable consumer, or updates it when its configuration in code
 * changed since it was created (e.g. a new filter or ack wait after a deploy).
 */
async function declareConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  declared: DeclaredConfig,
  log: Logger,
): Promise<void> {
  let current: ConsumerConfig;
  try {
    current = (await jsm.consumers.info(stream, durable)).config;
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    await jsm.consumers.add(stream, {
      ...declared,
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    return;
  }
  const changed: string[] = (Object.keys(declared) as (keyof DeclaredConfig)[]).filter(
    (k) => current[k] !== declared[k],
  );
  // A server-side backoff would override the delays this consumer asks for with each nak.
  if (current.backoff?.length) changed.push('backoff');
  if (changed.length === 0) return;
  await jsm.consumers.update(stream, durable, { ...declared, backoff: [] });
  log.info({ changed }, 'consumer configuration updated');
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
  const declared = {
    ack_wait: (options.ackWaitMs ?? 30_000) * 1_000_000,
    // A safety net past our own dead-lettering, for a message that crashes the process every time.
    max_deliver: retry.maxTries + 3,
    max_ack_pending: pullSize * 2,
    filter_subject: bus.filter(topic, ...(options.filter ?? [])),
  };
  await declareConsumer(bus.jsm, streamName, durable, declared, log);
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

  // The server of the README (2.9) ignores `term`: a message is dead-lettered by
  // a publish whose msgID is its stream sequence (so a redelivery publishes
  // nothing new), confirmed before the message is acked.
  const deadLetter = async (msg: JsMsg, reason: string): Promise<void> => {
    let stored: PubAck;
    try {
      stored = await bus.publish(
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
    } catch (err) {
      log.error({ err, subject: msg.subject }, 'dead-letter publish failed; will retry');
      msg.nak(retryDelay(retry, msg.info.deliveryCount));
      return;
    }
    msg.ack();
    if (!stored.duplicate) deadLetters.inc({ consumer: durable });
    log.error({ subject: msg.subject, seq: msg.seq, deliveries: msg.info.deliveryCount, reason }, 'dead-lettered');
  };

  const settle = async (item: InFlight<T>, outcome: MessageOutcome): Promise<void> => {
    if (outcome.type === 'ack') {
      item.msg.ack();
      item.span.end();
      return;
    }
    item.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.reason });
    item.span.end();
    if (outcome.type === 'deadLetter' || item.deliveryCount >= retry.maxTries) {
      await deadLetter(item.msg, outcome.reason);
      return;
    }
    const delayMs = Math.max(0, Math.round(outcome.delayMs));
    log.warn(
      { subject: item.subject, deliveries: item.deliveryCount, retryInMs: delayMs, reason: outcome.reason },
      'retry',
    );
    item.msg.nak(delayMs);
  };

  const fail = (item: InFlight<T>, err: unknown): Promise<void> => {
    item.span.recordException(err instanceof Error ? err : String(err));
    const reason = describe(err);
    return settle(
      item,
      isPermanent(err)
        ? { type: 'deadLetter', reason }
        : {
            type: 'retry',
            // A provider's Retry-After is a floor: retrying sooner only earns another refusal.
            delayMs: Math.max(
              retryDelay(retry, item.deliveryCount),
              err instanceof UnavailableError ? err.retryAfterMs : 0,
            ),
            reason,
          },
    );
  };

  const settleAll = async (
    items: readonly InFlight<T>[],
    outcomes: void | readonly MessageOutcome[],
  ): Promise<void> => {
    if (outcomes && outcomes.length !== items.length) {
      throw new TypeError(`${durable}: the handler returned ${outcomes.length} outcomes for ${items.length} messages`);
    }
    // Acks first, all in one go: an await between two acks would let the connection flush each on its
    // own, a write to the socket per message.
    const others: [InFlight<T>, MessageOutcome][] = [];
    for (const [i, item] of items.entries()) {
      const outcome = outcomes?.[i] ?? ack;
      if (outcome.type === 'ack') {
        item.msg.ack();
        item.span.end();
      } else others.push([item, outcome]);
    }
    for (const [item, outcome] of others) await settle(item, outcome);
  };

  const pending: JsMsg[] = [];
  let stopped = false;
  /** Batches waiting out an outage of a dependency: while any does, nothing new is pulled. */
  let paused = 0;
  const wakers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });
  // Longest pause between tries during an outage, ms: a third of the ack wait, so that `working()`
  // renews the deadline of every message held here in time and the outage spends none of their deliveries.
  const holdPatience = Math.max(100, Math.min(5_000, Math.floor((options.ackWaitMs ?? 30_000) / 3)));

  /**
   * Runs the handler; while a dependency is out, keeps the batch (holding its
   * messages' ack deadlines) and tries again with backoff. Undefined when the
   * consumer stopped during the outage and released the batch.
   */
  const attempt = async (
    items: readonly InFlight<T>[],
  ): Promise<{ outcomes: void | readonly MessageOutcome[] } | { err: unknown } | undefined> => {
    for (let outage = 0; ; outage++) {
      try {
        const outcomes = await otelContext.with(items[0]!.context, () => handler(items));
        if (outage > 0) log.info({ tries: outage + 1 }, 'dependency back; consumer resumed');
        return { outcomes };
      } catch (err) {
        // A provider's Retry-After is its own pacing, not an outage of ours: the message waits it out on its own.
        const pacedByProvider = err instanceof UnavailableError && err.retryAfterMs > 0;
        if (!isTransient(err) || pacedByProvider) return { err };
        if (stopped) {
          for (const item of items) {
            item.msg.nak();
            item.span.end();
          }
          return undefined;
        }
        const delay = Math.min(holdPatience, 100 * 2 ** outage);
        if (outage === 0) log.warn({ err, messages: items.length }, 'dependency unavailable; consumer paused');
        paused++;
        try {
          for (const item of items) item.msg.working();
          for (const msg of pending) msg.working();
          await sleep(delay);
        } finally {
          paused--;
        }
      }
    }
  };

  const processBatch = async (msgs: JsMsg[]): Promise<void> => {
    const items: InFlight<T>[] = [];
    for (const msg of msgs) {
      if (msg.info.deliveryCount > 1) redeliveries.inc({ consumer: durable });
      let data: T;
      try {
        data = topic.codec.decode(msg.data);
      } catch (err) {
        await deadLetter(msg, `undecodable payload: ${describe(err)}`);
        continue;
      }
      const parent = extractContext(msg.headers, headerGetter);
      // While nothing records, a message's span is a shared no-op and its context its own.
      const span = tracingRecords()
        ? tracer.startSpan(
            `${durable} process`,
            {
              kind: SpanKind.CONSUMER,
              attributes: { 'messaging.destination.name': msg.subject, 'messaging.consumer.group.name': durable },
            },
            parent,
          )
        : quietSpan;
      items.push({
        msg,
        span,
        data,
        subject: bus.unprefixed(msg.subject),
        deliveryCount: msg.info.deliveryCount,
        context: span === quietSpan ? parent : trace.setSpan(parent, span),
      });
    }
    if (items.length === 0) return;
    const result = await attempt(items);
    if (!result) return;
    if ('outcomes' in result) {
      await settleAll(items, result.outcomes);
      return;
    }
    if (items.length === 1) {
      await fail(items[0]!, result.err);
      return;
    }
    // Isolate the failure: each message on its own, so the good ones go through.
    for (const item of items) {
      const own = await attempt([item]);
      if (!own) continue;
      if ('outcomes' in own) await settleAll([item], own.outcomes);
      else await fail(item, own.err);
    }
  };

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

  // Bounded pulls rather than an endless consume(): a pull's messages are all
  // received before the loop stops, so a stop never strands messages that the
  // server has sent but this process has not yet read (they would wait out
  // ack_wait before anyone else could have them).
  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      // Pull again only once the work already received has room to go.
      while ((pending.length >= pullSize || paused > 0) && !stopped) {
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
        await sleep(Math.min(5_000, 100 * 2 ** failures));
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
    stream: streamName,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        for (const wake of [...wakers]) wake();
        await loop;
        log.info('consumer stopped');
      })();
      return stopping;
    },
  };
}
