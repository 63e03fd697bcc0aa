import { z } from 'zod';
import { InvalidArgumentError, boundedString } from '@herald/errors';
import type { Order, Position } from './inbox-repository.js';

interface Encoded {
  o: Order;
  r: boolean;
  t: string;
  id: string;
}

/** Far longer than any cursor this service issues; a longer one is refused before it is decoded. */
const maxCursorLength = 512;

/**
 * What a cursor must hold. The date is the ISO form `toISOString` writes,
 * years 0000 to 9999, so PostgreSQL can always compare with it; the id is a
 * notification id as stored (no NUL, which PostgreSQL refuses).
 */
const encoded = z.object({
  o: z.enum(['unread_first', 'newest']),
  r: z.boolean(),
  t: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    .refine((t) => !Number.isNaN(new Date(t).getTime())),
  id: boundedString(64).min(1),
});

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
  const notOurs = () => new InvalidArgumentError('cursor', 'is not a cursor this service issued');
  if (cursor.length > maxCursorLength) throw notOurs();
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw notOurs();
  }
  const parsed = encoded.safeParse(raw);
  if (!parsed.success) throw notOurs();
  const value = parsed.data;
  if (order && value.o !== order) throw new InvalidArgumentError('cursor', `belongs to the ${value.o} order`);
  return { order: value.o, position: { isRead: value.r, occurredAt: new Date(value.t), notificationId: value.id } };
}
