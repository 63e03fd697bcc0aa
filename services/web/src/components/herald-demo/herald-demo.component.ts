import { LitElement, css, html, nothing, type PropertyDeclarations } from 'lit';
import { installGlobal, type Notifications } from '@herald/sdk';
import { seedExamples } from '../../examples.js';
import { base } from '../../styles.js';
import { devSignIn } from '../herald-app/herald-app.component.js';

type Example = keyof typeof seedExamples;

/** Refused before anything is sent: `element.type` must be contact, lead or company. */
const badCall = { text: 'Call', element: { id: 1, type: 'deal' } } as unknown as Parameters<
  Notifications['add_call']
>[0];

const calls: { example: Example; call: (n: Notifications) => Promise<unknown> }[] = [
  { example: 'show_message', call: (n) => n.show_message(seedExamples.show_message) },
  { example: 'show_message_error', call: (n) => n.show_message_error(seedExamples.show_message_error) },
  { example: 'show_notification', call: (n) => n.show_notification(seedExamples.show_notification) },
  { example: 'show_notification_error', call: (n) => n.show_notification(seedExamples.show_notification_error) },
  { example: 'add_error', call: (n) => n.add_error(seedExamples.add_error) },
  { example: 'add_call', call: (n) => n.add_call(seedExamples.add_call) },
];

/**
 * The demo page (dev mode): signs in as the demo user and fires each
 * `APP.notifications` call with the seeds/003 example, so that every kind
 * shows in a minute.
 */
export class HeraldDemo extends LitElement {
  static override styles = [
    base,
    css`
      :host {
        display: block;
        padding: 24px 24px 24px 96px;
        max-width: 900px;
      }
      .calls {
        display: grid;
        gap: 12px;
      }
      .call {
        display: grid;
        grid-template-columns: 220px 1fr;
        gap: 12px;
        align-items: start;
      }
      button {
        background: var(--herald-accent);
        color: #fff;
        border: 0;
        border-radius: 8px;
        padding: 8px 12px;
        font-family: ui-monospace, monospace;
      }
      pre {
        margin: 0;
        background: #f5f7fa;
        border-radius: 8px;
        padding: 8px;
        overflow-x: auto;
        font-size: 12px;
      }
      .failed {
        color: var(--herald-error);
      }
    `,
  ];
  static override properties: PropertyDeclarations = {
    gateway: { type: String },
    account: { type: String },
    user: { type: String },
    token: { state: true },
    outcome: { state: true },
  };

  declare gateway: string;
  declare account: string;
  declare user: string;
  declare token: string;
  declare outcome: string | undefined;

  constructor() {
    super();
    this.gateway = '';
    this.account = 'demo';
    this.user = 'alice';
    this.token = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // `/demo?account=…&user=…` signs in as another user than the demo's.
    const query = new URLSearchParams(location.search);
    this.account = query.get('account') ?? this.account;
    this.user = query.get('user') ?? this.user;
    const gateway = (this.gateway || location.origin).replace(/\/+$/, '');
    devSignIn(gateway, this.account, this.user).then(
      (token) => (this.token = token),
      (err: Error) =>
        (this.outcome = `Could not sign in as ${this.account}/${this.user}: ${err.message}. Run: npm run -s herald -- setup-demo --account ${this.account} --user ${this.user}`),
    );
  }

  private fire(call: (n: Notifications) => Promise<unknown>): void {
    try {
      call(installGlobal()).then(
        (accepted) => (this.outcome = JSON.stringify(accepted)),
        (err: Error) => (this.outcome = err.message),
      );
    } catch (err) {
      this.outcome = (err as Error).message;
    }
  }

  override render() {
    return html`<h1>APP.notifications</h1>
      <p>Signed in as <b>${this.user}</b> of <b>${this.account}</b>. Each button runs the seeds/003 example.</p>
      ${this.outcome ? html`<p role="status" class=${this.outcome.startsWith('{') ? '' : 'failed'}>${this.outcome}</p>` : nothing}
      <div class="calls">
        ${calls.map(
          ({ example, call }) =>
            html`<div class="call">
              <button type="button" ?disabled=${!this.token} @click=${() => this.fire(call)}>${example}</button>
              <pre>${JSON.stringify(seedExamples[example], null, 2)}</pre>
            </div>`,
        )}
        <div class="call">
          <button type="button" ?disabled=${!this.token} @click=${() => this.fire((n) => n.add_call(badCall))}>
            bad parameters
          </button>
          <pre>{ text: 'Call', element: { id: 1, type: 'deal' } }</pre>
        </div>
      </div>
      ${this.token ? html`<herald-notification-center gateway=${this.gateway} token=${this.token}></herald-notification-center>` : nothing}`;
  }
}
