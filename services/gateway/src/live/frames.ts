import type { LiveEvent } from '@herald/contracts';
import { itemJson, popupJson, readJson, unreadCountJson } from './json.js';

export type LiveEventType = 'item' | 'popup' | 'read' | 'unread_count';

/**
 * One event of the feed with its data already JSON: encoded once per user,
 * whatever the number of that user's open connections.
 */
export interface LiveFrame {
  type: LiveEventType;
  data: string;
  /** Set on items: the id the feed resumes from. */
  itemId?: string;
}

export function unreadCountFrame(unreadCount: number): LiveFrame {
  return { type: 'unread_count', data: JSON.stringify(unreadCountJson(unreadCount)) };
}

/** The frames of one live event; a read is followed by the unread count it left. */
export function framesOf(event: LiveEvent): LiveFrame[] {
  const body = event.event;
  switch (body?.$case) {
    case 'itemAdded': {
      const item = itemJson(body.value);
      return [{ type: 'item', data: JSON.stringify(item), itemId: item.id }];
    }
    case 'popup':
      return [{ type: 'popup', data: JSON.stringify(popupJson(body.value)) }];
    case 'read':
      return [{ type: 'read', data: JSON.stringify(readJson(body.value)) }, unreadCountFrame(body.value.unreadCount)];
    case undefined:
      return [];
  }
}
