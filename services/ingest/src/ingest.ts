import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import type { AddReply, Notification, Popup, ProviderRef, ShowReply } from '@herald/contracts';
import { InvalidArgumentError } from '@herald/errors';
import { annotateSpan } from '@herald/telemetry';
import type { Accepted, AcceptedPopup } from './validate.js';

/** Who holds an API key, and which recipients are not users of its account. */
export interface Authorizer {
  authorize(
    apiKey: string,
    recipients: readonly string[],
  ): Promise<{ accountId: string; provider: ProviderRef; unknownRecipients: string[] }>;
}

export interface NotificationPublisher {
  /** Stores the notification in the stream; `duplicate` when its id was already there. */
  publishNotification(notification: Notification): Promise<{ duplicate: boolean }>;
  /** Sends a popup to the live feed of each recipient, or of every user when none are given. */
  publishPopup(popup: Popup, recipients: readonly string[]): void;
}

/** Fixed namespace for ids derived from idempotency keys (UUIDv5). */
const IDEMPOTENCY_NAMESPACE = '6f1c9a52-3b7e-4d8a-9c61-2f0e5b4a7d13';

type Body = NonNullable<Notification['body']>;

/**
 * Turns validated requests into notifications and popups. The account and the
 * provider come from the API key, never from the request.
 */
export class Ingest {
  constructor(
    private readonly authorizer: Authorizer,
    private readonly publisher: NotificationPublisher,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async add<B>(apiKey: string, accepted: Accepted<B>, wrap: (body: B) => Body): Promise<AddReply> {
    const { accountId, provider, known, unknownRecipients } = await this.resolve(apiKey, accepted.recipients);
    const ingestedAt = this.now();
    const id = accepted.idempotencyKey
      ? uuidv5(`${accountId}\n${provider.id}\n${accepted.idempotencyKey}`, IDEMPOTENCY_NAMESPACE)
      : uuidv7();
    annotateSpan({ 'herald.notification_id': id, 'herald.account_id': accountId });
    const { duplicate } = await this.publisher.publishNotification({
      id,
      accountId,
      provider,
      recipients: known,
      occurredAt: accepted.date === undefined ? ingestedAt : new Date(accepted.date * 1000),
      ingestedAt,
      body: wrap(accepted.body),
    });
    return { id, duplicate, unknownRecipients };
  }

  async show(apiKey: string, accepted: AcceptedPopup): Promise<ShowReply> {
    const { accountId, provider, known, unknownRecipients } = await this.resolve(apiKey, accepted.recipients);
    const id = uuidv7();
    annotateSpan({ 'herald.popup_id': id, 'herald.account_id': accountId });
    this.publisher.publishPopup(
      {
        id,
        accountId,
        provider,
        date: accepted.date === undefined ? this.now() : new Date(accepted.date * 1000),
        kind: accepted.kind,
      },
      known,
    );
    return { id, unknownRecipients };
  }

  private async resolve(apiKey: string, recipients: readonly string[]) {
    const { accountId, provider, unknownRecipients } = await this.authorizer.authorize(apiKey, recipients);
    const unknown = new Set(unknownRecipients);
    const known = recipients.filter((r) => !unknown.has(r));
    if (recipients.length > 0 && known.length === 0) {
      throw new InvalidArgumentError('recipients', `none is a user of account ${accountId}`);
    }
    return { accountId, provider, known, unknownRecipients };
  }
}
