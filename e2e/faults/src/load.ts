import { status, type ServiceError } from '@grpc/grpc-js';
import { NotificationIngestClient } from '@herald/contracts';
import { callUnary, clientOptions } from '@herald/rpc';
import { notificationText } from './census.js';

/** What became of one notification the load generator sent. */
export interface Sent {
  readonly key: string;
  readonly recipient: string;
  /** The fault under way when it was first sent. */
  readonly phase: string;
  /** The id ingest answered with, once accepted. */
  id?: string;
  /** The final status when it was refused for good (after the retries). */
  refused?: string;
  /** Transient answers (UNAVAILABLE, DEADLINE_EXCEEDED) that were retried, by status name. */
  readonly retried: Map<string, number>;
}

/** The status codes a client retries with the same idempotency key: the call may or may not have been taken. */
const transient = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

export const statusName = (code: number): string => status[code] ?? `status ${code}`;

export interface LoadOptions {
  address: string;
  apiKey: string;
  users: number;
  /** Most calls in flight at once. */
  concurrency: number;
  /** How long a client keeps retrying one notification through an outage. */
  retryBudgetMs: number;
}

/**
 * Integrations calling AddError, each notification with its own idempotency
 * key. A transient refusal is retried with the same key after a backoff, as a
 * real client does; any other answer is final.
 */
export class LoadGenerator {
  readonly sent: Sent[] = [];
  private readonly client: NotificationIngestClient;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly options: LoadOptions) {
    const [credentials, channelOptions] = clientOptions();
    // A restarted ingest is back within seconds: do not let the channel's reconnect backoff grow past that.
    this.client = new NotificationIngestClient(options.address, credentials, {
      ...channelOptions,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 1_000,
    });
  }

  /** Sends `count` notifications at `perSecond`, never more than `concurrency` at once; resolves once all are answered. */
  async send(phase: string, count: number, perSecond: number): Promise<void> {
    const began = performance.now();
    for (let i = 0; i < count; i++) {
      const due = began + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      while (this.inflight.size >= this.options.concurrency) await Promise.race(this.inflight);
      const n = this.sent.length;
      const sent: Sent = { key: `n${n}`, recipient: `u${n % this.options.users}`, phase, retried: new Map() };
      this.sent.push(sent);
      const call: Promise<void> = this.deliver(sent).finally(() => this.inflight.delete(call));
      this.inflight.add(call);
    }
    await Promise.all(this.inflight);
  }

  /** Sends one notification, retrying transient refusals; records its id or its final status on `sent`. */
  async deliver(sent: Sent): Promise<void> {
    const giveUp = Date.now() + this.options.retryBudgetMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const reply = await callUnary(
          this.client.addError.bind(this.client),
          { text: notificationText(sent.key), recipients: [sent.recipient], idempotencyKey: sent.key },
          { deadlineMs: 10_000, bearer: this.options.apiKey },
        );
        sent.id = reply.id;
        return;
      } catch (err) {
        const code = (err as ServiceError).code;
        const name = statusName(code);
        if (!transient.has(code) || Date.now() > giveUp) {
          sent.refused = name;
          return;
        }
        sent.retried.set(name, (sent.retried.get(name) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
      }
    }
  }

  close(): void {
    this.client.close();
  }
}
