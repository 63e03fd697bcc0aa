import { InboxService, type InboxServer } from '@herald/contracts';
import { unary, type RpcService } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { DeliveryLog } from './delivery-log.js';
import type { Inbox } from './inbox.js';

const name = 'herald.v1.Inbox';

export function inboxRpc(inbox: Inbox, deliveryLog: DeliveryLog, logger: Logger): RpcService {
  const implementation: InboxServer = {
    list: unary(`${name}/List`, logger, (request) => inbox.list(request)),
    markRead: unary(`${name}/MarkRead`, logger, (request) =>
      inbox.markRead(request.accountId, request.userId, request.notificationIds),
    ),
    markAllRead: unary(`${name}/MarkAllRead`, logger, (request) =>
      inbox.markAllRead(request.accountId, request.userId),
    ),
    unreadCount: unary(`${name}/UnreadCount`, logger, async (request) => ({
      unreadCount: await inbox.unreadCount(request.accountId, request.userId),
    })),
    listDeliveries: unary(`${name}/ListDeliveries`, logger, (request) =>
      deliveryLog.list(request.accountId, request.userId, request.notificationId),
    ),
  };
  return { name, definition: InboxService, implementation };
}
