import { HeraldError } from '@herald/sdk';
import { fromRest, type RestItem } from './items.js';
import type { CenterItem, InboxOrder, Profile, Provider, Settings, SettingsPatch } from './types.js';

export interface Page {
  items: CenterItem[];
  nextCursor: string | undefined;
  unreadCount: number;
}

/** The gateway's `/api/v1/me/…` routes for one signed-in person; every refusal is a HeraldError naming its field. */
export class GatewayClient {
  readonly base: string;

  constructor(
    base: string,
    readonly token: string,
  ) {
    this.base = (base || (typeof location === 'undefined' ? '' : location.origin)).replace(/\/+$/, '');
  }

  async list(options: { order?: InboxOrder | undefined; cursor?: string | undefined; limit?: number }): Promise<Page> {
    const query = new URLSearchParams();
    if (options.order) query.set('order', options.order);
    if (options.cursor) query.set('cursor', options.cursor);
    query.set('limit', String(options.limit ?? 30));
    const page = await this.call<{ items: RestItem[]; next_cursor?: string; unread_count: number }>(
      'GET',
      `/api/v1/me/notifications?${query.toString()}`,
    );
    return { items: page.items.map(fromRest), nextCursor: page.next_cursor, unreadCount: page.unread_count };
  }

  /** `keepalive`, so that a click which also navigates away still marks the item read. */
  markRead(id: string): Promise<{ unread_count: number }> {
    return this.call('POST', `/api/v1/me/notifications/${encodeURIComponent(id)}/read`, undefined, true);
  }

  readAll(): Promise<{ unread_count: number }> {
    return this.call('POST', '/api/v1/me/notifications/read_all');
  }

  settings(): Promise<Settings> {
    return this.call('GET', '/api/v1/me/settings');
  }

  patchSettings(patch: SettingsPatch): Promise<Settings> {
    return this.call('PATCH', '/api/v1/me/settings', patch);
  }

  async providers(): Promise<Provider[]> {
    return (await this.call<{ providers: Provider[] }>('GET', '/api/v1/me/providers')).providers;
  }

  profile(): Promise<Profile> {
    return this.call('GET', '/api/v1/me/profile');
  }

  patchProfile(patch: Partial<Pick<Profile, 'timezone' | 'locale'>>): Promise<Profile> {
    return this.call('PATCH', '/api/v1/me/profile', patch);
  }

  /** The key this browser subscribes to push with; 503 (UNAVAILABLE) while browser push is off on the server. */
  async vapidPublicKey(): Promise<string> {
    return (await this.call<{ public_key: string }>('GET', '/api/v1/me/push/vapid-public-key')).public_key;
  }

  /** Registers the browser's `PushSubscription.toJSON()`; the same endpoint again keeps its id. */
  async subscribePush(subscription: PushSubscriptionJSON): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/api/v1/me/push/subscriptions', subscription)).id;
  }

  async unsubscribePush(id: string): Promise<void> {
    await this.call('DELETE', `/api/v1/me/push/subscriptions/${encodeURIComponent(id)}`);
  }

  /** A one-time `https://t.me/<bot>?start=<token>` link; 409 while Telegram is off on the server. */
  telegramLink(): Promise<{ url: string; expires_at: string }> {
    return this.call('POST', '/api/v1/me/telegram/link');
  }

  telegramStatus(): Promise<{ connected: boolean; username?: string; linked_at?: string }> {
    return this.call('GET', '/api/v1/me/telegram');
  }

  async telegramDisconnect(): Promise<void> {
    await this.call('DELETE', '/api/v1/me/telegram');
  }

  /** ws(s)://…/api/v1/me/live with the token in the query, where a browser cannot set headers. */
  liveUrl(lastEventId: string | undefined): string {
    const url = new URL(`${this.base}/api/v1/me/live`, typeof location === 'undefined' ? undefined : location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('access_token', this.token);
    if (lastEventId) url.searchParams.set('last_event_id', lastEventId);
    return url.href;
  }

  private async call<T>(method: string, path: string, body?: unknown, keepalive = false): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        keepalive,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new HeraldError('UNAVAILABLE', 'the server did not answer', { cause });
    }
    const json = (await response.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string; field?: string };
    };
    if (!response.ok) {
      const error = json.error ?? {};
      throw new HeraldError(error.code ?? 'INTERNAL', error.message ?? `HTTP ${response.status}`, {
        status: response.status,
        ...(error.field ? { field: error.field } : {}),
      });
    }
    return json as T;
  }
}
