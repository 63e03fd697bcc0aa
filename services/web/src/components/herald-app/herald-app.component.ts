import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { GatewayClient } from '../../api/gateway.js';
import type { Profile } from '../../api/types.js';
import { Localize } from '../../localize/localize.js';
import type { MessageKey } from '../../localize/en.js';
import { base } from '../../styles.js';
import { heraldAppStyles } from './herald-app.styles.js';

const storageKey = 'herald.token';

/** The gateway runs outside dev mode: people come signed in from the CRM (`#token=…`). */
export class DevSignInOff extends Error {
  override readonly name = 'DevSignInOff';
}

/** A token for `account`/`user` from the dev sign-in (dev mode only), or an Error saying why not. */
export async function devSignIn(gateway: string, account: string, user: string): Promise<string> {
  const response = await fetch(`${gateway}/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account, user }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; error?: { message?: string } };
  if (response.status === 404) throw new DevSignInOff();
  if (!response.ok || !body.token) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body.token;
}

/**
 * The full page at `/`: the notification center and the settings page, for
 * the person whose token is in the address (`#token=…`, as the CRM links here)
 * or this tab's storage; in dev mode, a sign-in form for any user.
 */
export class HeraldApp extends LitElement {
  static override styles = [base, heraldAppStyles];
  static override properties: PropertyDeclarations = {
    gateway: { type: String },
    lang: { type: String, reflect: true },
    token: { state: true },
    timeZone: { state: true },
    signInError: { state: true },
  };

  declare gateway: string;
  declare lang: string;
  declare token: string;
  declare timeZone: string | undefined;
  declare signInError: string | undefined;
  private readonly localize = new Localize(this);

  constructor() {
    super();
    this.gateway = '';
    this.lang = '';
    this.token = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
    if (fromHash) {
      sessionStorage.setItem(storageKey, fromHash);
      history.replaceState(null, '', location.pathname + location.search);
    }
    this.token = fromHash ?? sessionStorage.getItem(storageKey) ?? '';
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The page speaks the user's language (the profile's locale) unless told otherwise.
    if (changed.has('token') && this.token) {
      new GatewayClient(this.base, this.token).profile().then(
        (profile) => {
          this.lang = profile.locale;
          this.timeZone = profile.timezone;
        },
        () => undefined,
      );
    }
  }

  private get base(): string {
    return (this.gateway || location.origin).replace(/\/+$/, '');
  }

  private async signIn(event: Event): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    try {
      this.token = await devSignIn(this.base, String(form.get('account')), String(form.get('user')));
      sessionStorage.setItem(storageKey, this.token);
      this.signInError = undefined;
    } catch (err) {
      this.signInError = err instanceof DevSignInOff ? this.localize.term('devSignInOff') : (err as Error).message;
    }
  }

  private signOut(): void {
    sessionStorage.removeItem(storageKey);
    this.token = '';
  }

  private onSaved(event: Event): void {
    const profile = (event as CustomEvent<Profile>).detail;
    this.lang = profile.locale;
    this.timeZone = profile.timezone;
  }

  override render() {
    const t = (key: MessageKey) => this.localize.term(key);
    return html`<header>
        <h1>Herald · ${t('center')}</h1>
        ${this.token ? html`<button class="plain" type="button" @click=${() => this.signOut()}>${t('signOut')}</button>` : nothing}
      </header>
      ${
        this.token
          ? html`<main>
              <herald-notification-center
                inline
                gateway=${this.base}
                token=${this.token}
                lang=${this.lang}
                time-zone=${this.timeZone ?? ''}
              ></herald-notification-center>
              <div class="card">
                <herald-settings-page
                  gateway=${this.base}
                  token=${this.token}
                  lang=${this.lang}
                  @herald-settings-saved=${(e: Event) => this.onSaved(e)}
                ></herald-settings-page>
              </div>
            </main>`
          : html`<main>
              <div class="card">
                <form aria-labelledby="sign-in-title" @submit=${(e: Event) => void this.signIn(e)}>
                  <h2 id="sign-in-title">${t('signIn')}</h2>
                  <p class="hint">${t('signInHint')}</p>
                  <label>${t('account')}<input name="account" required value="demo" autocomplete="off" /></label>
                  <label>${t('user')}<input name="user" required value="alice" autocomplete="off" /></label>
                  <button type="submit">${t('signIn')}</button>
                  ${this.signInError ? html`<p role="alert" class="failed">${this.signInError}</p>` : nothing}
                </form>
              </div>
            </main>`
      }`;
  }
}
