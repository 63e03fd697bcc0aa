import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { HeraldError } from '@herald/sdk';
import { GatewayClient } from '../../api/gateway.js';
import { Localize } from '../../localize/localize.js';
import type { MessageKey } from '../../localize/en.js';
import { base, connection } from '../../styles.js';

/** How often the page asks whether the person pressed Start in Telegram. */
const pollMs = 2_000;

type TelegramState =
  | { kind: 'checking' }
  | { kind: 'disconnected'; notice?: 'telegramDisconnected' | 'telegramExpired' }
  | { kind: 'linking'; url: string; expiresAt: number }
  | { kind: 'connected'; username: string | undefined }
  | { kind: 'off' }
  | { kind: 'failed'; message: string; connected: boolean };

/** The link the server gave, if it is one a browser should open (https only). */
function httpsLink(url: string): string | undefined {
  try {
    return new URL(url).protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The settings page's "Receive notifications via Telegram" row (issue 12):
 * "+" asks for a one-time link, shows it (to open in Telegram, or to copy),
 * asks every 2 s whether the person pressed Start there — until connected, the
 * link's expiry, or the page is left — and then shows "Connected as
 * @username" with Disconnect.
 */
export class HeraldTelegramControl extends LitElement {
  static override styles = [base, connection];
  static override properties: PropertyDeclarations = {
    gateway: { type: String },
    token: { type: String },
    lang: { type: String, reflect: true },
    state: { state: true },
    busy: { state: true },
    copied: { state: true },
  };

  declare gateway: string;
  declare token: string;
  declare lang: string;
  declare state: TelegramState;
  declare busy: boolean;
  declare copied: boolean;
  private readonly localize = new Localize(this);
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.gateway = '';
    this.token = '';
    this.lang = '';
    this.state = { kind: 'checking' };
    this.busy = false;
    this.copied = false;
  }

  private get client(): GatewayClient {
    return new GatewayClient(this.gateway, this.token);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.state.kind === 'linking') this.schedule();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopPolling();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('gateway') || changed.has('token')) && this.token) void this.check();
  }

  async check(): Promise<void> {
    this.stopPolling();
    try {
      const status = await this.client.telegramStatus();
      this.state = status.connected ? { kind: 'connected', username: status.username } : { kind: 'disconnected' };
    } catch (err) {
      this.failOrOff(err, false);
    }
  }

  private failOrOff(err: unknown, connected: boolean): void {
    if (err instanceof HeraldError && (err.status === 409 || err.status === 503)) this.state = { kind: 'off' };
    else this.state = { kind: 'failed', message: (err as Error).message, connected };
  }

  private stopPolling(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.stopPolling();
    this.timer = setTimeout(() => void this.poll(), pollMs);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    const state = this.state;
    if (state.kind !== 'linking' || !this.isConnected) return;
    if (Date.now() >= state.expiresAt) {
      this.state = { kind: 'disconnected', notice: 'telegramExpired' };
      return;
    }
    try {
      const status = await this.client.telegramStatus();
      if (this.state !== state) return;
      if (status.connected) {
        this.state = { kind: 'connected', username: status.username };
        return;
      }
    } catch {
      // A missed answer is asked again at the next tick.
    }
    if (this.state === state) this.schedule();
  }

  private async connect(): Promise<void> {
    this.busy = true;
    this.copied = false;
    try {
      const offer = await this.client.telegramLink();
      const url = httpsLink(offer.url);
      if (!url) throw new Error('the server gave no https link');
      this.state = { kind: 'linking', url, expiresAt: Date.parse(offer.expires_at) };
      this.schedule();
    } catch (err) {
      this.failOrOff(err, false);
    } finally {
      this.busy = false;
    }
  }

  private async disconnect(): Promise<void> {
    this.busy = true;
    try {
      await this.client.telegramDisconnect();
      this.state = { kind: 'disconnected', notice: 'telegramDisconnected' };
    } catch (err) {
      this.failOrOff(err, true);
    } finally {
      this.busy = false;
    }
  }

  private async copy(url: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(url);
      this.copied = true;
    } catch {
      // Without clipboard access the text is selected, for the person to copy.
      this.renderRoot.querySelector<HTMLInputElement>('input')?.select();
    }
  }

  private statusText(): { text: string; tone: string } {
    const t = (key: MessageKey, params?: Record<string, string | number>) => this.localize.term(key, params);
    const s = this.state;
    switch (s.kind) {
      case 'checking':
        return { text: t('telegramChecking'), tone: '' };
      case 'disconnected':
        return { text: t(s.notice ?? 'telegramNotConnected'), tone: '' };
      case 'linking': {
        const time = new Intl.DateTimeFormat(this.localize.language, { timeStyle: 'short' }).format(s.expiresAt);
        return { text: this.copied ? t('telegramCopied') : t('telegramWaiting', { time }), tone: '' };
      }
      case 'connected':
        return {
          text: s.username ? t('telegramConnected', { username: s.username }) : t('telegramConnectedNoName'),
          tone: 'ok',
        };
      case 'off':
        return { text: t('telegramOff'), tone: 'failed' };
      case 'failed':
        return { text: t('telegramFailed', { message: s.message }), tone: 'failed' };
    }
  }

  override render() {
    const t = (key: MessageKey) => this.localize.term(key);
    const s = this.state;
    const connected = s.kind === 'connected' || (s.kind === 'failed' && s.connected);
    const { text, tone } = this.statusText();
    return html`<section class="connection" aria-labelledby="telegram-title" aria-busy=${this.busy ? 'true' : 'false'}>
      <div class="head">
        <h3 id="telegram-title">${t('telegramTitle')}</h3>
        ${
          connected
            ? html`<button type="button" ?disabled=${this.busy} @click=${() => void this.disconnect()}>
                ${t('telegramDisconnect')}
              </button>`
            : s.kind === 'checking'
              ? nothing
              : html`<button
                  type="button"
                  class="add primary"
                  aria-label=${t('telegramConnect')}
                  title=${t('telegramConnect')}
                  ?disabled=${this.busy}
                  @click=${() => void this.connect()}
                >
                  +
                </button>`
        }
      </div>
      ${
        s.kind === 'linking'
          ? html`<div class="actions">
              <a href=${s.url} target="_blank" rel="noopener noreferrer">${t('telegramOpen')}</a>
              <input type="text" readonly aria-label=${t('telegramLinkLabel')} .value=${s.url} />
              <button type="button" @click=${() => void this.copy(s.url)}>${t('telegramCopy')}</button>
            </div>`
          : nothing
      }
      <p class="state ${tone}" role="status">${text}</p>
    </section>`;
  }
}
