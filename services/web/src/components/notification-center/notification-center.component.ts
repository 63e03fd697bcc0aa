import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { installGlobal, popupEventName, safeHref, type Notifications, type Popup } from '@herald/sdk';
import { GatewayClient } from '../../api/gateway.js';
import { LiveFeed } from '../../api/live.js';
import type { CenterItem, InboxOrder, LiveEvent } from '../../api/types.js';
import { icon } from '../../icons.js';
import { Localize } from '../../localize/localize.js';
import { base } from '../../styles.js';
import type { HeraldPopupStack } from '../popup-stack/popup-stack.component.js';
import { notificationCenterStyles } from './notification-center.styles.js';

const elementPaths = { contact: 'contacts', lead: 'leads', company: 'companies' } as const;

/**
 * The notification center: the bubble (bottom left) with the unread count, the
 * panel of items (unread first, or newest first), popups on the right, all live
 * over the gateway's feed. `<herald-notification-center gateway token>` is the
 * whole of it; it also connects `window.APP.notifications` to the same gateway.
 */
export class HeraldNotificationCenter extends LitElement {
  static override styles = [base, notificationCenterStyles];
  static override properties: PropertyDeclarations = {
    gateway: { type: String },
    token: { type: String },
    lang: { type: String, reflect: true },
    timeZone: { type: String, attribute: 'time-zone' },
    crmBase: { type: String, attribute: 'crm-base' },
    popupDuration: { type: Number, attribute: 'popup-duration' },
    /** The panel always shown, in the page's flow (the full page at /), instead of behind the bubble. */
    inline: { type: Boolean },
    open: { type: Boolean, reflect: true },
    items: { state: true },
    unreadCount: { state: true },
    order: { state: true },
    loading: { state: true },
    failure: { state: true },
    /** Set while the live feed is up and in step with the list: what is sent from then on shows. */
    live: { type: Boolean, reflect: true },
  };

  declare gateway: string;
  declare token: string;
  declare lang: string;
  declare timeZone: string | undefined;
  declare crmBase: string | undefined;
  declare popupDuration: number;
  declare inline: boolean;
  declare open: boolean;
  declare items: CenterItem[];
  declare unreadCount: number;
  declare order: InboxOrder;
  declare loading: boolean;
  declare failure: string | undefined;
  declare live: boolean;

