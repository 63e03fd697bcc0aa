import { describe, expect, it } from '@jest/globals';
import { safeLink } from './links.js';

describe('safeLink', () => {
  const crm = 'https://acme.example.com';

  it('keeps http and https URLs', () => {
    expect(safeLink('https://example.org/a?b=1', crm)).toBe('https://example.org/a?b=1');
    expect(safeLink('http://example.org/', crm)).toBe('http://example.org/');
  });

  it('resolves a CRM-relative path under the CRM base URL, keeping its path', () => {
    expect(safeLink('/contacts/list/?term=4951234567', crm)).toBe(
      'https://acme.example.com/contacts/list/?term=4951234567',
    );
    expect(safeLink('/leads/1', 'https://crm.example.com/app/')).toBe('https://crm.example.com/app/leads/1');
  });

  it('leaves every other scheme, protocol-relative links and garbage as text', () => {
    for (const link of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '//evil.example.com/x',
      '/\\evil.example.com',
      'mailto:a@example.com',
      'not a url',
      '',
    ]) {
      expect(safeLink(link, crm)).toBeUndefined();
    }
  });

  it('makes no link of a CRM-relative path when the base URL is not http(s)', () => {
    expect(safeLink('/contacts', 'ftp://crm.example.com')).toBeUndefined();
  });
});
