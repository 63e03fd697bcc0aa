import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { HeraldError } from '@herald/sdk';
import { GatewayClient } from '../../api/gateway.js';
import type { ChannelName, Profile, Provider, Settings, SettingsPatch } from '../../api/types.js';
import { Localize, languageOf } from '../../localize/localize.js';
import type { MessageKey } from '../../localize/en.js';
import { base } from '../../styles.js';
import { settingsPageStyles } from './settings-page.styles.js';

const switchable: readonly Exclude<ChannelName, 'interface'>[] = ['email', 'mobile', 'browser', 'telegram'];
const channelLabel: Record<ChannelName, MessageKey> = {
  interface: 'channelInterface',
  email: 'channelEmail',
  mobile: 'channelMobile',
  browser: 'channelBrowser',
  telegram: 'channelTelegram',
};
const leadMinutes = [5, 15, 30, 60] as const;

type Status =
  { state: 'idle' } | { state: 'saving' } | { state: 'saved' } | { state: 'failed'; message: string; field?: string };

/** What the form edits: the settings document and the profile's zone and language. */
interface Draft {
  receive: boolean;
  emailMode: 'immediate' | 'daily';
  digestTime: string;
  taskLead: number;
  timezone: string;
  locale: string;
  channels: Record<string, Partial<Record<ChannelName, boolean>>>;
}

/**
 * The settings page (seeds/000, 001, 004): "Receive notifications", every
 * provider × channel (the interface always on), the email mode and digest
 * time, the task reminder, the time zone and language, the browser-push and
 * Telegram connections (their own elements), and Save. Fires `herald-settings-saved` (detail: the profile) after a save.
 */
export class HeraldSettingsPage extends LitElement {
  static override styles = [base, settingsPageStyles];
  static override properties: PropertyDeclarations = {
    gateway: { type: String },
    token: { type: String },
    lang: { type: String, reflect: true },
    providers: { state: true },
    draft: { state: true },
    status: { state: true },
    loadError: { state: true },
  };

  declare gateway: string;
  declare token: string;
  declare lang: string;
  declare providers: Provider[];
  declare draft: Draft | undefined;
  declare status: Status;
  declare loadError: string | undefined;
  private readonly localize = new Localize(this);
  private saved: { settings: Settings; profile: Profile } | undefined;

  constructor() {
    super();
    this.gateway = '';
    this.token = '';
    this.lang = '';
    this.providers = [];
    this.status = { state: 'idle' };
  }

