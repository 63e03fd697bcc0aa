import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { Notification } from '@herald/contracts';
import { allEmail, unsubscribeUrl } from '@herald/auth';
import { safeLink } from '@herald/channel';
import { renderNotification, translator, type RenderedNotification } from '@herald/render';

/** A mail ready for the wire. */
export interface MailContent {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** The List-Unsubscribe address, also the footer's link: a signed one-click link, or the settings page. */
  readonly unsubscribeUrl: string;
  /** Whether that address takes RFC 8058's one-click POST (a List-Unsubscribe-Post header goes with it). */
  readonly oneClick: boolean;
}

export interface Reader {
  readonly accountId: string;
  readonly userId: string;
  readonly locale: string;
  readonly timezone: string;
}

export interface MailLinks {
  /** Base of CRM-relative links. */
  readonly crmBaseUrl: string;
  /** The notification center: "see all", and its settings page. */
  readonly notificationCenterUrl: string;
  /** The gateway's one-click unsubscribe route and the key its links are signed with; none, the settings page. */
  readonly unsubscribe?: { readonly url: string; readonly key: string } | undefined;
}

/** The digest shows this many of the newest items; "see all N" links to the rest. */
export const digestShown = 5;

// Compiled by scripts/compile-templates.mjs at build time; the same folder from src/ and dist/.
const folder = new URL('../templates/html/', import.meta.url);
const load = (name: string, escape: boolean) =>
  Handlebars.compile(readFileSync(new URL(name, folder), 'utf8'), { noEscape: !escape, strict: false });
const templates = {
  immediateHtml: load('immediate.html', true),
  immediateText: load('immediate.txt', false),
  digestHtml: load('digest.html', true),
  digestText: load('digest.txt', false),
};

/** Header values must stay one line: an integration's text could hold a line break. */
function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function centerUrl(links: MailLinks, path: string, params: Record<string, string> = {}): string {
  const url = new URL(links.notificationCenterUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

/** `scope`: the provider whose mail this is, or `all` (the digest, which gathers every provider). */
function footer(reader: Reader, links: MailLinks, t: ReturnType<typeof translator>['t'], scope: string) {
  const settingsUrl = centerUrl(links, '/settings');
  const signed = links.unsubscribe;
  return {
    settingsUrl,
    settingsLabel: t('email.settings'),
    unsubscribeUrl: signed
      ? unsubscribeUrl(signed.url, { account: reader.accountId, user: reader.userId, scope }, signed.key)
      : settingsUrl,
    oneClick: signed !== undefined,
    unsubscribeLabel: t('email.unsubscribe'),
  };
}

function subjectOf(rendered: RenderedNotification, t: ReturnType<typeof translator>['t']): string {
  switch (rendered.kind) {
    case 'error':
      return t('email.subject.error', { title: rendered.title });
    case 'event':
      return rendered.title === rendered.providerName
        ? rendered.title
        : t('email.subject.event', { provider: rendered.providerName, title: rendered.title });
    case 'call':
    case 'none':
      return rendered.title;
  }
}

/** The view of one notification in a mail: everything from the integration escaped by the template. */
function itemView(notification: Notification, reader: Reader, links: MailLinks) {
  const rendered = renderNotification(notification, { locale: reader.locale, timeZone: reader.timezone });
  return {
    rendered,
    view: {
      title: rendered.title,
      date: rendered.date,
      text: rendered.text,
      details: rendered.details,
      link: safeLink(rendered.link, links.crmBaseUrl),
      linkLabel: rendered.linkLabel,
      providerName: rendered.providerName,
      providerIcon: safeLink(notification.provider?.iconUrl ?? '', links.crmBaseUrl),
    },
  };
}

/** The mail of one notification, at the time of the event. */
export function immediateMail(notification: Notification, reader: Reader, links: MailLinks): MailContent {
  const { t, locale } = translator(reader.locale, reader.timezone);
  const { rendered, view } = itemView(notification, reader, links);
  const subject = oneLine(subjectOf(rendered, t));
  const values = {
    ...view,
    ...footer(reader, links, t, notification.provider?.id || allEmail),
    lang: locale,
    subject,
    preview: oneLine(rendered.text, 120),
    fromProvider: t('email.from', { provider: rendered.providerName }),
    why: t('email.why', { provider: rendered.providerName }),
  };
  return {
    subject,
    html: templates.immediateHtml(values),
    text: templates.immediateText(values),
    unsubscribeUrl: values.unsubscribeUrl,
    oneClick: values.oneClick,
  };
}

export interface DigestInput {
  /** The unread items of the window, newest first. */
  readonly items: readonly Notification[];
  /** The window's start: the previous day's slot. */
  readonly since: Date;
  /** HH:MM, as the user set it. */
  readonly digestTime: string;
}

/** The daily mail: the newest items, and "see all N" when there are more. */
export function digestMail(input: DigestInput, reader: Reader, links: MailLinks): MailContent {
  const { t, locale } = translator(reader.locale, reader.timezone);
  const count = input.items.length;
  const subject = oneLine(t('digest.subject', { count, since: input.since }));
  const values = {
    ...footer(reader, links, t, allEmail),
    lang: locale,
    subject,
    heading: t('digest.heading', { since: input.since }),
    items: input.items.slice(0, digestShown).map((n) => itemView(n, reader, links).view),
    seeAll: count > digestShown ? t('digest.seeAll', { count }) : undefined,
    seeAllUrl: links.notificationCenterUrl,
    why: t('digest.why', { time: input.digestTime }),
  };
  return {
    subject,
    html: templates.digestHtml(values),
    text: templates.digestText(values),
    unsubscribeUrl: values.unsubscribeUrl,
    oneClick: values.oneClick,
  };
}
