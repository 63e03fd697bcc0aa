import { HeraldError } from './errors.js';
import { validate, type Method, type Params } from './params.js';

/** The gateway's answer to a call: the notification's id, and the users it did not know. */
export interface Accepted {
  id: string;
  duplicate: boolean;
  unknown_users: string[];
}

/** A popup as the live feed carries it (`type: popup`), and as this tab shows its own. */
export type Popup = {
  id: string;
  provider: { id: string; name: string; icon_url: string | null } | null;
  /** ISO 8601. */
  date: string;
  header: string;
  text: string;
} & (
  | { kind: 'message'; icon: string | null }
  | { kind: 'message_error'; link: string | null }
  | { kind: 'notification'; type: 'call' | 'error' }
);

/** Dispatched on the target (the window) for each popup this tab shows itself; `detail` is the Popup. */
export const popupEventName = 'herald-popup';

export interface NotificationsOptions {
  /** The gateway's base URL, e.g. `https://herald.example.com`; the page's own origin when empty. */
  gateway: string;
  /** The person token the CRM signed for the user, or a function that returns a fresh one. */
  token: string | (() => string | Promise<string>);
}

type PopupMethod = 'show_message' | 'show_message_error' | 'show_notification';

const isoOf = (date: number | undefined): string =>
  new Date(date === undefined ? Date.now() : date * 1000).toISOString();

function popupOf<M extends PopupMethod>(method: M, params: Params<M>, id: string): Popup {
  switch (method) {
    case 'show_message': {
      const p = params as Params<'show_message'>;
      return {
        id,
        provider: null,
        date: isoOf(p.date),
        header: p.header,
        text: p.text,
        kind: 'message',
        icon: p.icon ?? null,
      };
    }
    case 'show_message_error': {
      const p = params as Params<'show_message_error'>;
      return {
        id,
        provider: null,
        date: isoOf(p.date),
        header: p.header,
        text: p.text,
        kind: 'message_error',
        link: p.link ?? null,
      };
    }
    default: {
      const p = params as Params<'show_notification'>;
      return {
        id,
        provider: null,
        date: isoOf(p.date),
        header: p.text.header,
        text: p.text.text,
        kind: 'notification',
        type: p.type,
      };
    }
  }
}

/**
 * `APP.notifications`: the five calls of seeds/003 under their Kommo names.
 * Bad parameters throw a HeraldError naming the field before anything is sent.
 * A popup (`show_*`) shows at once in this tab and reaches the user's other
 * tabs through the gateway; `add_*` are stored and arrive over the live feed.
 */
export class Notifications {
  private options: NotificationsOptions | undefined;
  private readonly own = new Set<string>();
  private readonly pending = new Set<Promise<unknown>>();
  private localIds = 0;

  constructor(
    options?: NotificationsOptions,
    // The window, in a browser.
    private readonly target: EventTarget = globalThis as unknown as EventTarget,
  ) {
    this.options = options;
  }

  /** Points the calls at a gateway with a person token (the notification-center element does this by itself). */
  configure(options: NotificationsOptions): void {
    this.options = options;
  }

  get configured(): boolean {
    return this.options !== undefined;
  }

  show_message(params: Params<'show_message'>): Promise<Accepted> {
    return this.popup('show_message', params);
  }

  show_message_error(params: Params<'show_message_error'>): Promise<Accepted> {
    return this.popup('show_message_error', params);
  }

  show_notification(params: Params<'show_notification'>): Promise<Accepted> {
    return this.popup('show_notification', params);
  }

  add_error(params: Params<'add_error'>): Promise<Accepted> {
    return this.send('add_error', validate('add_error', params));
  }

  add_call(params: Params<'add_call'>): Promise<Accepted> {
    return this.send('add_call', validate('add_call', params));
  }

  /**
   * Whether a popup of the live feed is one this tab already showed (the
   * gateway sends it to every tab of the user): waits for the calls in flight,
   * since the feed may be faster than the call's own answer.
   */
  async isOwnPopup(id: string): Promise<boolean> {
    if (this.own.has(id)) return true;
    await Promise.allSettled([...this.pending]);
    return this.own.has(id);
  }

  private popup<M extends PopupMethod>(method: M, params: Params<M>): Promise<Accepted> {
    const valid = validate(method, params);
    this.target.dispatchEvent(
      new CustomEvent<Popup>(popupEventName, { detail: popupOf(method, valid, `local-${++this.localIds}`) }),
    );
    return this.send(method, valid);
  }

  private send(method: Method, params: unknown): Promise<Accepted> {
    const call = this.post(method, params);
    this.pending.add(call);
    void call
      .then(
        (accepted) => this.own.add(accepted.id),
        () => undefined,
      )
      .finally(() => this.pending.delete(call));
    return call;
  }

  private async post(method: Method, params: unknown): Promise<Accepted> {
    const options = this.options;
    if (!options) {
      throw new HeraldError(
        'NOT_CONFIGURED',
        'APP.notifications is not connected to a Herald gateway: call configure() first',
      );
    }
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    let response: Response;
    try {
      response = await fetch(`${options.gateway.replace(/\/+$/, '')}/api/v1/me/notifications/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(params),
      });
    } catch (cause) {
      throw new HeraldError('UNAVAILABLE', `${method}: the gateway did not answer`, { cause });
    }
    const body = (await response.json().catch(() => ({}))) as Partial<Accepted> & {
      error?: { code?: string; message?: string; field?: string };
    };
    if (!response.ok) {
      const error = body.error ?? {};
      throw new HeraldError(error.code ?? 'INTERNAL', error.message ?? `${method}: HTTP ${response.status}`, {
        status: response.status,
        ...(error.field ? { field: error.field } : {}),
      });
    }
    return { id: body.id ?? '', duplicate: body.duplicate ?? false, unknown_users: body.unknown_users ?? [] };
  }
}
