import { Counter, Gauge, Histogram, collectDefaultMetrics, register } from 'prom-client';

/** What a durable consumer's server-side state reports, per scrape. */
export interface ConsumerState {
  stream: string;
  consumer: string;
  /** Messages of the stream the consumer has yet to receive: its lag. */
  pending: number;
  /** Received but not yet acknowledged. */
  ackPending: number;
  /** Delivered more than once and not yet acknowledged. */
  redelivered: number;
}

/** A source of consumer states, e.g. a Bus. */
export interface ConsumerStates {
  consumerStates(): Promise<readonly ConsumerState[]>;
}

/** The counts node-postgres keeps of a pool. */
export interface PoolStats {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

const consumerSources = new Set<ConsumerStates>();
const pools = new Map<string, PoolStats>();

/** gRPC calls served, by full method and status code; seconds. */
export const rpcDuration = new Histogram({
  name: 'herald_rpc_server_duration_seconds',
  help: 'gRPC calls served, by method and status code, with their latency',
  labelNames: ['method', 'code'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const deadLetters = new Counter({
  name: 'herald_dead_letters_total',
  help: 'Messages a consumer sent to the dead-letter subject',
  labelNames: ['consumer'] as const,
});

export const redeliveries = new Counter({
  name: 'herald_consumer_redeliveries_total',
  help: 'Deliveries a consumer received that were not the first of their message',
  labelNames: ['consumer'] as const,
});

/** Scrapes fetch the consumers' state from the server; one failing source leaves the others reported. */
async function collectConsumers(): Promise<readonly ConsumerState[]> {
  const results = await Promise.allSettled([...consumerSources].map((s) => s.consumerStates()));
  return results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
}

/** The gauges read from each consumer's state at every scrape. */
const consumerGauges = {
  herald_consumer_pending_messages: {
    help: 'Messages of the stream a durable consumer has yet to receive (its lag)',
    value: (state: ConsumerState) => state.pending,
  },
  herald_consumer_ack_pending_messages: {
    help: 'Messages a durable consumer received and has not yet acknowledged',
    value: (state: ConsumerState) => state.ackPending,
  },
  herald_consumer_redelivered_messages: {
    help: 'Messages a durable consumer has delivered more than once and that are still unacknowledged',
    value: (state: ConsumerState) => state.redelivered,
  },
} as const;

for (const [name, { help, value }] of Object.entries(consumerGauges)) {
  new Gauge({
    name,
    help,
    labelNames: ['stream', 'consumer'] as const,
    async collect() {
      this.reset();
      for (const state of await collectConsumers()) {
        this.set({ stream: state.stream, consumer: state.consumer }, value(state));
      }
    },
  });
}

new Gauge({
  name: 'herald_db_pool_clients',
  help: 'PostgreSQL pool clients: total open, idle, and callers waiting for one',
  labelNames: ['pool', 'state'] as const,
  collect() {
    this.reset();
    for (const [name, pool] of pools) {
      this.set({ pool: name, state: 'total' }, pool.totalCount);
      this.set({ pool: name, state: 'idle' }, pool.idleCount);
      this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
    }
  },
});

let defaultsCollected = false;

/** prom-client's process metrics (CPU, memory, event loop lag, handles), once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics();
}

/** Reports a source's consumers at every scrape until the returned function is called. */
export function watchConsumers(source: ConsumerStates): () => void {
  consumerSources.add(source);
  return () => consumerSources.delete(source);
}

/** Reports a pool's use under `name` at every scrape until the returned function is called. */
export function watchPool(name: string, pool: PoolStats): () => void {
  pools.set(name, pool);
  return () => {
    if (pools.get(name) === pool) pools.delete(name);
  };
}

/** Everything registered, in the Prometheus text format. */
export function metricsText(): Promise<string> {
  return register.metrics();
}

export const metricsContentType = register.contentType;
