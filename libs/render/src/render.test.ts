import { describe, expect, it } from '@jest/globals';
import { ProviderKind, type Notification } from '@herald/contracts';
import { localeOf, translator } from './i18n.js';
import { renderNotification, toRendered } from './render.js';

const at = new Date(Date.UTC(2026, 2, 1, 15, 4));

function call(): Notification {
  return {
    id: 'n1',
    accountId: 'acme',
    provider: { id: 'p1', kind: ProviderKind.PROVIDER_KIND_INTEGRATION, name: 'Telephony', iconUrl: '' },
    recipients: [],
    occurredAt: at,
    ingestedAt: at,
    body: {
      $case: 'call',
      value: {
        text: 'Call about the order',
        from: 'Jeremy Watts',
        to: 'Alice',
        element: { id: 42, type: 'ELEMENT_TYPE_CONTACT' },
        duration: 125,
        link: 'https://records.example.com/1.mp3',
      },
    },
  };
}

describe('render', () => {
  it('renders a call for a ru user in Russian, in their time zone', () => {
    const r = renderNotification(call(), { locale: 'ru', timeZone: 'Europe/Moscow' });
    expect(r.locale).toBe('ru');
    expect(r.title).toBe('Входящий звонок от Jeremy Watts');
    expect(r.details).toEqual(['От: Jeremy Watts', 'Кому: Alice', 'Длительность: 2 мин 5 с', 'Контакт #42']);
    expect(r.linkLabel).toBe('Прослушать запись');
    expect(r.date).toBe('1 мар. 2026 г., 18:04');
  });

  it('renders the same call for an en user in English', () => {
    const r = renderNotification(call(), { locale: 'en-US', timeZone: 'America/New_York' });
    expect(r.title).toBe('Incoming call from Jeremy Watts');
    expect(r.details).toEqual(['From: Jeremy Watts', 'To: Alice', 'Duration: 2 min 5 s', 'Contact #42']);
    expect(r.date).toBe('Mar 1, 2026, 10:04 AM');
    expect(toRendered(r)).toEqual({
      title: 'Incoming call from Jeremy Watts',
      body: 'Call about the order\nFrom: Jeremy Watts\nTo: Alice\nDuration: 2 min 5 s\nContact #42',
      link: 'https://records.example.com/1.mp3',
    });
  });

  it('falls back to English for an unknown locale and to UTC for an unknown zone', () => {
    const r = renderNotification(call(), { locale: 'xx-Nope', timeZone: 'Mars/Olympus' });
    expect(r.locale).toBe('en');
    expect(r.title).toBe('Incoming call from Jeremy Watts');
    expect(r.date).toBe('Mar 1, 2026, 3:04 PM');
    // Asked again, the zone's verdict comes from the cache and is the same.
    expect(translator('en', 'Mars/Olympus').timeZone).toBe('UTC');
    expect(translator('en', 'Europe/Madrid').timeZone).toBe('Europe/Madrid');
    expect(translator('en', 'Europe/Madrid').timeZone).toBe('Europe/Madrid');
    expect(localeOf('')).toBe('en');
    expect(localeOf('ru_RU')).toBe('ru');
  });

  it('titles an error without a header by its provider, and keeps the integration text as sent', () => {
    const n = call();
    n.body = { $case: 'error', value: { header: '', text: '<b>{count}</b> #', link: '/contacts' } };
    const r = renderNotification(n, { locale: 'en', timeZone: 'UTC' });
    expect(r.title).toBe('Telephony');
    expect(r.text).toBe('<b>{count}</b> #');
    expect(r.details).toEqual([]);
  });

  it('writes each instant’s own minute, in each reader’s zone, however many share a second', () => {
    const berlin = translator('en', 'Europe/Berlin');
    const moscow = translator('ru', 'Europe/Moscow');
    const lastSecond = new Date(Date.UTC(2026, 2, 1, 15, 4, 59, 0));
    const sameSecond = new Date(Date.UTC(2026, 2, 1, 15, 4, 59, 999));
    const nextMinute = new Date(Date.UTC(2026, 2, 1, 15, 5, 0, 0));
    expect(berlin.date(lastSecond)).toBe(berlin.t('notification.date', { at: lastSecond }));
    expect(berlin.date(sameSecond)).toBe(berlin.date(lastSecond));
    expect(moscow.date(sameSecond)).toBe(moscow.t('notification.date', { at: sameSecond }));
    expect(moscow.date(sameSecond)).not.toBe(berlin.date(sameSecond));
    expect(berlin.date(nextMinute)).toBe(berlin.t('notification.date', { at: nextMinute }));
    expect(berlin.date(nextMinute)).not.toBe(berlin.date(sameSecond));
    // A zone whose offset was not whole minutes (Monrovia until 1972: −00:44:30).
    const monrovia = translator('en', 'Africa/Monrovia');
    const before = new Date(Date.UTC(1970, 0, 1, 12, 0, 29, 900));
    const after = new Date(Date.UTC(1970, 0, 1, 12, 0, 30, 0));
    expect(monrovia.date(before)).toBe(monrovia.t('notification.date', { at: before }));
    expect(monrovia.date(before)).toContain('11:15');
    expect(monrovia.date(after)).toContain('11:16');
  });

  it('writes plurals the way each language counts', () => {
    const since = at;
    const ruT = translator('ru', 'UTC');
    expect(ruT.t('digest.subject', { count: 1, since })).toMatch(/^1 непрочитанное уведомление/);
    expect(ruT.t('digest.subject', { count: 3, since })).toMatch(/^3 непрочитанных уведомления/);
    expect(ruT.t('digest.subject', { count: 6, since })).toMatch(/^6 непрочитанных уведомлений/);
    const enT = translator('en', 'UTC');
    expect(enT.t('digest.subject', { count: 1, since })).toMatch(/^1 unread notification since/);
    expect(enT.t('digest.subject', { count: 6, since })).toMatch(/^6 unread notifications since/);
  });
});
