import { Rendered, type CallNotice, type Notification } from '@herald/contracts';
import { translator, type Locale, type Translator } from './i18n.js';

/** A notification as one recipient reads it, in their language and time zone. */
export interface RenderedNotification {
  readonly locale: Locale;
  readonly kind: 'error' | 'call' | 'event' | 'none';
  readonly title: string;
  /** The integration's text, as it sent it. */
  readonly text: string;
  /** Lines under the text, e.g. a call's from, to and duration. */
  readonly details: readonly string[];
  /** When it happened, in the recipient's zone and language. */
  readonly date: string;
  /**
   * The link as the integration sent it: untrusted, so a channel makes a link
   * of it only through a check such as @herald/channel's safeLink.
   */
  readonly link: string;
  /** What a button on the link says ("Open", "Listen to the recording"). */
  readonly linkLabel: string;
  readonly providerName: string;
}

export interface Reader {
  /** BCP 47 tag; a language Herald does not write falls back to English. */
  readonly locale: string;
  /** IANA zone; an unknown one falls back to UTC. */
  readonly timeZone: string;
}

function callDetails(call: CallNotice, t: Translator['t']): string[] {
  const lines: string[] = [];
  if (call.from) lines.push(t('call.from', { from: call.from }));
  if (call.to) lines.push(t('call.to', { to: call.to }));
  if (call.duration > 0) {
    lines.push(t('call.duration', { minutes: Math.floor(call.duration / 60), seconds: call.duration % 60 }));
  }
  const type = call.element?.type;
  if (call.element && call.element.id > 0 && type && type !== 'ELEMENT_TYPE_UNSPECIFIED' && type !== 'UNRECOGNIZED') {
    const name = type.slice('ELEMENT_TYPE_'.length).toLowerCase();
    lines.push(t('call.element', { type: name, id: call.element.id }));
  }
  return lines;
}

/**
 * The text of a notification for one reader. Each channel calls it at send
 * time with its recipient's locale and zone; the inbox keeps the structured
 * notification and renders it the same way when shown.
 */
export function renderNotification(notification: Notification, reader: Reader): RenderedNotification {
  const { locale, t, date } = translator(reader.locale, reader.timeZone);
  const providerName = notification.provider?.name ?? '';
  const at = notification.occurredAt ?? notification.ingestedAt;
  const common = {
    locale,
    providerName,
    date: at ? date(at) : '',
    linkLabel: t('notification.open'),
  };
  const body = notification.body;
  switch (body?.$case) {
    case 'error':
    case 'event':
      return {
        ...common,
        kind: body.$case,
        title: body.value.header || providerName,
        text: body.value.text,
        details: [],
        link: body.value.link,
      };
    case 'call':
      return {
        ...common,
        kind: 'call',
        title: body.value.from ? t('call.titleFrom', { from: body.value.from }) : t('call.title'),
        text: body.value.text,
        details: callDetails(body.value, t),
        link: body.value.link,
        linkLabel: t('call.recording'),
      };
    case undefined:
      return { ...common, kind: 'none', title: providerName, text: '', details: [], link: '' };
  }
}

/** The plain-text form carried on a Delivery: title, then the text and its details as lines. */
export function toRendered(rendered: RenderedNotification): Rendered {
  return Rendered.fromPartial({
    title: rendered.title,
    body: [rendered.text, ...rendered.details].filter((line) => line !== '').join('\n'),
    link: rendered.link,
  });
}
