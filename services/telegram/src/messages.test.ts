import { describe, expect, it } from '@jest/globals';
import { buildDelivery } from '@herald/testing';
import { buttonable, deliveryMessage, escapeAttribute, escapeHtml, keyboard } from './messages.js';

describe('Telegram HTML', () => {
  it('escapes only what the HTML parse mode reads as markup', () => {
    expect(escapeHtml('<b>a & b</b> "q" \'s\'')).toBe('&lt;b&gt;a &amp; b&lt;/b&gt; "q" \'s\'');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    expect(escapeAttribute('https://x.example/?a=1&b="2"<')).toBe('https://x.example/?a=1&amp;b=&quot;2&quot;&lt;');
  });
});

describe('link buttons', () => {
  it('are for public host names; a local CRM link goes in the text', () => {
    expect(buttonable('https://acme.example.com/leads/1')).toBe(true);
    expect(buttonable('http://127.0.0.1:8080/leads/1')).toBe(false);
    expect(buttonable('http://localhost:8080/')).toBe(false);
    expect(buttonable('http://crm/')).toBe(false);
    expect(buttonable('http://[::1]:8080/')).toBe(false);
    expect(buttonable('http://app.localhost/')).toBe(false);
  });

  it('puts a CRM-relative link of a local CRM in the text, escaped, and a public one on a button', () => {
    const delivery = buildDelivery({ accountId: 'a', userId: 'u', notificationId: 'n', channel: 'CHANNEL_TELEGRAM' });
    const local = deliveryMessage(delivery, 'http://127.0.0.1:8080');
    expect(local.html).toContain('<a href="http://127.0.0.1:8080/contacts">');
    expect(
      keyboard(local, false)
        .inline_keyboard.flat()
        .some((button) => 'url' in button),
    ).toBe(false);
    const hosted = deliveryMessage(delivery, 'https://acme.example.com');
    expect(hosted.html).not.toContain('<a href');
    expect(keyboard(hosted, false).inline_keyboard[0]).toEqual([
      { text: hosted.linkLabel, url: 'https://acme.example.com/contacts' },
    ]);
  });
});
