import type { handleUnaryCall } from '@grpc/grpc-js';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { InboxItem, InboxService, ListReply, type InboxServer, type ListRequest } from '@herald/contracts';
import { unary, type RpcService } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { DeliveryLog } from './delivery-log.js';
import type { Inbox, ListPage } from './inbox.js';

const name = 'herald.v1.Inbox';

/**
 * A page as the ListReply it is on the wire, each item's Notification and
 * Rendered written as the bytes the inbox stored (an embedded message is its
 * encoding, length-prefixed), not decoded and encoded again. Fields in
 * number order, as ListReply.encode writes them: what the caller decodes is
 * the same ListReply.
 */
export function encodeListPage(page: ListPage): Buffer {
  const writer = new BinaryWriter();
  for (const item of page.items) {
    // ListReply.items (1), each an InboxItem: its notification (1) and rendered (2) as stored.
    writer.tag(1, WireType.LengthDelimited).fork();
    writer.tag(1, WireType.LengthDelimited).bytes(item.notification);
    writer.tag(2, WireType.LengthDelimited).bytes(item.rendered);
    // InboxItem.read_at (3), and nothing while unread.
    InboxItem.encode({ notification: undefined, rendered: undefined, readAt: item.readAt }, writer);
    writer.join();
  }
  // next_cursor (2) and unread_count (3); no items, so none are written twice.
  ListReply.encode({ items: [], nextCursor: page.nextCursor, unreadCount: page.unreadCount }, writer);
  const bytes = writer.finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Inbox as served: List sends its page through `encodeListPage`. */
const definition = {
  ...InboxService,
  list: { ...InboxService.list, responseSerialize: encodeListPage },
};

type Implementation = Omit<InboxServer, 'list'> & { list: handleUnaryCall<ListRequest, ListPage> };

export function inboxRpc(inbox: Inbox, deliveryLog: DeliveryLog, logger: Logger): RpcService {
  const implementation: Implementation = {
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
  return { name, definition, implementation };
}
