import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import { safeLink } from '@herald/channel';
import type { Delivery } from '@herald/contracts';
import { renderNotification, translator } from '@herald/render';

/** The callback data of the "Mark as read" button: the message itself names the item. */
export const readCallback = 'read';

/** Longest integration text shown, in characters: a message holds 4096 in all. */
const maxTextLength = 3_000;

/**
 * Text for Telegram's HTML parse mode: `&`, `<` and `>` become entities, the
 * only characters that mode reads as markup outside attributes.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** A value inside a double-quoted attribute (`<a href="…">`): `"` too. */
export function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Whether Telegram takes the URL on a button: it refuses hosts that are not
 * public domain names (`localhost`, an IP address, a single label) with "Wrong
 * HTTP URL", and the whole message with it. Such a link goes in the text.
 */
export function buttonable(url: string): boolean {
  const host = new URL(url).hostname;
  return host.includes('.') && !/^[\d.]+$/.test(host) && !host.startsWith('[') && !host.endsWith('.localhost');
}

/** One item as a Telegram message: the text (HTML) and its buttons. */
export interface ItemMessage {
  readonly html: string;
  readonly link: string;
  readonly linkLabel: string;
  readonly locale: string;
}

/**
 * The message of a delivery, in the recipient's language: the title in bold,
 * the integration's text and details (a call's from, to and duration) as
 * lines, then the provider and date. Every integration string is escaped;
 * the link becomes a URL button only when it is http(s) or CRM-relative (a
 * line of the text where Telegram takes no button: a local CRM).
 */
export function deliveryMessage(delivery: Delivery, crmBaseUrl: string): ItemMessage {
  const recipient = delivery.recipient!;
  const rendered = renderNotification(delivery.notification!, {
    locale: recipient.locale,
    timeZone: recipient.timezone,
  });
  const lines = [`<b>${escapeHtml(rendered.title)}</b>`];
  if (rendered.text !== '') lines.push(escapeHtml(clip(rendered.text, maxTextLength)));
  lines.push(...rendered.details.map(escapeHtml));
  const footer = [rendered.providerName, rendered.date].filter((part) => part !== '').join(' · ');
  const link = safeLink(rendered.link, crmBaseUrl) ?? '';
  if (link !== '' && !buttonable(link)) {
    lines.push(`<a href="${escapeAttribute(link)}">${escapeHtml(rendered.linkLabel)}</a>`);
  }
  if (footer !== '') lines.push('', `<i>${escapeHtml(footer)}</i>`);
  return {
    html: lines.join('\n'),
    link: link !== '' && buttonable(link) ? link : '',
    linkLabel: rendered.linkLabel,
    locale: rendered.locale,
  };
}

/** The buttons under an item: its link, and "Mark as read" until it is read. */
export function keyboard(message: ItemMessage, read: boolean): InlineKeyboardMarkup {
  const rows: InlineKeyboardButton[][] = [];
  if (message.link !== '') rows.push([{ text: message.linkLabel, url: message.link }]);
  if (!read) {
    rows.push([{ text: translator(message.locale, 'UTC').t('telegram.markRead'), callback_data: readCallback }]);
  }
  return { inline_keyboard: rows };
}

/** The item's text once it is read, wherever that was. */
export function readHtml(message: ItemMessage): string {
  return `${message.html}\n\n${escapeHtml(translator(message.locale, 'UTC').t('telegram.read'))}`;
}
