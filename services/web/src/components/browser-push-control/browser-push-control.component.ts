import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { HeraldError } from '@herald/sdk';
import { GatewayClient } from '../../api/gateway.js';
import { Localize } from '../../localize/localize.js';
import type { MessageKey } from '../../localize/en.js';
import { base, connection } from '../../styles.js';

/** Where this browser remembers the id Herald gave its subscription. */
const storageKey = 'herald.push.subscription';

type PushState = 'checking' | 'unsupported' | 'denied' | 'off' | 'idle' | 'working' | 'enabled' | 'failed';

const stateText: Record<Exclude<PushState, 'failed'>, MessageKey> = {
  checking: 'pushChecking',
  unsupported: 'pushUnsupported',
  denied: 'pushDenied',
  off: 'pushServerOff',
  idle: 'pushDisabled',
  working: 'pushWorking',
  enabled: 'pushEnabled',
};

function supported(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    'serviceWorker' in navigator &&
    typeof PushManager !== 'undefined' &&
    typeof Notification !== 'undefined'
  );
}

function rememberedId(endpoint: string): string | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as { endpoint?: string; id?: string } | null;
    return saved?.endpoint === endpoint ? saved.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The settings page's browser channel control (issue 10): on the person's
 * click only, it registers the service worker (`/sw.js`, scope `/`), asks for
 * the notification permission, subscribes this browser with the server's VAPID
 * key, registers the subscription with Herald and hands the worker the
 * person's token; it shows whether this browser is subscribed and unsubscribes it.
 */
export class HeraldBrowserPushControl extends LitElement {
  static override styles = [base, connection];
  static override properties: PropertyDeclarations = {
    gateway: { type: String },
    token: { type: String },
    lang: { type: String, reflect: true },
    state: { state: true },
    failure: { state: true },
    subscribed: { state: true },
  };

  declare gateway: string;
  declare token: string;
  declare lang: string;
  declare state: PushState;
  declare failure: string;
  declare subscribed: boolean;
  private readonly localize = new Localize(this);

  constructor() {
    super();
    this.gateway = '';
    this.token = '';
    this.lang = '';
    this.state = 'checking';
    this.failure = '';
    this.subscribed = false;
  }

  private get client(): GatewayClient {
    return new GatewayClient(this.gateway, this.token);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('gateway') || changed.has('token')) && this.token) void this.check();
  }

  /** Whether this browser is subscribed, asking nothing of the person. */
  async check(): Promise<void> {
    if (!supported()) {
      this.state = 'unsupported';
      return;
    }
    try {
      const subscription = await this.currentSubscription();
      this.subscribed = subscription !== null;
      if (subscription) {
        this.state = 'enabled';
        await this.handOverSession();
      } else {
        this.state = Notification.permission === 'denied' ? 'denied' : 'idle';
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private async currentSubscription(): Promise<PushSubscription | null> {
    const registration = await navigator.serviceWorker.getRegistration('/');
    return (await registration?.pushManager.getSubscription()) ?? null;
  }

  /** The worker marks items read with the person's token (services/browser-push/README.md). */
  private async handOverSession(): Promise<void> {
    const registration = await navigator.serviceWorker.ready;
    registration.active?.postMessage({ type: 'herald:session', token: this.token });
  }

  private fail(err: unknown): void {
    this.failure = (err as Error).message;
    this.state = 'failed';
  }

  private async enable(): Promise<void> {
    const client = this.client;
    this.state = 'working';
    try {
      let key: string;
      try {
        key = await client.vapidPublicKey();
      } catch (err) {
        if (err instanceof HeraldError && err.status === 503) {
          this.state = 'off';
          return;
        }
        throw err;
      }
      const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      if ((await Notification.requestPermission()) !== 'granted') {
        this.state = 'denied';
        return;
      }
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: key,
      });
      const id = await client.subscribePush(subscription.toJSON());
      localStorage.setItem(storageKey, JSON.stringify({ endpoint: subscription.endpoint, id }));
      this.subscribed = true;
      await this.handOverSession();
      this.state = 'enabled';
    } catch (err) {
      this.fail(err);
    }
  }

  private async disable(): Promise<void> {
    const client = this.client;
    this.state = 'working';
    try {
      const subscription = await this.currentSubscription();
      if (subscription) {
        // Posting the same endpoint again answers the id it already has.
        const id = rememberedId(subscription.endpoint) ?? (await client.subscribePush(subscription.toJSON()));
        try {
          await client.unsubscribePush(id);
        } catch (err) {
          if (!(err instanceof HeraldError && err.status === 404)) throw err;
        }
        await subscription.unsubscribe();
      }
      localStorage.removeItem(storageKey);
      this.subscribed = false;
      this.state = 'idle';
    } catch (err) {
      this.fail(err);
    }
  }

  override render() {
    const t = (key: MessageKey, params?: Record<string, string | number>) => this.localize.term(key, params);
    const text = this.state === 'failed' ? t('pushFailed', { message: this.failure }) : t(stateText[this.state]);
    const tone = this.state === 'enabled' ? 'ok' : this.state === 'failed' || this.state === 'denied' ? 'failed' : '';
    const busy = this.state === 'working' || this.state === 'checking';
    const canAct = this.state !== 'unsupported' && this.state !== 'checking';
    return html`<section class="connection" aria-labelledby="push-title" aria-busy=${busy ? 'true' : 'false'}>
      <div class="head">
        <h3 id="push-title">${t('pushTitle')}</h3>
        ${
          canAct
            ? this.subscribed
              ? html`<button type="button" ?disabled=${busy} @click=${() => void this.disable()}>
                  ${t('pushDisable')}
                </button>`
              : html`<button type="button" class="primary" ?disabled=${busy} @click=${() => void this.enable()}>
                  ${t('pushEnable')}
                </button>`
            : nothing
        }
      </div>
      <p class="state ${tone}" role="status">${text}</p>
    </section>`;
  }
}
