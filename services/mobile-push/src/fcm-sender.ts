import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'firebase-admin/messaging';
import type { SentLedger, SentRecord } from '@herald/channel';
import type { Logger } from '@herald/telemetry';
import type { DeviceRepository, StoredDevice } from './device-repository.js';
import { refusalOf, retryAfterMs } from './fcm-errors.js';
import type { PushTransport } from './fcm.js';

/** Most messages in one sendEach call: FCM's limit. */
export const maxMessagesPerCall = 500;

/** One message for one device. */
export interface Outgoing {
  readonly device: StoredDevice;
  readonly message: Message;
  /** The ledger key recorded once FCM accepts the message, so that no retry sends it again. */
  readonly ledgerKey?: string;
}

/** What became of one message. */
export type Sent =
  | { readonly status: 'sent'; readonly messageId: string; readonly tries: number }
  | { readonly status: 'pruned'; readonly code: string }
  | { readonly status: 'failed'; readonly code: string; readonly message: string }
  /** Still refused for now after the last try in process: the consumer's redelivery takes it from here. */
  | { readonly status: 'retry'; readonly code: string; readonly message: string; readonly retryAfterMs: number };

export interface RetrySettings {
  /** Sends of one message in process. */
  readonly tries: number;
  readonly baseDelayMs: number;
  /** Longest wait in process; a longer one is left to the consumer. */
  readonly maxDelayMs: number;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The start and end of a token, enough to find it in the table, not enough to use it. */
export function maskToken(token: string): string {
  return token.length <= 16 ? '…' : `${token.slice(0, 6)}…${token.slice(-4)}`;
}

/**
 * Sends through FCM in calls of at most 500 messages. A message FCM accepts
 * is recorded in the ledger before anything else happens to it; a token FCM
 * refuses for good is removed; one refused for now (quota, unavailable) is
 * sent again after the wait FCM asked for, or after a doubling backoff.
 */
export class FcmSender {
  constructor(
    private readonly fcm: PushTransport,
    private readonly deps: {
      devices: DeviceRepository;
      ledger: SentLedger;
      retry: RetrySettings;
      logger: Logger;
    },
  ) {}

  async sendAll(items: readonly Outgoing[]): Promise<Sent[]> {
    const results: Sent[] = [];
    let pending = items.map((_, i) => i);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const again: number[] = [];
      let wait = 0;
      for (const chunk of chunks(pending, maxMessagesPerCall)) {
        const batch = await this.fcm.sendEach(chunk.map((i) => items[i]!.message));
        const sentAt = new Date();
        const records: SentRecord[] = [];
        const refused: StoredDevice[] = [];
        batch.responses.forEach((response, j) => {
          const i = chunk[j]!;
          const item = items[i]!;
          if (response.success) {
            const messageId = response.messageId ?? '';
            results[i] = { status: 'sent', messageId, tries: attempt };
            if (item.ledgerKey) records.push({ deliveryId: item.ledgerKey, sentAt, providerMessageId: messageId });
            return;
          }
          const code = response.error?.code ?? 'messaging/unknown-error';
          const message = response.error?.message ?? '';
          const refusal = refusalOf(code);
          this.deps.logger.warn(
            {
              fcmCode: code,
              fcmMessage: message,
              refusal,
              deviceId: item.device.id,
              token: maskToken(item.device.token),
              attempt,
            },
            'FCM refused a message',
          );
          switch (refusal) {
            case 'prune':
              results[i] = { status: 'pruned', code };
              refused.push(item.device);
              return;
            case 'fail':
              results[i] = { status: 'failed', code, message };
              return;
            case 'retry': {
              const after = retryAfterMs(response.error);
              results[i] = { status: 'retry', code, message, retryAfterMs: after };
              wait = Math.max(wait, after);
              again.push(i);
              return;
            }
          }
        });
        await this.deps.ledger.record(records);
        const removed = await this.deps.devices.prune(refused);
        if (removed > 0) this.deps.logger.info({ removed }, 'removed device tokens FCM refused for good');
      }
      if (again.length === 0 || attempt >= this.deps.retry.tries) break;
      const delay = Math.max(wait, this.deps.retry.baseDelayMs * 2 ** (attempt - 1));
      if (delay > this.deps.retry.maxDelayMs) break;
      await sleep(delay);
      pending = again;
    }
    return results;
  }
}
