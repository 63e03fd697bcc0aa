import { LitElement, html, nothing, type PropertyDeclarations } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { safeHref, type Popup } from '@herald/sdk';
import { icon } from '../../icons.js';
import { Localize } from '../../localize/localize.js';
import { base } from '../../styles.js';
import { popupStackStyles } from './popup-stack.styles.js';

interface Shown {
  key: number;
  popup: Popup;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The popups of show_message, show_message_error and show_notification, on the
 * right side: each leaves after `duration` ms or when closed, and is never in
 * the list. Errors are alerts, the rest statuses, for screen readers.
 */
export class HeraldPopupStack extends LitElement {
  static override styles = [base, popupStackStyles];
  static override properties: PropertyDeclarations = {
    lang: { type: String },
    timeZone: { type: String, attribute: 'time-zone' },
    crmBase: { type: String, attribute: 'crm-base' },
    duration: { type: Number },
    shown: { state: true },
  };

  declare lang: string;
  declare timeZone: string | undefined;
  declare crmBase: string | undefined;
  /** How long a popup stays, in milliseconds. */
  declare duration: number;
  declare shown: Shown[];
  private readonly localize = new Localize(this);
  private keys = 0;
  private readonly brokenIcons = new Set<string>();

  private iconFailed(url: string): void {
    this.brokenIcons.add(url);
    this.requestUpdate();
  }

  constructor() {
    super();
    this.lang = '';
    this.duration = 6_000;
    this.shown = [];
  }

  show(popup: Popup): void {
    const key = ++this.keys;
    const timer = setTimeout(() => this.dismiss(key), this.duration);
    this.shown = [...this.shown, { key, popup, timer }].slice(-5);
  }

  dismiss(key: number): void {
    const gone = this.shown.find((s) => s.key === key);
    if (gone) clearTimeout(gone.timer);
    this.shown = this.shown.filter((s) => s.key !== key);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const s of this.shown) clearTimeout(s.timer);
    this.shown = [];
  }

  override render() {
    return html`<div class="stack" role="region" aria-label=${this.localize.term('popupRegion')}>
      ${repeat(
        this.shown,
        (s) => s.key,
        (s) => this.renderPopup(s),
      )}
    </div>`;
  }

  private renderPopup({ key, popup }: Shown) {
    const isError = popup.kind === 'message_error' || (popup.kind === 'notification' && popup.type === 'error');
    const isCall = popup.kind === 'notification' && popup.type === 'call';
    const given = popup.kind === 'message' ? safeHref(popup.icon) : undefined;
    // An icon that does not load gives way to the robot.
    const iconUrl = given && !this.brokenIcons.has(given) ? given : undefined;
    const link = popup.kind === 'message_error' ? safeHref(popup.link, this.crmBase) : undefined;
    const figure = iconUrl
      ? html`<img src=${iconUrl} alt="" @error=${() => this.iconFailed(iconUrl)} />`
      : icon(isError ? 'error' : isCall ? 'phone' : 'robot');
    const body = html`<p class="header">${popup.header}</p>
      <p class="text">${popup.text}</p>`;
    return html`<div
      class="popup ${isError ? 'error' : isCall ? 'call' : 'info'}"
      role=${isError ? 'alert' : 'status'}
      data-kind=${popup.kind}
      data-id=${popup.id}
    >
      <div class="figure" title=${popup.kind === 'message' && !iconUrl ? this.localize.term('robot') : ''}>
        ${figure}
      </div>
      <div>
        ${link ? html`<a href=${link} rel="noopener noreferrer">${body}</a>` : body}
        <div class="meta">
          <time datetime=${popup.date} title=${this.localize.exactTime(popup.date)}
            >${this.localize.relativeTime(popup.date)}</time
          >${popup.provider?.name ? html` · ${popup.provider.name}` : nothing}
        </div>
      </div>
      <button
        class="dismiss"
        type="button"
        aria-label=${this.localize.term('dismiss')}
        @click=${() => this.dismiss(key)}
      >
        ${icon('close')}
      </button>
    </div>`;
  }
}
