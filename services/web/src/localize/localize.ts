import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { en, type MessageKey } from './en.js';
import { ru, systemProvidersRu } from './ru.js';

export type Language = 'en' | 'ru';

const catalogs: Record<Language, Record<MessageKey, string>> = { en, ru };

/** A BCP 47 tag (`ru-RU`, `en`, `pt-BR`) as one of the UI's languages; English for the rest. */
export function languageOf(locale: string | null | undefined): Language {
  return locale?.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

/** Plural forms are `|`-separated in the order of Intl.PluralRules' categories: en one|other, ru one|few|many. */
const pluralOrder: Record<Language, Intl.LDMLPluralRule[]> = { en: ['one', 'other'], ru: ['one', 'few', 'many'] };

/** The message `key` in `lang`, its `{name}` parameters filled in; `count` picks the plural form. */
export function translate(lang: Language, key: MessageKey, params: Record<string, string | number> = {}): string {
  let message = catalogs[lang][key];
  if (message.includes('|')) {
    const forms = message.split('|');
    const count = Number(params['count'] ?? 0);
    const index = pluralOrder[lang].indexOf(new Intl.PluralRules(lang).select(count));
    message = forms[index < 0 ? forms.length - 1 : index] ?? forms[forms.length - 1] ?? '';
  }
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * The one i18n layer of the web UI: a component's strings, relative and exact
 * times in the user's language and time zone. The host's `lang` property picks
 * the language; the controller re-renders it on change.
 */
export class Localize implements ReactiveController {
  constructor(private readonly host: ReactiveControllerHost & { lang: string; timeZone?: string | undefined }) {
    host.addController(this);
  }

  hostConnected(): void {}

  get language(): Language {
    return languageOf(this.host.lang || (typeof navigator === 'undefined' ? 'en' : navigator.language));
  }

  term(key: MessageKey, params?: Record<string, string | number>): string {
    return translate(this.language, key, params);
  }

  /** A provider's name: the system categories in the user's language, an integration's as it named itself. */
  providerName(id: string, name: string): string {
    return (this.language === 'ru' ? systemProvidersRu[id] : undefined) ?? name;
  }

  /** "5 minutes ago", "вчера". */
  relativeTime(iso: string, now = Date.now()): string {
    const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
    const format = new Intl.RelativeTimeFormat(this.language, { numeric: 'auto' });
    const units: [Intl.RelativeTimeFormatUnit, number][] = [
      ['year', 31_536_000],
      ['month', 2_592_000],
      ['week', 604_800],
      ['day', 86_400],
      ['hour', 3_600],
      ['minute', 60],
    ];
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
    }
    return format.format(0, 'second');
  }

  /** The exact date and time, in the user's time zone. */
  exactTime(iso: string): string {
    const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' };
    if (this.host.timeZone) options.timeZone = this.host.timeZone;
    try {
      return new Intl.DateTimeFormat(this.language, options).format(new Date(iso));
    } catch {
      return new Intl.DateTimeFormat(this.language, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
    }
  }
}
