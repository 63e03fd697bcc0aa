import { IntlMessageFormat, type PrimitiveType } from 'intl-messageformat';
import { en, ru, type MessageKey } from './messages.js';

export type Locale = 'en' | 'ru';

const catalogs: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { en, ru };

/** The language of a BCP 47 tag that Herald writes in: `ru`, `ru-RU` → ru; anything else → en. */
export function localeOf(tag: string): Locale {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return primary === 'ru' ? 'ru' : 'en';
}

/** Zones already checked, and what each stands for; a bound, since stored zones are many but not endless. */
const checkedZones = new Map<string, string>();
const maxCheckedZones = 1_000;

/** The IANA zone if the runtime knows it, else UTC: a stored zone that went stale must not stop a send. */
export function zoneOf(timeZone: string): string {
  if (timeZone === '') return 'UTC';
  let zone = checkedZones.get(timeZone);
  if (zone === undefined) {
    // Building a formatter is the only check the runtime offers, and it costs about a millisecond: once per zone.
    try {
      new Intl.DateTimeFormat('en', { timeZone });
      zone = timeZone;
    } catch {
      zone = 'UTC';
    }
    if (checkedZones.size >= maxCheckedZones) checkedZones.clear();
    checkedZones.set(timeZone, zone);
  }
  return zone;
}

export type Values = Record<string, PrimitiveType | Date>;

/** Writes the messages of one language, with dates in one time zone. */
export interface Translator {
  readonly locale: Locale;
  readonly timeZone: string;
  t(key: MessageKey, values?: Values): string;
  /** A notification's date and time (`notification.date`). */
  date(at: Date): string;
}

/** Compiled messages kept across calls; a bound, since zones and languages are few but not fixed. */
const compiled = new Map<string, IntlMessageFormat>();
const maxCompiled = 2_000;

function compile(locale: Locale, timeZone: string, key: MessageKey): IntlMessageFormat {
  const cacheKey = `${locale}\u0000${timeZone}\u0000${key}`;
  let format = compiled.get(cacheKey);
  if (!format) {
    if (compiled.size >= maxCompiled) compiled.clear();
    format = new IntlMessageFormat(catalogs[locale][key], locale, {
      date: { when: { dateStyle: 'medium', timeStyle: 'short', timeZone } },
      time: { when: { timeStyle: 'short', timeZone } },
    });
    compiled.set(cacheKey, format);
  }
  return format;
}

/**
 * The last date written per language and zone, with the second it stands for:
 * the date shows minutes, every zone's offset is whole seconds, so every
 * instant within one second reads the same, and a burst shares one formatting.
 */
const lastDates = new Map<string, { second: number; text: string }>();

/** A translator for a recipient: their locale (English when Herald does not write theirs) and time zone. */
export function translator(localeTag: string, timeZone: string): Translator {
  const locale = localeOf(localeTag);
  const zone = zoneOf(timeZone);
  const t = (key: MessageKey, values?: Values) => String(compile(locale, zone, key).format(values));
  return {
    locale,
    timeZone: zone,
    t,
    date(at) {
      const second = Math.floor(at.getTime() / 1000);
      const cacheKey = `${locale}\u0000${zone}`;
      const last = lastDates.get(cacheKey);
      if (last?.second === second) return last.text;
      const text = t('notification.date', { at });
      if (lastDates.size >= maxCompiled) lastDates.clear();
      lastDates.set(cacheKey, { second, text });
      return text;
    },
  };
}
