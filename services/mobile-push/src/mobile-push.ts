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
import type { DeviceRepository, StoredDevice } from './device-repository.js';
import type { FcmSender, Outgoing } from './fcm-sender.js';
import { deliveryMessage, readMessage } from './messages.js';

/** Why a delivery is skipped while no Firebase service account is configured. */
export const mobilePushOff = 'mobile push is off: no Firebase service account is configured';
export const noDevice = 'no device registered';

export interface MobilePushDeps {
  /** Undefined while mobile push is off. */
  sender: FcmSender | undefined;
  devices: DeviceRepository;
  ledger: SentLedger;
  outcomes: OutcomePublisher;
  unreadCounts: UnreadCounts;
  crmBaseUrl: string;
  /** The consumer's deliveries of a message: on the last one, a delivery still refused for now is reported failed. */
  maxDeliveries: number;
  logger: Logger;
}

interface Pending {
  readonly received: Received<Delivery>;
  readonly ref: DeliveryRef;
}

/** The ledger key of one device's message of a delivery. */
function deviceKey(deliveryId: string, device: StoredDevice): string {
  return `${deliveryId}/${device.id}`;
}

/**
 * The mobile channel: each delivery goes to every device of its recipient,
 * at most once per device however often it is redelivered, and its outcome
 * goes to the delivery log; reads elsewhere update the badge.
 */
export class MobilePush {
  constructor(private readonly deps: MobilePushDeps) {}

  async deliver(batch: readonly Received<Delivery>[]): Promise<void> {
    const { sender, ledger, outcomes } = this.deps;
    const items: Pending[] = batch.map((received) => ({ received, ref: deliveryRef(received.data) }));
    if (!sender) {
      for (const { ref } of items) await reportOutcome(outcomes, ref, { status: 'skipped', reason: mobilePushOff });
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

    const devicesOf = new Map<string, StoredDevice[]>();
    for (const device of await this.deps.devices.ofUsers(todo.map((i) => i.ref))) {
      const key = userKey(device);
      devicesOf.set(key, [...(devicesOf.get(key) ?? []), device]);
    }
    const sending = todo.filter((item) => devicesOf.has(userKey(item.ref)));
    for (const item of todo) {
      if (!devicesOf.has(userKey(item.ref)))
        await reportOutcome(outcomes, item.ref, { status: 'skipped', reason: noDevice });
    }
    if (sending.length === 0) return;

    const keys = sending.flatMap((item) =>
      devicesOf.get(userKey(item.ref))!.map((device) => deviceKey(item.ref.deliveryId, device)),
    );
    const sentBefore = await ledger.sentOf(keys);
    const counts = await this.deps.unreadCounts.of(sending.map((i) => i.ref));
    const outgoing: (Outgoing & { readonly item: Pending })[] = [];
    for (const item of sending) {
      const badge = counts.get(userKey(item.ref));
      for (const device of devicesOf.get(userKey(item.ref))!) {
        const ledgerKey = deviceKey(item.ref.deliveryId, device);
        if (sentBefore.has(ledgerKey)) continue;
        const message = deliveryMessage(item.received.data, device, badge, this.deps.crmBaseUrl);
        outgoing.push({ item, device, message, ledgerKey });
      }
    }
    const results = outgoing.length > 0 ? await sender.sendAll(outgoing) : [];

    let retryLater: UnavailableError | undefined;
    for (const item of sending) {
      const mine = results.filter((_, i) => outgoing[i]!.item === item);
      const previous = devicesOf
        .get(userKey(item.ref))!
        .map((device) => sentBefore.get(deviceKey(item.ref.deliveryId, device)))
        .filter((record) => record !== undefined);
      const sent = mine.filter((r) => r.status === 'sent');
      const waiting = mine.filter((r) => r.status === 'retry');
      const lastTry = item.received.deliveryCount >= this.deps.maxDeliveries;
      if (waiting.length > 0 && !lastTry) {
        retryLater ??= new UnavailableError(`FCM refused for now: ${failureReason(waiting, 'token removed')}`, {
          retryAfterMs: Math.max(...waiting.map((r) => r.retryAfterMs)),
        });
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
          reason: failureReason(mine, 'token removed'),
          tries,
        });
      }
    }
    // What was sent is in the ledger: the redelivery sends only what FCM has not taken yet.
    if (retryLater) throw retryLater;
  }

  /** Items read anywhere: a data-only push to each of the user's devices sets the badge and clears them. */
  async read(batch: readonly Received<InboxRead>[]): Promise<void> {
    const { sender } = this.deps;
    if (!sender) return;
    const reads = latestReads(batch.map(({ data }) => data));
    const devices = await this.deps.devices.ofUsers(reads);
    const readOf = new Map(reads.map((r) => [userKey(r), r]));
    // No ledger: a read state sent twice sets the same badge twice.
    const outgoing = devices.map((device) => ({ device, message: readMessage(readOf.get(userKey(device))!, device) }));
    if (outgoing.length === 0) return;
    const results = await sender.sendAll(outgoing);
    const unsent = results.filter((r) => r.status === 'retry').length;
    // The next read or push carries the badge again: a read state is not worth a redelivery.
    if (unsent > 0) this.deps.logger.warn({ unsent }, 'read state not pushed to every device');
  }
}
