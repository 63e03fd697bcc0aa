import type { Popup } from '@herald/sdk';

export type Kind = 'error' | 'call' | 'event';
export type ElementType = 'contact' | 'lead' | 'company';
export type ChannelName = 'interface' | 'email' | 'mobile' | 'browser' | 'telegram';
export type InboxOrder = 'unread_first' | 'newest';

export interface ProviderRef {
  id: string;
  name: string;
  icon_url: string | null;
}

/** One item of the notification center, from a page of the REST API or the live feed alike. */
export interface CenterItem {
  id: string;
  kind: Kind;
  provider: ProviderRef;
  header: string;
  text: string;
  link: string | null;
  /** ISO 8601. */
  date: string;
  read: boolean;
  call: {
    from: string | null;
    to: string | null;
    duration: number | null;
    element: { id: number; type: ElementType } | null;
  } | null;
}

export interface Settings {
  receive_notifications: boolean;
  email_mode: 'immediate' | 'daily';
  digest_time: string;
  inbox_order: InboxOrder;
  task_lead_minutes: number;
  providers: Record<
    string,
    {
      name: string;
      kind: 'system' | 'integration';
      customized: boolean;
      channels: Partial<Record<ChannelName, boolean>>;
    }
  >;
}

export interface SettingsPatch {
  receive_notifications?: boolean;
  email_mode?: 'immediate' | 'daily';
  digest_time?: string;
  inbox_order?: InboxOrder;
  task_lead_minutes?: number;
  providers?: Record<string, { channels: Partial<Record<ChannelName, boolean>> } | null>;
}

export interface Profile {
  account: string;
  user: string;
  display_name: string;
  timezone: string;
  locale: string;
}

export interface Provider {
  id: string;
  kind: 'system' | 'integration';
  name: string;
  icon_url: string;
}

/** What the live feed brings (`{type, id, data}` frames of GET /api/v1/me/live). */
export type LiveEvent =
  | { type: 'item'; id: string; item: CenterItem }
  | { type: 'popup'; id: string; popup: Popup }
  | { type: 'read'; id: string; ids: string[]; all: boolean }
  | { type: 'unread_count'; id: string; unreadCount: number };
