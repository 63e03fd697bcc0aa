import { Notification, type Delivery } from '@herald/contracts';
import type { Received } from '@herald/bus';
import { deliveryRef, reportOutcome, type DeliveryRef, type OutcomePublisher, type SentLedger } from '@herald/channel';
import type { Logger } from '@herald/telemetry';
import type { DigestRepository } from './digest-repository.js';
import { immediateMail, type MailLinks } from './mail-content.js';
import { MailError, type Mailer } from './mailer.js';
import { fromDelivery } from './recipients.js';

export interface EmailSenderDeps {
  readonly ledger: SentLedger;
  readonly mailer: Mailer;
  readonly outcomes: OutcomePublisher;
  readonly digests: DigestRepository;
  readonly links: MailLinks;
  /** Deliveries of a message before its failure is final (the consumer's max tries). */
  readonly maxTries: number;
  readonly now: () => Date;
  readonly logger: Logger;
}

/** What became of one message: the shape a per-message consumer outcome will take. */
export type MessageResult = 'sent' | 'already sent' | 'held for digest' | 'skipped' | 'refused';

/**
 * Sends deliveries.email: one mail per delivery at the time of the event, or
 * holds it for the user's digest. Idempotent per message: the ledger is read
 * before a send and written before the ack, so a re-run never mails twice.
 */
export class EmailSender {
  constructor(private readonly deps: EmailSenderDeps) {}

  /**
   * A batch as the bus hands it: each message on its own; when any failed, the
   * first failure is thrown once the others are done, so the bus retries each
   * message alone (the sent ones find their ledger entry and send nothing).
   */
  async handle(batch: readonly Received<Delivery>[]): Promise<void> {
    const results = await Promise.allSettled(batch.map((received) => this.deliver(received)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async deliver(received: Received<Delivery>): Promise<MessageResult> {
    const { data: delivery, deliveryCount } = received;
    const ref = deliveryRef(delivery);
    const recipient = delivery.recipient!;
    const notification = delivery.notification!;
    const { outcomes, ledger } = this.deps;
    if (recipient.email === '') {
      await reportOutcome(outcomes, ref, { status: 'skipped', reason: 'no email address' }, this.deps.now());
      return 'skipped';
    }
    if (recipient.emailMode === 'EMAIL_MODE_DAILY') {
      await this.hold(ref, delivery);
      await reportOutcome(outcomes, ref, { status: 'skipped', reason: 'digest' }, this.deps.now());
      return 'held for digest';
    }
    const sent = await ledger.sent(ref.deliveryId);
    if (sent) {
      const report = { status: 'delivered', tries: deliveryCount, providerMessageId: sent.providerMessageId } as const;
      await reportOutcome(outcomes, ref, report, sent.sentAt);
      return 'already sent';
    }
    const content = immediateMail(
      notification,
      { accountId: ref.accountId, userId: ref.userId, locale: recipient.locale, timezone: recipient.timezone },
      this.deps.links,
    );
    let messageId: string;
    try {
      messageId = await this.deps.mailer.send({ to: recipient.email, content, messageKey: ref.deliveryId });
    } catch (err) {
      const final = !(err instanceof MailError) || err.permanent || deliveryCount >= this.deps.maxTries;
      const reason = err instanceof Error ? err.message : String(err);
      if (final) {
        await reportOutcome(outcomes, ref, { status: 'failed', reason, tries: deliveryCount }, this.deps.now());
      }
      if (err instanceof MailError && err.permanent) {
        this.deps.logger.warn({ delivery: ref.deliveryId, reason }, 'mail refused for good');
        return 'refused';
      }
      throw err;
    }
    const sentAt = this.deps.now();
    await ledger.record([{ deliveryId: ref.deliveryId, sentAt, providerMessageId: messageId }]);
    await reportOutcome(
      outcomes,
      ref,
      { status: 'delivered', tries: deliveryCount, providerMessageId: messageId },
      sentAt,
    );
    return 'sent';
  }

  private async hold(ref: DeliveryRef, delivery: Delivery): Promise<void> {
    const notification = delivery.notification!;
    const now = this.deps.now();
    const recipient = fromDelivery(ref.accountId, delivery.recipient!, now);
    const { digests } = this.deps;
    await digests.saveRecipient(recipient);
    if (recipient.nextDigestAt) await digests.scheduleIfIdle(ref.accountId, ref.userId, recipient.nextDigestAt);
    await digests.hold([
      {
        accountId: ref.accountId,
        userId: ref.userId,
        notificationId: ref.notificationId,
        deliveryId: ref.deliveryId,
        arrivedAt: notification.ingestedAt ?? notification.occurredAt ?? now,
        notification: Notification.encode({ ...notification, recipients: [] }).finish(),
      },
    ]);
  }
}
