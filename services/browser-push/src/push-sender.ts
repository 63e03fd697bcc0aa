import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import webpush, { WebPushError, type RequestDetails, type RequestOptions, type Urgency } from 'web-push';
import type { SentLedger, SentRecord } from '@herald/channel';
import type { Logger } from '@herald/telemetry';
import type { StoredSubscription, SubscriptionRepository } from './subscription-repository.js';

/** One push to one subscription. */
export interface Outgoing {
  readonly subscription: StoredSubscription;
  readonly payload: unknown;
  readonly urgency: Urgency;
  readonly topic?: string;
  /** The ledger key recorded once the push service accepts the message, so that no retry sends it again. */
  readonly ledgerKey?: string;
}

/** What became of one push. */
export type Sent =
  | { readonly status: 'sent'; readonly messageId: string; readonly tries: number }
  | { readonly status: 'pruned'; readonly code: string }
  | { readonly status: 'failed'; readonly code: string }
  /** Still refused for now after the last try in process: the consumer's redelivery takes it from here. */
  | { readonly status: 'retry'; readonly code: string; readonly retryAfterMs: number };

export interface PushSettings {
  readonly vapid: { readonly subject: string; readonly publicKey: string; readonly privateKey: string };
  /** Seconds a push service keeps a message for an offline browser. */
  readonly ttlSeconds: number;
  readonly timeoutMs: number;
  readonly maxSockets: number;
  /** Sends of one message in process. */
  readonly tries: number;
  readonly baseDelayMs: number;
  /** Longest wait in process; a longer one is left to the consumer. */
  readonly maxDelayMs: number;
}

type Refusal = 'prune' | 'retry' | 'fail';

/** RFC 8030: 404 and 410 mean the subscription is gone for good; 429 and 5xx, try later. */
function refusalOf(statusCode: number): Refusal {
  if (statusCode === 404 || statusCode === 410) return 'prune';
  if (statusCode === 429 || statusCode >= 500) return 'retry';
  return 'fail';
}

/** Retry-After in seconds or as an HTTP date, in milliseconds; 0 when absent. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}

/** The origin and path of an endpoint, without the token at its end that would let anyone push to it. */
export function maskEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.origin}/…${url.pathname.slice(-4)}`;
  } catch {
    return '…';
  }
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * The request web-push made (VAPID, encryption, headers) sent over plain http:
 * web-push itself speaks only https, and only an allow-listed origin (a
 * developer's push service) is ever http. Answers as sendNotification does.
 */
function sendOverHttp(details: RequestDetails, timeoutMs: number, agent: http.Agent): Promise<{ headers: Headers }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      details.endpoint,
      { method: details.method, headers: details.headers, timeout: timeoutMs, agent },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status <= 299) resolve({ headers: response.headers as Headers });
          else {
            const headers = response.headers as Record<string, string>;
            reject(new WebPushError('Received unexpected response code', status, headers, text, details.endpoint));
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('Socket timeout')));
    request.on('error', reject);
    request.end(details.body ?? undefined);
  });
}

/**
 * Sends Web Push messages with web-push (VAPID, aes128gcm), all of a batch at
 * once over a bounded pool of connections, each with a timeout. A message a
 * push service accepts is recorded in the ledger before anything else happens
 * to it; a subscription it calls gone is removed; one refused for now is sent
 * again after the wait asked for (Retry-After), or after a doubling backoff.
 */
export class PushSender {
  private readonly agent: https.Agent;
  private readonly plainAgent: http.Agent;

  constructor(
    private readonly settings: PushSettings,
    private readonly deps: { subscriptions: SubscriptionRepository; ledger: SentLedger; logger: Logger },
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: settings.maxSockets });
    this.plainAgent = new http.Agent({ keepAlive: true, maxSockets: settings.maxSockets });
  }

  async sendAll(items: readonly Outgoing[]): Promise<Sent[]> {
    const results: Sent[] = [];
    let pending = items.map((_, i) => i);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const again: number[] = [];
      let wait = 0;
      const records: SentRecord[] = [];
      const gone: StoredSubscription[] = [];
      await Promise.all(
        pending.map(async (i) => {
          const item = items[i]!;
          const result = await this.sendOne(item, attempt);
          results[i] = result;
          switch (result.status) {
            case 'sent':
              if (item.ledgerKey) {
                records.push({ deliveryId: item.ledgerKey, sentAt: new Date(), providerMessageId: result.messageId });
              }
              return;
            case 'pruned':
              gone.push(item.subscription);
              return;
            case 'retry':
              wait = Math.max(wait, result.retryAfterMs);
              again.push(i);
              return;
            case 'failed':
              return;
          }
        }),
      );
      await this.deps.ledger.record(records);
      const removed = await this.deps.subscriptions.prune(gone);
      if (removed > 0) this.deps.logger.info({ removed }, 'removed push subscriptions their push service called gone');
      if (again.length === 0 || attempt >= this.settings.tries) break;
      const delay = Math.max(wait, this.settings.baseDelayMs * 2 ** (attempt - 1));
      if (delay > this.settings.maxDelayMs) break;
      await sleep(delay);
      pending = again.sort((a, b) => a - b);
    }
    return results;
  }

  private async sendOne(item: Outgoing, attempt: number): Promise<Sent> {
    const { subscription } = item;
    try {
      const target = {
        endpoint: subscription.endpoint,
        keys: { p256dh: subscription.p256dh, auth: subscription.auth },
      };
      const options: RequestOptions = {
        vapidDetails: this.settings.vapid,
        contentEncoding: 'aes128gcm',
        TTL: this.settings.ttlSeconds,
        urgency: item.urgency,
        ...(item.topic ? { topic: item.topic } : {}),
        timeout: this.settings.timeoutMs,
        agent: this.agent,
      };
      const body = JSON.stringify(item.payload);
      const reply = subscription.endpoint.startsWith('http:')
        ? await sendOverHttp(
            webpush.generateRequestDetails(target, body, options),
            this.settings.timeoutMs,
            this.plainAgent,
          )
        : await webpush.sendNotification(target, body, options);
      const location = reply.headers['location'];
      return { status: 'sent', messageId: typeof location === 'string' ? location : '', tries: attempt };
    } catch (err) {
      const log = { subscriptionId: subscription.id, endpoint: maskEndpoint(subscription.endpoint), attempt };
      if (err instanceof WebPushError) {
        const refusal = refusalOf(err.statusCode);
        const code = `HTTP ${err.statusCode}`;
        this.deps.logger.warn(
          { ...log, status: err.statusCode, body: err.body.slice(0, 200), refusal },
          'push refused',
        );
        if (refusal === 'prune') return { status: 'pruned', code };
        if (refusal === 'fail') return { status: 'failed', code };
        return { status: 'retry', code, retryAfterMs: retryAfterMs(err.headers['retry-after']) };
      }
      // No answer: refused connection, TLS failure, timeout. Tried again like a 503.
      const message = (err as Error).message;
      this.deps.logger.warn({ ...log, err }, 'push service did not answer');
      return { status: 'retry', code: message.slice(0, 120), retryAfterMs: 0 };
    }
  }

  close(): void {
    this.agent.destroy();
    this.plainAgent.destroy();
  }
}
