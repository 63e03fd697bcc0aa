import { describe, expect, it } from '@jest/globals';
import { ProviderKind, type InboxItem, type Popup, type ProviderRef } from '@herald/contracts';
import { itemJson, popupJson, readJson } from './json.js';
import { resumeFrom } from './live-connection.js';

const provider: ProviderRef = {
  id: 'prv1',
  kind: ProviderKind.PROVIDER_KIND_INTEGRATION,
  name: 'Telephony',
  iconUrl: 'https://telephony.example/icon.png',
};
const date = new Date('2026-05-01T12:30:00Z');

describe('the JSON of the live feed and the REST API', () => {
  it('gives a call its caller, callee, duration and element, and null for what it lacks', () => {
    const item: InboxItem = {
      notification: {
        id: 'n1',
        accountId: 'acme',
        provider,
        recipients: [],
        occurredAt: date,
        ingestedAt: new Date(),
        body: {
          $case: 'call',
          value: {
            text: 'Missed call',
            from: '+1 555 0100',
            to: '',
            duration: 125,
            link: 'https://telephony.example/rec/1.mp3',
            element: { id: 42, type: 'ELEMENT_TYPE_LEAD' },
          },
        },
      },
      rendered: { title: 'Incoming call from +1 555 0100', body: 'Missed call', link: '' },
      readAt: undefined,
    };
    expect(itemJson(item)).toEqual({
      id: 'n1',
      provider: { id: 'prv1', name: 'Telephony', icon_url: 'https://telephony.example/icon.png' },
      kind: 'call',
      header: 'Incoming call from +1 555 0100',
      text: 'Missed call',
      link: 'https://telephony.example/rec/1.mp3',
      date: '2026-05-01T12:30:00.000Z',
      read_at: null,
      call: { from: '+1 555 0100', to: null, duration: 125, element: { id: 42, type: 'lead' } },
    });
  });

  it('gives an event its own text and link, and the time it was read', () => {
    const readAt = new Date('2026-05-02T08:00:00Z');
    const json = itemJson({
      notification: {
        id: 'n2',
        accountId: 'acme',
        provider: { ...provider, iconUrl: '' },
        recipients: [],
        occurredAt: date,
        ingestedAt: date,
        body: { $case: 'event', value: { header: '', text: 'Task expired', link: '', task: undefined } },
      },
      rendered: { title: 'Telephony', body: 'Task expired', link: '' },
      readAt,
    });
    expect(json).toMatchObject({
      kind: 'event',
      header: 'Telephony',
      text: 'Task expired',
      link: null,
      read_at: '2026-05-02T08:00:00.000Z',
      call: null,
      provider: { icon_url: null },
    });
  });

  it('names each popup kind with the fields of its method', () => {
    const base: Omit<Popup, 'kind'> = { id: 'p1', accountId: 'acme', provider, date };
    expect(
      popupJson({ ...base, kind: { $case: 'message', value: { header: 'Hi', text: 'Hello', icon: '' } } }),
    ).toEqual({
      id: 'p1',
      provider: { id: 'prv1', name: 'Telephony', icon_url: 'https://telephony.example/icon.png' },
      date: '2026-05-01T12:30:00.000Z',
      kind: 'message',
      header: 'Hi',
      text: 'Hello',
      icon: null,
    });
    expect(
      popupJson({
        ...base,
        kind: { $case: 'messageError', value: { header: 'Oops', text: 'Failed', link: '/leads' } },
      }),
    ).toMatchObject({ kind: 'message_error', link: '/leads' });
    expect(
      popupJson({
        ...base,
        kind: { $case: 'notification', value: { type: 'POPUP_TYPE_ERROR', header: 'Error', text: 'Down' } },
      }),
    ).toMatchObject({ kind: 'notification', type: 'error' });
  });

  it('lists the ids of a read, none when all were read', () => {
    const read = { accountId: 'acme', userId: 'u1', readAt: date, unreadCount: 0 };
    expect(readJson({ ...read, notificationIds: ['n1', 'n2'], all: false })).toEqual({
      ids: ['n1', 'n2'],
      all: false,
      read_at: '2026-05-01T12:30:00.000Z',
    });
    expect(readJson({ ...read, notificationIds: [], all: true }).ids).toEqual([]);
  });
});

describe('the last event id', () => {
  it('resumes after the item it names, whatever the event was', () => {
    expect(resumeFrom(undefined)).toBeUndefined();
    expect(resumeFrom('n1')).toBe('n1');
    expect(resumeFrom('n1/7')).toBe('n1');
    expect(resumeFrom('/3')).toBe('');
  });
});
