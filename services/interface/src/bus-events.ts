import type { Bus } from '@herald/bus';
import { topics, type InboxItem, type InboxRead } from '@herald/contracts';
import type { TraceContext as Context } from '@herald/telemetry';
import type { InboxEvents } from './inbox.js';

export class BusInboxEvents implements InboxEvents {
  constructor(private readonly bus: Bus) {}

  itemAdded(accountId: string, userId: string, item: InboxItem, context: Context): void {
    this.bus.publishCore(topics.live, [accountId, userId], { event: { $case: 'itemAdded', value: item } }, context);
  }

  async read(event: InboxRead, msgID: string): Promise<void> {
    await this.bus.publish(topics.inboxRead, [event.accountId, event.userId], event, { msgID });
    this.bus.publishCore(topics.live, [event.accountId, event.userId], { event: { $case: 'read', value: event } });
  }
}
