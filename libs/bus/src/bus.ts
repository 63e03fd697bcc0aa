import {
  JetStreamApiCodes,
  PubHeaders,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
} from '@nats-io/jetstream';
import { readFile } from 'node:fs/promises';
import { connect, credsAuthenticator, headers, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { streams, subjectOf, filterOf, type StreamName, type Topic } from '@herald/contracts';
import { extractContext, injectContext, tracingRecords, withSpan, type Logger } from '@herald/telemetry';
import type { ConsumerState } from '@herald/metrics';
import type { Context } from '@opentelemetry/api';
import { isApiError } from './jetstream-errors.js';
import { headerGetter, headerSetter } from './trace-headers.js';
import { PublishBatcher } from './publish-batch.js';
import { startConsumer, type ConsumerHandle, type ConsumerOptions, type BatchHandler } from './consume.js';

export interface BusOptions {
  /** nats://host:port, comma-separated for a cluster. */
  url: string;
  /** Prefix of every subject and stream (empty in production, unique per test). */
  namespace: string;
  /** The connection's name, as the server reports it. */
  name: string;
  logger: Logger;
  /** Stream replicas: 1 on one machine, 3 on a cluster. */
  replicas?: number;
  /** Who the service is to a NATS server that requires it; none on the open local server. */
  credentials?: NatsCredentials;
}

export interface NatsCredentials {
  user?: string | undefined;
  password?: string | undefined;
  /** Path of a .creds file (a user JWT and its nkey seed), instead of user and password. */
  credsFile?: string | undefined;
}

export interface PublishOptions {
  /** Deduplication key: JetStream drops a second publish with the same id. */
  msgID: string;
  /** Trace context to propagate; the active one when unset. */
  context?: Context;
}

/**
 * The typed face of NATS: subjects come from `topics`, payloads are the
 * protobuf messages of each topic, and the namespace is applied in one place.
 */
export class Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly namespace: string;
  private readonly logger: Logger;
  private readonly replicas: number;
  private readonly consumers = new Set<ConsumerHandle>();
  private readonly publisher: PublishBatcher;

  private constructor(nc: NatsConnection, jsm: JetStreamManager, options: BusOptions) {
    this.nc = nc;
    this.publisher = new PublishBatcher(nc);
    this.jsm = jsm;
    this.js = jetstream(nc);
    this.namespace = options.namespace;
    this.logger = options.logger;
    this.replicas = options.replicas ?? 1;
  }

  static async connect(options: BusOptions): Promise<Bus> {
    const { user, password, credsFile } = options.credentials ?? {};
    const nc = await connect({
      servers: options.url.split(','),
      name: options.name,
      maxReconnectAttempts: -1,
      // An Error (with its stack) made ahead of every request, JetStream publish included, in case it
      // fails: a tenth of a busy service's CPU. Failures still say what failed.
      noAsyncTraces: true,
      ...(user === undefined ? {} : { user, pass: password }),
      ...(credsFile === undefined ? {} : { authenticator: credsAuthenticator(await readFile(credsFile)) }),
    });
    const jsm = await jetstreamManager(nc);
    return new Bus(nc, jsm, options);
  }

  /** The namespaced subject of a topic. */
  subject<T, P extends readonly string[]>(topic: Topic<T, P>, ...values: { [K in keyof P]: string }): string {
    return this.prefixed(subjectOf(topic, ...values));
  }

  /** The namespaced wildcard over a topic, e.g. deliveries.interface.> */
  filter<T, P extends readonly string[]>(topic: Topic<T, P>, ...leading: string[]): string {
    return this.prefixed(filterOf(topic, ...leading));
  }

  streamName(stream: StreamName): string {
    return this.namespace ? `${this.namespace}_${stream}` : stream;
  }

  /** Removes the namespace from a subject received from the server. */
  unprefixed(subject: string): string {
    return this.namespace && subject.startsWith(`${this.namespace}.`)
      ? subject.slice(this.namespace.length + 1)
      : subject;
  }

  private prefixed(subject: string): string {
    return this.namespace ? `${this.namespace}.${subject}` : subject;
  }

  /** Creates the streams, or brings an existing one's limits up to date. Safe to run at every start. */
  async ensureStreams(names: readonly StreamName[]): Promise<void> {
    for (const stream of names) {
      const spec = streams[stream];
      const config = {
        name: this.streamName(stream),
        subjects: spec.subjects.map((s) => this.prefixed(s)),
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        max_age: spec.maxAgeMs * 1_000_000,
        duplicate_window: spec.duplicateWindowMs * 1_000_000,
        num_replicas: this.replicas,
      };
      try {
        await this.jsm.streams.info(config.name);
        await this.jsm.streams.update(config.name, config);
      } catch (err) {
        if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err;
        await this.jsm.streams.add(config);
      }
    }
  }

  /**
   * Publishes to a stream; resolves once JetStream has stored (or
   * deduplicated) the message. Concurrent publishes go out together (see
   * PublishBatcher), each answered by its own ack.
   */
  async publish<T, P extends readonly string[]>(
    topic: Topic<T, P>,
    values: { [K in keyof P]: string },
    message: T,
    options: PublishOptions,
  ): Promise<PubAck> {
    if (topic.stream === null) throw new TypeError(`${topic.base} is a core subject: use publishCore`);
    const subject = this.subject(topic, ...values);
    if (!tracingRecords()) {
      // No span to start: the message carries its caller's trace context as it is.
      const h = headers();
      h.set(PubHeaders.MsgIdHdr, options.msgID);
      injectContext(h, headerSetter, options.context);
      return this.publisher.publish(subject, topic.codec.encode(message).finish(), h);
    }
    return withSpan(
      'herald.bus',
      `publish ${topic.base}`,
      { kind: 'producer', parent: options.context },
      async (span) => {
        span.setAttribute('messaging.destination.name', subject);
        span.setAttribute('messaging.message.id', options.msgID);
        const h = headers();
        h.set(PubHeaders.MsgIdHdr, options.msgID);
        injectContext(h, headerSetter);
        return this.publisher.publish(subject, topic.codec.encode(message).finish(), h);
      },
    );
  }

  /** Fire-and-forget on core NATS: for live events that are never stored. */
  publishCore<T, P extends readonly string[]>(
    topic: Topic<T, P>,
    values: { [K in keyof P]: string },
    message: T,
    context?: Context,
  ): void {
    const h = headers();
    injectContext(h, headerSetter, context);
    this.nc.publish(this.subject(topic, ...values), topic.codec.encode(message).finish(), { headers: h });
  }

  /** A core-NATS subscription on a topic; `leading` narrows it (e.g. to one account and user). */
  subscribe<T, P extends readonly string[]>(
    topic: Topic<T, P>,
    leading: readonly string[],
    handler: (message: T, subject: string, context: Context) => void,
  ): Subscription {
    const subject =
      leading.length === topic.params.length
        ? this.subject(topic, ...(leading as { [K in keyof P]: string }))
        : this.filter(topic, ...leading);
    return this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          this.logger.warn({ err, subject }, 'subscription closed');
          return;
        }
        let decoded: T;
        try {
          decoded = topic.codec.decode(msg.data);
        } catch (cause) {
          this.logger.warn({ err: cause, subject: msg.subject }, 'undecodable message dropped');
          return;
        }
        handler(decoded, this.unprefixed(msg.subject), extractContext(msg.headers, headerGetter));
      },
    });
  }

  /**
   * Starts a durable pull consumer on a stream topic (created or updated
   * idempotently) and feeds its messages to `handler` in batches.
   */
  async consume<T, P extends readonly string[]>(
    topic: Topic<T, P>,
    options: ConsumerOptions,
    handler: BatchHandler<T>,
  ): Promise<ConsumerHandle> {
    if (topic.stream === null) throw new TypeError(`${topic.base} is a core subject: use subscribe`);
    const handle = await startConsumer(this, topic, topic.stream, options, handler, this.logger);
    this.consumers.add(handle);
    return handle;
  }

  /** The server's view of every consumer started here: lag, unacknowledged, redelivered. */
  async consumerStates(): Promise<ConsumerState[]> {
    return Promise.all(
      [...this.consumers].map(async (c) => {
        const info = await this.jsm.consumers.info(c.stream, c.name);
        return {
          stream: c.stream,
          consumer: c.name,
          pending: info.num_pending,
          ackPending: info.num_ack_pending,
          redelivered: info.num_redelivered,
        };
      }),
    );
  }

  /** Stops every consumer (finishing what is in flight), then drains the connection. */
  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.consumers.clear();
    await this.publisher.close();
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
