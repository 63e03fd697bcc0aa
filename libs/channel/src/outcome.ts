import {
  channelToken,
  topics,
  type Delivery,
  type DeliveryChannel,
  type DeliveryOutcome,
  type Topic,
} from '@herald/contracts';
import { InvalidArgumentError } from '@herald/errors';

/** What reporting needs of the bus (a @herald/bus Bus is one). */
export interface OutcomePublisher {
  publish<T, P extends readonly string[]>(
    topic: Topic<T, P>,
    values: { [K in keyof P]: string },
    message: T,
    options: { msgID: string },
  ): Promise<unknown>;
}

/** Which delivery an outcome is about. */
export interface DeliveryRef {
  readonly deliveryId: string;
  readonly notificationId: string;
  readonly accountId: string;
  readonly userId: string;
  readonly channel: DeliveryChannel;
}

/** What became of a delivery, as its channel tells it. */
export type OutcomeReport =
  | { readonly status: 'delivered'; readonly tries: number; readonly providerMessageId?: string }
  | { readonly status: 'failed'; readonly reason: string; readonly tries: number }
  | { readonly status: 'skipped'; readonly reason: string };

const statusOf = {
  delivered: 'DELIVERY_STATUS_DELIVERED',
  failed: 'DELIVERY_STATUS_FAILED',
  skipped: 'DELIVERY_STATUS_SKIPPED',
} as const;

/** Longest reason kept: a provider's error text can be long, the log needs its gist. */
const maxReasonLength = 500;

/** The reference of a delivery as the router published it; a delivery that names no recipient is refused (INVALID_ARGUMENT). */
export function deliveryRef(delivery: Delivery): DeliveryRef {
  const { notification, recipient } = delivery;
  if (!notification?.id || !notification.accountId || !recipient?.userId) {
    throw new InvalidArgumentError(
      'delivery',
      `${JSON.stringify(delivery.id.slice(0, 80))} lacks its notification or recipient`,
    );
  }
  if (delivery.channel === 'CHANNEL_UNSPECIFIED' || delivery.channel === 'UNRECOGNIZED') {
    throw new InvalidArgumentError('delivery', `${JSON.stringify(delivery.id.slice(0, 80))} names no channel`);
  }
  return {
    deliveryId: delivery.id,
    notificationId: notification.id,
    accountId: notification.accountId,
    userId: recipient.userId,
    channel: delivery.channel,
  };
}

/**
 * Publishes what became of a delivery on outcomes.<channel>.<account>. The
 * msgID is the delivery id and the status, so reporting the same outcome
 * again (a redelivered message, a retried publish) is dropped by JetStream.
 */
export async function reportOutcome(
  bus: OutcomePublisher,
  ref: DeliveryRef,
  report: OutcomeReport,
  at: Date = new Date(),
): Promise<DeliveryOutcome> {
  const outcome: DeliveryOutcome = {
    deliveryId: ref.deliveryId,
    notificationId: ref.notificationId,
    accountId: ref.accountId,
    userId: ref.userId,
    channel: ref.channel,
    status: statusOf[report.status],
    reason: report.status === 'delivered' ? '' : report.reason.slice(0, maxReasonLength),
    tries: report.status === 'skipped' ? 0 : report.tries,
    providerMessageId: report.status === 'delivered' ? (report.providerMessageId ?? '') : '',
    at,
  };
  await bus.publish(topics.deliveryOutcome, [channelToken(ref.channel), ref.accountId], outcome, {
    msgID: `${ref.deliveryId}.${report.status}`,
  });
  return outcome;
}