  private get client(): GatewayClient {
    return new GatewayClient(this.gateway, this.token);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed.has('gateway') || changed.has('token')) && this.token) void this.load();
  }

  async load(): Promise<void> {
    const client = this.client;
    try {
      const [settings, providers, profile] = await Promise.all([
        client.settings(),
        client.providers(),
        client.profile(),
      ]);
      this.providers = providers;
      this.accept(settings, profile);
      if (!this.lang) this.lang = profile.locale;
      this.loadError = undefined;
    } catch (err) {
      this.loadError = (err as Error).message;
    }
  }

  private accept(settings: Settings, profile: Profile): void {
    this.saved = { settings, profile };
    const channels: Draft['channels'] = {};
    for (const [id, p] of Object.entries(settings.providers)) channels[id] = { ...p.channels };
    this.draft = {
      receive: settings.receive_notifications,
      emailMode: settings.email_mode,
      digestTime: settings.digest_time,
      taskLead: settings.task_lead_minutes,
      timezone: profile.timezone,
      locale: languageOf(profile.locale),
      channels,
    };
  }

  private edit(change: Partial<Draft>): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, ...change };
    if (this.status.state !== 'saving') this.status = { state: 'idle' };
  }

  private setChannel(provider: string, channel: ChannelName, on: boolean): void {
    if (!this.draft) return;
    this.edit({
      channels: { ...this.draft.channels, [provider]: { ...this.draft.channels[provider], [channel]: on } },
    });
  }

  /** Only what changed, as a JSON merge patch. */
  private patchOf(draft: Draft, settings: Settings): SettingsPatch {
    const patch: SettingsPatch = {};
    if (draft.receive !== settings.receive_notifications) patch.receive_notifications = draft.receive;
    if (draft.emailMode !== settings.email_mode) patch.email_mode = draft.emailMode;
    if (draft.digestTime !== settings.digest_time) patch.digest_time = draft.digestTime;
    if (draft.taskLead !== settings.task_lead_minutes) patch.task_lead_minutes = draft.taskLead;
    const providers: NonNullable<SettingsPatch['providers']> = {};
    for (const [id, channels] of Object.entries(draft.channels)) {
      const before = settings.providers[id]?.channels ?? {};
      const changed: Partial<Record<ChannelName, boolean>> = {};
      for (const channel of switchable) {
        if (channels[channel] !== undefined && channels[channel] !== (before[channel] ?? false))
          changed[channel] = channels[channel];
      }
      if (Object.keys(changed).length > 0) providers[id] = { channels: changed };
    }
    if (Object.keys(providers).length > 0) patch.providers = providers;
    return patch;
  }

  private async save(event: Event): Promise<void> {
    event.preventDefault();
    const draft = this.draft;
    const saved = this.saved;
    if (!draft || !saved) return;
    this.status = { state: 'saving' };
    const client = this.client;
    try {
      const patch = this.patchOf(draft, saved.settings);
      const settings = Object.keys(patch).length > 0 ? await client.patchSettings(patch) : saved.settings;
      const profileChange: { timezone?: string; locale?: string } = {};
      if (draft.timezone !== saved.profile.timezone) profileChange.timezone = draft.timezone;
      if (draft.locale !== languageOf(saved.profile.locale)) profileChange.locale = draft.locale;
      const profile = Object.keys(profileChange).length > 0 ? await client.patchProfile(profileChange) : saved.profile;
      this.accept(settings, profile);
      this.lang = profile.locale;
      this.status = { state: 'saved' };
      this.dispatchEvent(new CustomEvent('herald-settings-saved', { detail: profile, bubbles: true, composed: true }));
    } catch (err) {
      const field = err instanceof HeraldError ? err.field : undefined;
      this.status = { state: 'failed', message: (err as Error).message, ...(field ? { field } : {}) };
      if (field) this.renderRoot.querySelector<HTMLElement>(`[data-field="${CSS.escape(field)}"]`)?.focus();
    }
  }

  private invalid(field: string): boolean {
    return this.status.state === 'failed' && this.status.field === field;
  }

  private fieldError(field: string) {
    return this.status.state === 'failed' && this.status.field === field
      ? html`<span class="field-error" id="error-${field}">${this.status.message}</span>`
      : nothing;
  }

  private timeZones(current: string): string[] {
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    return zones.includes(current) ? zones : [current, ...zones];
  }

  override render() {
    const t = (key: MessageKey, params?: Record<string, string | number>) => this.localize.term(key, params);
    if (this.loadError) return html`<p role="alert" class="failed">${t('saveFailed', { message: this.loadError })}</p>`;
    const d = this.draft;
    if (!d) return html`<p>${t('loading')}</p>`;
    const rows = this.providers.length
      ? this.providers.map((p) => ({ id: p.id, name: this.localize.providerName(p.id, p.name) }))
      : Object.entries(this.saved?.settings.providers ?? {}).map(([id, p]) => ({
          id,
          name: this.localize.providerName(id, p.name),
        }));
    return html`<form aria-labelledby="settings-title" novalidate @submit=${(e: Event) => void this.save(e)}>
      <h2 id="settings-title">${t('settings')}</h2>
      <div>
        <label class="switch"
          ><input
            type="checkbox"
            role="switch"
            data-field="receive_notifications"
            .checked=${d.receive}
            @change=${(e: Event) => this.edit({ receive: (e.target as HTMLInputElement).checked })}
          />${t('receiveNotifications')}</label
        >
        <p class="hint">${t('receiveHint')}</p>
      </div>

      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">${t('provider')}</th>
              <th scope="col">${t('channelInterface')}</th>
              ${switchable.map((c) => html`<th scope="col">${t(channelLabel[c])}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (p) =>
                html`<tr data-provider=${p.id}>
                  <th scope="row">${p.name}</th>
                  <td>
                    <input
                      type="checkbox"
                      checked
                      disabled
                      aria-label=${t('channelFor', { channel: t('channelInterface'), provider: p.name })}
                      title=${t('interfaceAlwaysOn')}
                    />
                  </td>
                  ${switchable.map(
                    (c) =>
                      html`<td>
                        <input
                          type="checkbox"
                          data-field="providers.${p.id}.channels.${c}"
                          aria-label=${t('channelFor', { channel: t(channelLabel[c]), provider: p.name })}
                          .checked=${d.channels[p.id]?.[c] ?? false}
                          ?disabled=${!d.receive}
                          @change=${(e: Event) => this.setChannel(p.id, c, (e.target as HTMLInputElement).checked)}
                        />
                      </td>`,
                  )}
                </tr>`,
            )}
          </tbody>
        </table>
      </div>

      <fieldset>
        <legend>${t('emailMode')}</legend>
        <div class="row">
          ${(['immediate', 'daily'] as const).map(
            (mode) =>
              html`<label
                ><input
                  type="radio"
                  name="email_mode"
                  value=${mode}
                  data-field=${mode === 'immediate' ? 'email_mode' : nothing}
                  .checked=${d.emailMode === mode}
                  @change=${() => this.edit({ emailMode: mode })}
                />
                ${t(mode === 'immediate' ? 'emailImmediate' : 'emailDaily')}</label
              >`,
          )}
        </div>
        <label class="field"
          ><span>${t('digestTime')}</span
          ><input
            type="text"
            inputmode="numeric"
            autocomplete="off"
            placeholder="18:00"
            data-field="digest_time"
            .value=${d.digestTime}
            ?disabled=${d.emailMode !== 'daily'}
            aria-invalid=${this.invalid('digest_time') ? 'true' : 'false'}
            aria-describedby=${this.invalid('digest_time') ? 'error-digest_time' : nothing}
            @input=${(e: Event) => this.edit({ digestTime: (e.target as HTMLInputElement).value })}
          />${this.fieldError('digest_time')}</label
        >
      </fieldset>

      <label class="field"
        ><span>${t('taskLead')}</span
        ><select
          data-field="task_lead_minutes"
          aria-invalid=${this.invalid('task_lead_minutes') ? 'true' : 'false'}
          @change=${(e: Event) => this.edit({ taskLead: Number((e.target as HTMLSelectElement).value) })}
        >
          ${leadMinutes.map(
            (m) =>
              html`<option value=${m} ?selected=${d.taskLead === m}>
                ${m === 60 ? t('hour') : t('minutes', { count: m })}
              </option>`,
          )}</select
        >${this.fieldError('task_lead_minutes')}</label
      >

      <label class="field"
        ><span>${t('timezone')}</span
        ><select
          data-field="timezone"
          aria-invalid=${this.invalid('timezone') ? 'true' : 'false'}
          @change=${(e: Event) => this.edit({ timezone: (e.target as HTMLSelectElement).value })}
        >
          ${this.timeZones(d.timezone).map((z) => html`<option value=${z} ?selected=${d.timezone === z}>${z}</option>`)}</select
        >${this.fieldError('timezone')}</label
      >

      <label class="field"
        ><span>${t('language')}</span
        ><select
          data-field="locale"
          @change=${(e: Event) => this.edit({ locale: (e.target as HTMLSelectElement).value })}
        >
          <option value="en" ?selected=${d.locale === 'en'}>English</option>
          <option value="ru" ?selected=${d.locale === 'ru'}>Русский</option>
        </select></label
      >

      <section class="connections" aria-label=${t('connections')}>
        <herald-browser-push-control
          gateway=${this.gateway}
          token=${this.token}
          lang=${this.lang}
        ></herald-browser-push-control>
        <herald-telegram-control
          gateway=${this.gateway}
          token=${this.token}
          lang=${this.lang}
        ></herald-telegram-control>
      </section>

      <div class="save">
        <button type="submit" ?disabled=${this.status.state === 'saving'}>
          ${this.status.state === 'saving' ? t('saving') : t('save')}
        </button>
        ${this.status.state === 'saved' ? html`<span role="status" class="ok">${t('saved')}</span>` : nothing}
        ${
          this.status.state === 'failed'
            ? html`<span role="alert" class="failed">${t('saveFailed', { message: this.status.message })}</span>`
            : nothing
        }
      </div>
    </form>`;
  }
}
