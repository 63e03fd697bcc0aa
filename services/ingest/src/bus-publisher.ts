import { EVERY_USER, topics, type Notification, type Popup } from '@herald/contracts';
import type { Bus } from '@herald/bus';
import type { NotificationPublisher } from './ingest.js';

/** Stored kinds go to JetStream, deduplicated by id; popups go to core NATS only. */
export class BusPublisher implements NotificationPublisher {
  constructor(private readonly bus: Bus) {}

  async publishNotification(notification: Notification): Promise<{ duplicate: boolean }> {
    const ack = await this.bus.publish(topics.notificationIngested, [notification.accountId], notification, {
      msgID: notification.id,
    });
    return { duplicate: ack.duplicate };
  }

  publishPopup(popup: Popup, recipients: readonly string[]): void {
    const users = recipients.length > 0 ? recipients : [EVERY_USER];
    for (const user of users) {
      this.bus.publishCore(topics.live, [popup.accountId, user], { event: { $case: 'popup', value: popup } });
    }
  }
}
