import { InvalidArgumentError } from '@herald/errors';
import type { Order, Position } from './inbox-repository.js';

interface Encoded {
  o: Order;
  r: boolean;
  t: string;
  id: string;
}

/** An opaque page token: the order it belongs to and the last item's sort key. */
export function encodeCursor(order: Order, position: Position): string {
  const value: Encoded = {
    o: order,
    r: position.isRead,
    t: position.occurredAt.toISOString(),
    id: position.notificationId,
  };
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The position a cursor holds; `order`, when given, must be the one the cursor was issued for. */
export function decodeCursor(cursor: string, order?: Order): { order: Order; position: Position } {
  let value: Partial<Encoded>;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Encoded>;
  } catch {
    throw new InvalidArgumentError('cursor', 'is not a cursor this service issued');
  }
  const occurredAt = new Date(value.t ?? '');
  if (
    typeof value.r !== 'boolean' ||
    typeof value.id !== 'string' ||
    Number.isNaN(occurredAt.getTime()) ||
    (value.o !== 'unread_first' && value.o !== 'newest')
  ) {
    throw new InvalidArgumentError('cursor', 'is not a cursor this service issued');
  }
  if (order && value.o !== order) throw new InvalidArgumentError('cursor', `belongs to the ${value.o} order`);
  return { order: value.o, position: { isRead: value.r, occurredAt, notificationId: value.id } };
}