  private readonly localize = new Localize(this);
  private client: GatewayClient | undefined;
  private feed: LiveFeed | undefined;
  private sdk: Notifications | undefined;
  private cursor: string | undefined;
  private exhausted = false;
  private readonly fresh = new Set<string>();
  private readonly brokenIcons = new Set<string>();
  private observer: IntersectionObserver | undefined;
  private observed: Element | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** Items that came live while a page was being read: kept if the page is older than they are. */
  private arrivedDuringLoad: CenterItem[] = [];
  private loads = 0;
  /** The feed was up once: its loss is worth saying. */
  private wasLive = false;
  /** Bumped on each (re)start: answers of an older session are dropped. */
  private generation = 0;
  private readonly onPopup = (event: Event) => this.popups?.show((event as CustomEvent<Popup>).detail);
  private readonly onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && this.open && !this.inline) {
      this.open = false;
      this.bubble?.focus();
    }
  };

  constructor() {
    super();
    this.gateway = '';
    this.token = '';
    this.lang = '';
    this.popupDuration = 6_000;
    this.inline = false;
    this.open = false;
    this.items = [];
    this.unreadCount = 0;
    this.order = 'unread_first';
    this.loading = false;
    this.live = false;
  }

  private get popups(): HeraldPopupStack | null {
    return this.renderRoot.querySelector('herald-popup-stack');
  }

  private get bubble(): HTMLButtonElement | null {
    return this.renderRoot.querySelector('.bubble');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(popupEventName, this.onPopup);
    this.addEventListener('keydown', this.onKey);
    this.ticker = setInterval(() => this.requestUpdate(), 60_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener(popupEventName, this.onPopup);
    this.removeEventListener('keydown', this.onKey);
    clearInterval(this.ticker);
    this.observer?.disconnect();
    this.observed = undefined;
    this.stop();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('gateway') || changed.has('token')) this.restart();
    if (changed.has('open') && this.open && !this.inline) {
      this.renderRoot.querySelector<HTMLElement>('.panel h2')?.focus();
    }
    this.observeSentinel();
  }

  /** Reads the list again from the first page (after the order changed, or to recover). */
  async reload(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const generation = this.generation;
    // Only the latest of overlapping reads is taken.
    const load = ++this.loads;
    const current = () => generation === this.generation && load === this.loads;
    this.loading = true;
    this.failure = undefined;
    this.arrivedDuringLoad = [];
    try {
      const page = await client.list({ order: this.order });
      if (!current()) return;
      const known = new Set(page.items.map((i) => i.id));
      const newer = this.arrivedDuringLoad.filter((i) => !known.has(i.id));
      this.items = [...newer, ...page.items];
      this.cursor = page.nextCursor;
      this.exhausted = !page.nextCursor;
      this.unreadCount = page.unreadCount + newer.filter((i) => !i.read).length;
    } catch (err) {
      if (current()) this.failure = (err as Error).message;
    } finally {
      if (current()) this.loading = false;
    }
  }

  private stop(): void {
    this.generation++;
    this.feed?.stop();
    this.feed = undefined;
    this.client = undefined;
  }

  private restart(): void {
    this.stop();
    if (!this.token) return;
    const client = new GatewayClient(this.gateway, this.token);
    this.client = client;
    this.sdk = installGlobal();
    this.sdk.configure({ gateway: client.base, token: this.token });
    const generation = this.generation;
    this.items = [];
    this.cursor = undefined;
    this.exhausted = false;
    this.loading = true;
    void (async () => {
      const [settings, profile] = await Promise.allSettled([client.settings(), client.profile()]);
      if (generation !== this.generation) return;
      if (settings.status === 'fulfilled') this.order = settings.value.inbox_order;
      if (profile.status === 'fulfilled') {
        if (!this.lang) this.lang = profile.value.locale;
        if (!this.timeZone) this.timeZone = profile.value.timezone;
      }
      await this.reload();
      if (generation !== this.generation) return;
      this.feed = new LiveFeed(
        client,
        (event) => void this.onLive(event),
        (connected) => {
          if (!connected) this.live = false;
        },
      );
      this.feed.start();
    })();
  }

  private async onLive(event: LiveEvent): Promise<void> {
    switch (event.type) {
      case 'item': {
        if (this.loading) this.arrivedDuringLoad.push(event.item);
        if (this.items.some((i) => i.id === event.item.id)) return;
        this.fresh.add(event.item.id);
        this.items = [event.item, ...this.items];
        if (!event.item.read) this.unreadCount += 1;
        return;
      }
      case 'read': {
        const ids = new Set(event.ids);
        this.items = this.items.map((i) => (event.all || ids.has(i.id) ? { ...i, read: true } : i));
        return;
      }
      case 'unread_count':
        this.unreadCount = event.unreadCount;
        if (!this.live) {
          // The first frame of a connection: the feed is subscribed. What was stored before it,
          // or read while it was down, is in the inbox: the list is read again from there.
          this.live = true;
          this.wasLive = true;
          void this.reload();
        }
        return;
      case 'popup': {
        // The tab that called show_* showed it already; the other tabs show it now.
        if (await this.sdk?.isOwnPopup(event.popup.id)) return;
        this.popups?.show(event.popup);
        return;
      }
    }
  }

  private async loadMore(): Promise<void> {
    const client = this.client;
    if (!client || this.loading || this.exhausted || !this.cursor) return;
    const generation = this.generation;
    this.loading = true;
    try {
      const page = await client.list({ order: this.order, cursor: this.cursor });
      if (generation !== this.generation) return;
      const known = new Set(this.items.map((i) => i.id));
      this.items = [...this.items, ...page.items.filter((i) => !known.has(i.id))];
      this.cursor = page.nextCursor;
      this.exhausted = !page.nextCursor;
    } catch (err) {
      if (generation === this.generation) this.failure = (err as Error).message;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  private observeSentinel(): void {
    const sentinel = this.renderRoot.querySelector('.sentinel');
    const scroller = this.renderRoot.querySelector('.scroller');
    if (!sentinel || !scroller || sentinel === this.observed) return;
    this.observed = sentinel;
    this.observer?.disconnect();
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void this.loadMore();
      },
      { root: scroller, rootMargin: '200px' },
    );
    this.observer.observe(sentinel);
  }

  private iconFailed(url: string): void {
    this.brokenIcons.add(url);
    this.requestUpdate();
  }

  private markRead(item: CenterItem): void {
    if (item.read || !this.client) return;
    this.items = this.items.map((i) => (i.id === item.id ? { ...i, read: true } : i));
    this.unreadCount = Math.max(0, this.unreadCount - 1);
    this.client.markRead(item.id).then(
      (reply) => (this.unreadCount = reply.unread_count),
      () => undefined,
    );
  }

  private async markAllRead(): Promise<void> {
    if (!this.client) return;
    this.items = this.items.map((i) => ({ ...i, read: true }));
    this.unreadCount = 0;
    try {
      this.unreadCount = (await this.client.readAll()).unread_count;
    } catch (err) {
      this.failure = (err as Error).message;
    }
  }

  private async switchOrder(unreadFirst: boolean): Promise<void> {
    this.order = unreadFirst ? 'unread_first' : 'newest';
    const reload = this.reload();
    // Remembered in the user's settings, for every device.
    await this.client?.patchSettings({ inbox_order: this.order }).catch(() => undefined);
    await reload;
  }

  private hrefOf(item: CenterItem): string | undefined {
    const element = item.call?.element;
    if (element) return safeHref(`/${elementPaths[element.type]}/detail/${element.id}`, this.crmBase);
    if (item.kind === 'call') return undefined;
    return safeHref(item.link, this.crmBase);
  }

  private duration(seconds: number): string {
    const minutes = Math.floor(seconds / 60);
    return minutes > 0
      ? this.localize.term('minutesSeconds', { minutes, seconds: seconds % 60 })
      : this.localize.term('seconds', { seconds });
  }

  private renderItem(item: CenterItem) {
    const t = (key: Parameters<Localize['term']>[0], params?: Record<string, string | number>) =>
      this.localize.term(key, params);
    const href = this.hrefOf(item);
    const given = safeHref(item.provider.icon_url);
    // A provider's icon that does not load gives way to the kind's icon.
    const iconUrl = given && !this.brokenIcons.has(given) ? given : undefined;
    const kindLabel = item.kind === 'error' ? t('kindError') : item.kind === 'call' ? t('kindCall') : t('kindEvent');
    const providerName = this.localize.providerName(item.provider.id, item.provider.name);
    const header = item.header || (item.kind === 'call' ? kindLabel : providerName);
    const content = html`<div class="top">
        <span class="kind">${kindLabel}</span>
        <span class="provider">${providerName}</span>
        <time datetime=${item.date} title=${this.localize.exactTime(item.date)}
          >${this.localize.relativeTime(item.date)}</time
        >
      </div>
      <p class="header">
        ${header}${item.read ? nothing : html`<span class="visually-hidden"> (${t('unread')})</span>`}
      </p>
      ${item.text && item.text !== header ? html`<p class="text">${item.text}</p>` : nothing}`;
    const main = href
      ? html`<a class="main" href=${href} rel="noopener noreferrer" @click=${() => this.markRead(item)}>${content}</a>`
      : html`<button class="main" type="button" @click=${() => this.markRead(item)}>${content}</button>`;
    const call = item.call;
    const recording = call ? safeHref(item.link, this.crmBase) : undefined;
    const fresh = this.fresh.delete(item.id);
    return html`<li
      class="${item.kind} ${item.read ? 'read' : 'unread'} ${fresh ? 'fresh' : ''}"
      data-id=${item.id}
      data-read=${String(item.read)}
    >
      <div class="avatar">
        ${
          iconUrl
            ? html`<img src=${iconUrl} alt="" @error=${() => this.iconFailed(iconUrl)} />`
            : item.kind === 'call'
              ? icon('phone')
              : item.kind === 'error'
                ? icon('error')
                : (providerName[0] ?? '?').toUpperCase()
        }
      </div>
      <div>
        ${main}
        ${
          call && (call.from || call.to || call.duration !== null)
            ? html`<dl>
                ${
                  call.from
                    ? html`<dt>${t('callFrom')}</dt>
                        <dd>${call.from}</dd>`
                    : nothing
                }
                ${
                  call.to
                    ? html`<dt>${t('callTo')}</dt>
                        <dd>${call.to}</dd>`
                    : nothing
                }
                ${
                  call.duration !== null
                    ? html`<dt>${t('callDuration')}</dt>
                        <dd>${this.duration(call.duration)}</dd>`
                    : nothing
                }
              </dl>`
            : nothing
        }
        ${
          recording
            ? html`<div class="actions">
                <a href=${recording} target="_blank" rel="noopener noreferrer" @click=${() => this.markRead(item)}
                  >${icon('play')}${t('playRecording')}</a
                >
              </div>`
            : nothing
        }
      </div>
    </li>`;
  }

  private renderPanel() {
    const t = (key: Parameters<Localize['term']>[0]) => this.localize.term(key);
    return html`<div
      class="panel ${this.inline ? 'inline' : ''}"
      id="panel"
      role="dialog"
      aria-labelledby="panel-title"
      ?hidden=${!this.inline && !this.open}
    >
      <div class="head">
        <h2 id="panel-title" tabindex="-1">${t('notifications')}</h2>
        <span class="visually-hidden" role="status">${this.wasLive && !this.live ? t('offline') : ''}</span>
        ${
          this.inline
            ? nothing
            : html`<button class="icon-button" type="button" aria-label=${t('close')} @click=${() => this.close()}>
                ${icon('close')}
              </button>`
        }
      </div>
      <div class="tools">
        <label
          ><input
            type="checkbox"
            .checked=${this.order === 'unread_first'}
            @change=${(e: Event) => void this.switchOrder((e.target as HTMLInputElement).checked)}
          />${t('showUnreadFirst')}</label
        >
        <button
          class="text-button"
          type="button"
          ?disabled=${this.unreadCount === 0}
          @click=${() => void this.markAllRead()}
        >
          ${t('markAllRead')}
        </button>
      </div>
      <div class="scroller">
        ${
          this.failure
            ? html`<div class="state" role="alert">
                ${this.localize.term('loadFailed', { message: this.failure })}
                <button class="text-button" type="button" @click=${() => void this.reload()}>${t('retry')}</button>
              </div>`
            : nothing
        }
        <ul role="list" aria-labelledby="panel-title">
          ${repeat(
            this.items,
            (item) => item.id,
            (item) => this.renderItem(item),
          )}
        </ul>
        ${this.items.length === 0 && !this.loading && !this.failure ? html`<div class="state">${t('empty')}</div>` : nothing}
        ${this.loading ? html`<div class="state">${t('loading')}</div>` : nothing}
        <div class="sentinel"></div>
      </div>
    </div>`;
  }

  private close(): void {
    this.open = false;
    this.bubble?.focus();
  }

  override render() {
    const count = this.unreadCount;
    return html`${
        this.inline
          ? nothing
          : html`<button
              class="bubble"
              type="button"
              aria-label=${this.localize.term('bubbleLabel', { count })}
              aria-expanded=${String(this.open)}
              aria-controls="panel"
              @click=${() => (this.open = !this.open)}
            >
              ${icon('bell')}${count > 0 ? html`<span class="count" aria-hidden="true">${count > 99 ? '99+' : count}</span>` : nothing}
            </button>`
      }
      ${this.renderPanel()}
      <herald-popup-stack
        lang=${this.localize.language}
        time-zone=${this.timeZone ?? ''}
        crm-base=${this.crmBase ?? ''}
        .duration=${this.popupDuration}
      ></herald-popup-stack>`;
  }
}
