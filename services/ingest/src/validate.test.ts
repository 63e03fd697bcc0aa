import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@herald/errors';
import {
  acceptAddCall,
  acceptAddError,
  acceptAddEvent,
  acceptShowMessage,
  acceptShowNotification,
  limits,
} from './validate.js';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err.field;
    throw err;
  }
  throw new Error('accepted what it should refuse');
}

const error = (fields: object) => ({ text: 'Contact not found', recipients: [], ...fields });

describe('request validation', () => {
  it('accepts the add_error example of the Kommo docs', () => {
    const accepted = acceptAddError(
      error({
        header: 'Error',
        date: 1714566795,
        link: '/contacts/list/?term=4951234567',
        recipients: ['7', '7', '8'],
      }),
    );
    expect(accepted.body).toEqual({
      header: 'Error',
      text: 'Contact not found',
      link: '/contacts/list/?term=4951234567',
    });
    expect(accepted.date).toBe(1714566795);
    expect(accepted.recipients).toEqual(['7', '8']);
  });

  it('accepts the add_call example of the Kommo docs', () => {
    const accepted = acceptAddCall({
      text: 'Call from +1 (415) 523-7743',
      date: 1714566795,
      from: 'Jeremy Watts',
      to: 'Jason Nash',
      element: { id: 18221265, type: 'contact' },
      duration: 250,
      link: 'https://example.com/dialog.mp3',
      recipients: [],
    });
    expect(accepted.body.element).toEqual({ id: 18221265, type: 'ELEMENT_TYPE_CONTACT' });
    expect(accepted.body.duration).toBe(250);
  });

  it.each([
    ['text', error({ text: '' })],
    ['text', error({ text: '   ' })],
    ['text', error({ text: 'x'.repeat(limits.text + 1) })],
    ['header', error({ header: 'x'.repeat(limits.header + 1) })],
    ['date', error({ date: -1 })],
    ['date', error({ date: limits.maxDate + 1 })],
    ['link', error({ link: 'javascript:alert(1)' })],
    ['link', error({ link: '//evil.example/x' })],
    ['link', error({ link: 'ftp://files.example/x' })],
    ['link', error({ link: 'x'.repeat(limits.link + 1) })],
    ['recipients[1]', error({ recipients: ['7', 'a.b'] })],
    ['idempotency_key', error({ idempotencyKey: '' })],
    ['idempotency_key', error({ idempotencyKey: 'key\0' })],
    ['text', error({ text: 'Contact\0 not found' })],
    ['header', error({ header: 'x'.repeat(1 << 20) })],
    ['recipients[0]', error({ recipients: ['7\0'] })],
  ])('refuses a bad add_error naming %s', (field, request) => {
    expect(fieldOf(() => acceptAddError(request))).toBe(field);
  });

  it.each([
    ['element.type', { element: { id: 1, type: 'deal' } }],
    ['element.id', { element: { id: 0, type: 'lead' } }],
    ['duration', { duration: 86_401 }],
    ['from', { from: 'x'.repeat(limits.name + 1) }],
  ])('refuses a bad add_call naming %s', (field, fields) => {
    expect(fieldOf(() => acceptAddCall({ text: 'Call', recipients: [], ...fields }))).toBe(field);
  });

  it('echoes no more than a short prefix of a huge bad value', () => {
    try {
      acceptAddError(error({ link: `javascript:${'x'.repeat(1 << 20)}` }));
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message.length).toBeLessThan(200);
      return;
    }
    throw new Error('accepted a 1 MB link');
  });

  it('refuses a task reminder with a lead time the product does not offer', () => {
    const task = { id: 't1', createdBy: 'u1', responsible: 'u2', minutesBefore: 10 };
    expect(fieldOf(() => acceptAddEvent({ text: 'Call the client', recipients: [], task }))).toBe(
      'task.minutes_before',
    );
  });

  it('refuses popups without their required parts', () => {
    expect(fieldOf(() => acceptShowMessage({ header: '', text: 'Connection established', recipients: [] }))).toBe(
      'header',
    );
    expect(
      fieldOf(() =>
        acceptShowMessage({ header: 'Warning', text: 'x', icon: 'data:image/png;base64,AAAA', recipients: [] }),
      ),
    ).toBe('icon');
    expect(fieldOf(() => acceptShowNotification({ type: 'call', recipients: [] }))).toBe('text');
    expect(
      fieldOf(() =>
        acceptShowNotification({ text: { header: 'Outgoing call', text: '' }, type: 'call', recipients: [] }),
      ),
    ).toBe('text.text');
    expect(
      fieldOf(() =>
        acceptShowNotification({ text: { header: 'Error', text: 'Widget failed' }, type: 'info', recipients: [] }),
      ),
    ).toBe('type');
  });
});
