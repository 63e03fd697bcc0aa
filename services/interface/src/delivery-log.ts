import { idPattern, type DeliveryOutcome, type ListDeliveriesReply } from '@herald/contracts';
import type { Received } from '@herald/bus';
import { InvalidArgumentError, NotFoundError } from '@herald/errors';
import type { DeliveryLogRepository } from './delivery-log-repository.js';

/** Longest id a field of an outcome may hold: PostgreSQL keeps it, the log stays small. */
const maxIdLength = 256;

function isStorable(outcome: DeliveryOutcome): boolean {
  return (
    idPattern.test(outcome.accountId) &&
    idPattern.test(outcome.userId) &&
    outcome.notificationId !== '' &&
    outcome.notificationId.length <= maxIdLength &&
    outcome.deliveryId !== '' &&
    outcome.deliveryId.length <= maxIdLength &&
    outcome.status !== 'DELIVERY_STATUS_UNSPECIFIED' &&
    outcome.status !== 'UNRECOGNIZED' &&
    !/\0/.test(outcome.reason + outcome.providerMessageId + outcome.notificationId + outcome.deliveryId)
  );
}

/** What every channel reported of each delivery, kept beside the inbox item. */
export class DeliveryLog {
  constructor(private readonly repository: DeliveryLogRepository) {}

  /** Stores a batch of outcomes; one no channel could have sent (no account, no status) is dropped. */
  async store(batch: readonly Received<DeliveryOutcome>[]): Promise<void> {
    const outcomes = batch.map((r) => r.data);
    const valid = outcomes.filter(isStorable);
    if (valid.length < outcomes.length) {
      throw new InvalidArgumentError('outcome', `${outcomes.length - valid.length} outcome(s) cannot be stored`);
    }
    await this.repository.insertMany(valid);
  }

  async list(accountId: string, userId: string, notificationId: string): Promise<ListDeliveriesReply> {
    if (!idPattern.test(accountId)) throw new InvalidArgumentError('account_id', 'must be an account id');
    if (!idPattern.test(userId)) throw new InvalidArgumentError('user_id', 'must be a user id');
    if (notificationId === '' || notificationId.length > 64 || notificationId.includes('\0')) {
      throw new InvalidArgumentError('notification_id', 'is not an id');
    }
    const outcomes = await this.repository.list(accountId, userId, notificationId);
    // Another user's item, or none at all: nothing to tell, and no telling which.
    if (outcomes.length === 0 && !(await this.repository.hasItem(accountId, userId, notificationId))) {
      throw new NotFoundError(`no notification ${notificationId}`);
    }
    return { outcomes };
  }
}
