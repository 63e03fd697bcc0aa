import type { Element, InboxItem, InboxRead, Notification, Popup, ProviderRef } from '@herald/contracts';

/**
 * The JSON faces of inbox items, popups and reads, in the snake_case of the
 * REST API: the live feed and the REST routes speak the same shapes. Absent
 * values are null, never empty strings; dates are ISO 8601 in UTC.
 */

export interface ProviderJson {
  id: string;
  name: string;
  icon_url: string | null;
}

export interface ElementJson {
  id: number;
  type: 'contact' | 'lead' | 'company';
}

export interface CallJson {
  from: string | null;
  to: string | null;
  /** Seconds. */
  duration: number | null;
  element: ElementJson | null;
}

export interface ItemJson {
  id: string;
  provider: ProviderJson;
  kind: 'error' | 'call' | 'event';
  header: string;
  text: string;
  link: string | null;
  date: string;
  read_at: string | null;
  /** Set for calls only. */
  call: CallJson | null;
}

export type PopupJson = {
  id: string;
  provider: ProviderJson;
  date: string;
  header: string;
  text: string;
} & (
  | { kind: 'message'; icon: string | null }
  | { kind: 'message_error'; link: string | null }
  | { kind: 'notification'; type: 'call' | 'error' }
);

export interface ReadJson {
  /** The items read; empty when `all` is set. */
  ids: string[];
  /** Every item up to `read_at` was read. */
  all: boolean;
  read_at: string;
}

export interface UnreadCountJson {
  unread_count: number;
}

const orNull = (value: string): string | null => (value === '' ? null : value);

const iso = (date: Date | undefined): string => (date ?? new Date(0)).toISOString();

function providerJson(provider: ProviderRef | undefined): ProviderJson {
  return { id: provider?.id ?? '', name: provider?.name ?? '', icon_url: orNull(provider?.iconUrl ?? '') };
}

const elementTypes: Partial<Record<Element['type'], ElementJson['type']>> = {
  ELEMENT_TYPE_CONTACT: 'contact',
  ELEMENT_TYPE_LEAD: 'lead',
  ELEMENT_TYPE_COMPANY: 'company',
};

function elementJson(element: Element | undefined): ElementJson | null {
  const type = element && elementTypes[element.type];
  return element && type ? { id: element.id, type } : null;
}

/** The kind, own text and link of a notification's body; a body-less one reads as an event. */
function bodyOf(notification: Notification | undefined): Pick<ItemJson, 'kind' | 'text' | 'link' | 'call'> {
  const body = notification?.body;
  switch (body?.$case) {
    case 'error':
    case 'event':
      return { kind: body.$case, text: body.value.text, link: orNull(body.value.link), call: null };
    case 'call': {
      const call = body.value;
      return {
        kind: 'call',
        text: call.text,
        link: orNull(call.link),
        call: {
          from: orNull(call.from),
          to: orNull(call.to),
          duration: call.duration > 0 ? call.duration : null,
          element: elementJson(call.element),
        },
      };
    }
    case undefined:
      return { kind: 'event', text: '', link: null, call: null };
  }
}

/** An item of the notification center. Its header is the rendered title, which falls back to the provider's name. */
export function itemJson(item: InboxItem): ItemJson {
  const notification = item.notification;
  return {
    id: notification?.id ?? '',
    provider: providerJson(notification?.provider),
    header: item.rendered?.title ?? '',
    ...bodyOf(notification),
    date: iso(notification?.occurredAt ?? notification?.ingestedAt),
    read_at: item.readAt ? item.readAt.toISOString() : null,
  };
}

/** A popup (show_message, show_message_error, show_notification). */
export function popupJson(popup: Popup): PopupJson {
  const common = { id: popup.id, provider: providerJson(popup.provider), date: iso(popup.date) };
  const kind = popup.kind;
  switch (kind?.$case) {
    case 'message':
      return {
        ...common,
        kind: 'message',
        header: kind.value.header,
        text: kind.value.text,
        icon: orNull(kind.value.icon),
      };
    case 'messageError':
      return {
        ...common,
        kind: 'message_error',
        header: kind.value.header,
        text: kind.value.text,
        link: orNull(kind.value.link),
      };
    case 'notification':
      return {
        ...common,
        kind: 'notification',
        header: kind.value.header,
        text: kind.value.text,
        type: kind.value.type === 'POPUP_TYPE_CALL' ? 'call' : 'error',
      };
    case undefined:
      return { ...common, kind: 'message', header: '', text: '', icon: null };
  }
}

export function readJson(read: InboxRead): ReadJson {
  return { ids: read.all ? [] : read.notificationIds, all: read.all, read_at: iso(read.readAt) };
}

export function unreadCountJson(unreadCount: number): UnreadCountJson {
  return { unread_count: unreadCount };
}
