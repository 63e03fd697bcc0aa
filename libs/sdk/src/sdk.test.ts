import { describe, expect, it } from '@jest/globals';
import { HeraldError, Notifications, installGlobal, popupEventName, validate, type Popup } from './index.js';

function refusal(fn: () => unknown): HeraldError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HeraldError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('APP.notifications parameters', () => {
  it('accepts the seeds/003 examples verbatim', () => {
    expect(() =>
      validate('show_message', {
        header: 'Warning',
        text: 'Connection established',
        date: 1714566795,
        icon: 'https://www.example.com/images/telephone.png',
      }),
    ).not.toThrow();
    expect(() =>
      validate('show_message_error', { header: 'Warning', text: 'Connection to the server is lost' }),
    ).not.toThrow();
    expect(() =>
      validate('show_notification', {
        text: { header: 'Outgoing call', text: 'Dialing the number +19872345678' },
        type: 'call',
      }),
    ).not.toThrow();
    expect(() =>
      validate('add_error', {
        header: 'Error',
        text: 'Failed to set the task! Contact not found!',
        date: 1714566795,
        link: '/contacts/list/?term=4951234567',
      }),
    ).not.toThrow();
    expect(() =>
      validate('add_call', {
        text: 'Call from +1 (415) 523-7743',
        date: 1714566795,
        from: 'Jeremy Watts',
        to: 'Jason Nash',
        element: { id: 18221265, type: 'contact' },
        duration: 250,
        link: 'https://example.com/dialog.mp3',
      }),
    ).not.toThrow();
  });

  it.each([
    ['header', 'show_message', { text: 'No header' }, 'is required'],
    ['text', 'show_message', { header: 'H', text: '   ' }, 'must not be empty'],
    ['icon', 'show_message', { header: 'H', text: 'T', icon: 'javascript:alert(1)' }, 'must be an http(s) URL'],
    ['date', 'show_message_error', { header: 'H', text: 'T', date: 1.5 }, 'must be whole seconds'],
    ['link', 'show_message_error', { header: 'H', text: 'T', link: '//evil.example' }, 'path starting with /'],
    ['text.header', 'show_notification', { text: { text: 'T' }, type: 'call' }, 'is required'],
    ['type', 'show_notification', { text: { header: 'H', text: 'T' }, type: 'sms' }, 'must be call or error'],
    ['text', 'add_error', { header: 'H', text: 'x'.repeat(4001) }, 'at most 4000'],
    ['text', 'add_error', { text: 'NUL\0' }, 'NUL'],
    ['colour', 'add_error', { text: 'T', colour: 'red' }, 'is not a known field'],
    ['element.type', 'add_call', { text: 'Call', element: { id: 1, type: 'deal' } }, 'contact, lead or company'],
    ['element.id', 'add_call', { text: 'Call', element: { id: -1, type: 'lead' } }, 'positive'],
    ['duration', 'add_call', { text: 'Call', duration: 90_000 }, 'at most 86400'],
    ['params', 'add_call', 'Call from +1', 'must be an object'],
  ] as const)('names %s when %s is refused', (field, method, params, message) => {
    const error = refusal(() => validate(method, params));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    expect(error.message).toContain(message);
  });
});

describe('Notifications', () => {
  it('throws a bad call at once, before showing or sending anything', () => {
    const target = new EventTarget();
    const shown: Popup[] = [];
    target.addEventListener(popupEventName, (e) => shown.push((e as CustomEvent<Popup>).detail));
    const notifications = new Notifications(undefined, target);
    const bad = { header: 'H' } as unknown as Parameters<Notifications['show_message']>[0];
    expect(refusal(() => notifications.show_message(bad)).field).toBe('text');
    expect(shown).toEqual([]);
  });

  it('shows a popup in this tab at once, the robot when it has no icon, and says when no gateway is set', async () => {
    const target = new EventTarget();
    const shown: Popup[] = [];
    target.addEventListener(popupEventName, (e) => shown.push((e as CustomEvent<Popup>).detail));
    const notifications = new Notifications(undefined, target);
    const sent = notifications.show_message({ header: 'Warning', text: 'Connection established', date: 1714566795 });
    expect(shown).toEqual([
      expect.objectContaining({ kind: 'message', header: 'Warning', icon: null, date: '2024-05-01T12:33:15.000Z' }),
    ]);
    await expect(sent).rejects.toMatchObject({ code: 'NOT_CONFIGURED' });
  });

  it('joins an existing APP without clobbering it, and reuses its notifications', () => {
    const scope: { APP?: Record<string, unknown> } = { APP: { widgets: ['telephony'], version: 2 } };
    const first = installGlobal(scope as Parameters<typeof installGlobal>[0]);
    expect(scope.APP).toMatchObject({ widgets: ['telephony'], version: 2, notifications: first });
    expect(installGlobal(scope as Parameters<typeof installGlobal>[0])).toBe(first);
    const fresh: { APP?: Record<string, unknown> } = {};
    expect(installGlobal(fresh as Parameters<typeof installGlobal>[0])).toBeInstanceOf(Notifications);
  });
});
