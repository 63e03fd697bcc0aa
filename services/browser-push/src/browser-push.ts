import type { Received } from '@herald/bus';
import {
  deliveryRef,
  failureReason,
  latestReads,
  reportOutcome,
  userKey,
  type DeliveryRef,
  type OutcomePublisher,
  type SentLedger,
  type UnreadCounts,
} from '@herald/channel';
import type { Delivery, InboxRead } from '@herald/contracts';
import { UnavailableError } from '@herald/errors';
import type { Logger } from '@herald/telemetry';
import { notificationPayload, readPayloads, topicOf, type PayloadSettings } from './payloads.js';
import type { Outgoing, PushSender } from './push-sender.js';
import type { StoredSubscription, SubscriptionRepository } from './subscription-repository.js';

/** Why a delivery is skipped while no VAPID keys are configured. */
export const browserPushOff = 'browser push is off: no VAPID keys are configured';
export const noSubscription = 'no browser subscribed to push';

export interface BrowserPushDeps {
  /** Undefined while browser push is off. */
  sender: PushSender | undefined;
  subscriptions: SubscriptionRepository;
  ledger: SentLedger;
  outcomes: OutcomePublisher;
  unreadCounts: UnreadCounts;
  payloads: PayloadSettings;
  /** The consumer's deliveries of a message: on the last one, a delivery still refused for now is reported failed. */
  maxDeliveries: number;
  logger: Logger;
}

interface Pending {
  readonly received: Received<Delivery>;
  readonly ref: DeliveryRef;
}

/** The ledger key of one subscription's push of a delivery. */
function subscriptionKey(deliveryId: string, subscription: StoredSubscription): string {
  return `${deliveryId}/${subscription.id}`;
}

function groupByUser(subscriptions: readonly StoredSubscription[]): Map<string, StoredSubscription[]> {
  const byUser = new Map<string, StoredSubscription[]>();
  for (const subscription of subscriptions) {
    const key = userKey(subscription);
    byUser.set(key, [...(byUser.get(key) ?? []), subscription]);
  }
  return byUser;
}

/**
 * The browser channel: each delivery goes to every browser its recipient
 * subscribed, at most once per browser however often it is redelivered, and
 * its outcome goes to the delivery log; reads elsewhere close what is shown.
 */
export class BrowserPush {
  constructor(private readonly deps: BrowserPushDeps) {}

  async deliver(batch: readonly Received<Delivery>[]): Promise<void> {
    const { sender, ledger, outcomes } = this.deps;
    const items: Pending[] = batch.map((received) => ({ received, ref: deliveryRef(received.data) }));
    if (!sender) {
      for (const { ref } of items) await reportOutcome(outcomes, ref, { status: 'skipped', reason: browserPushOff });
      return;
    }
    const done = await ledger.sentOf(items.map((i) => i.ref.deliveryId));
    const todo: Pending[] = [];
    for (const item of items) {
      const record = done.get(item.ref.deliveryId);
      if (!record) {
        todo.push(item);
        continue;
      }
      // Sent before this redelivery: say so again (a repeated report is dropped by its msgID).
      await reportOutcome(outcomes, item.ref, {
        status: 'delivered',
        tries: 1,
        providerMessageId: record.providerMessageId,
      });
    }
    if (todo.length === 0) return;

    const subscriptionsOf = groupByUser(await this.deps.subscriptions.ofUsers(todo.map((i) => i.ref)));
    const sending = todo.filter((item) => subscriptionsOf.has(userKey(item.ref)));
    for (const item of todo) {
      if (!subscriptionsOf.has(userKey(item.ref))) {
        await reportOutcome(outcomes, item.ref, { status: 'skipped', reason: noSubscription });
      }
    }
    if (sending.length === 0) return;

    const keys = sending.flatMap((item) =>
      subscriptionsOf.get(userKey(item.ref))!.map((s) => subscriptionKey(item.ref.deliveryId, s)),
    );
    const sentBefore = await ledger.sentOf(keys);
    const counts = await this.deps.unreadCounts.of(sending.map((i) => i.ref));
    const outgoing: (Outgoing & { readonly item: Pending })[] = [];
    for (const item of sending) {
      const payload = notificationPayload(item.received.data, counts.get(userKey(item.ref)), this.deps.payloads);
      const urgency = payload.kind === 'call' || payload.kind === 'error' ? 'high' : 'normal';
      for (const subscription of subscriptionsOf.get(userKey(item.ref))!) {
        const ledgerKey = subscriptionKey(item.ref.deliveryId, subscription);
        if (sentBefore.has(ledgerKey)) continue;
        outgoing.push({ item, subscription, payload, urgency, topic: topicOf(payload.id), ledgerKey });
      }
    }
    const results = outgoing.length > 0 ? await sender.sendAll(outgoing) : [];

    let retryLater: UnavailableError | undefined;
    for (const item of sending) {
      const mine = results.filter((_, i) => outgoing[i]!.item === item);
      const previous = subscriptionsOf
        .get(userKey(item.ref))!
        .map((s) => sentBefore.get(subscriptionKey(item.ref.deliveryId, s)))
        .filter((record) => record !== undefined);
      const sent = mine.filter((r) => r.status === 'sent');
      const waiting = mine.filter((r) => r.status === 'retry');
      const lastTry = item.received.deliveryCount >= this.deps.maxDeliveries;
      if (waiting.length > 0 && !lastTry) {
        retryLater ??= new UnavailableError(
          `push service refused for now: ${failureReason(waiting, 'subscription removed')}`,
          {
            retryAfterMs: Math.max(...waiting.map((r) => r.retryAfterMs)),
          },
        );
        continue;
      }
      const tries = item.received.deliveryCount - 1 + Math.max(1, ...sent.map((r) => r.tries));
      if (sent.length > 0 || previous.length > 0) {
        const providerMessageId = sent[0]?.messageId ?? previous[0]?.providerMessageId ?? '';
        await ledger.record([{ deliveryId: item.ref.deliveryId, sentAt: new Date(), providerMessageId }]);
        await reportOutcome(outcomes, item.ref, { status: 'delivered', tries, providerMessageId });
      } else {
        await reportOutcome(outcomes, item.ref, {
          status: 'failed',
          reason: failureReason(mine, 'subscription removed'),
          tries,
        });
      }
    }
    // What was sent is in the ledger: the redelivery sends only what the push services have not taken yet.
    if (retryLater) throw retryLater;
  }

  /** Items read anywhere: a push to each of the user's browsers closes their notifications and sets the badge. */
  async read(batch: readonly Received<InboxRead>[]): Promise<void> {
    const { sender } = this.deps;
    if (!sender) return;
    const reads = latestReads(batch.map(({ data }) => data));
    const subscriptionsOf = groupByUser(await this.deps.subscriptions.ofUsers(reads));
    // No ledger: a read state sent twice closes what is already closed.
    const outgoing: Outgoing[] = reads.flatMap((read) =>
      (subscriptionsOf.get(userKey(read)) ?? []).flatMap((subscription) =>
        readPayloads(read).map((payload) => ({
          subscription,
          payload,
          urgency: 'normal' as const,
          // One item read: its close replaces its notification if the push service still holds that.
          ...(payload.ids.length === 1 ? { topic: topicOf(payload.ids[0]!) } : {}),
        })),
      ),
    );
    if (outgoing.length === 0) return;
    const results = await sender.sendAll(outgoing);
    const unsent = results.filter((r) => r.status === 'retry').length;
    // The next push or read carries the count again: a read state is not worth holding the stream.
    if (unsent > 0) this.deps.logger.warn({ unsent }, 'read state not pushed to every browser');
  }
}
