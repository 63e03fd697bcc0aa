import { describe, expect, it } from '@jest/globals';
import { escapeAttribute, escapeHtml } from './messages.js';

describe('Telegram HTML', () => {
  it('escapes only what the HTML parse mode reads as markup', () => {
    expect(escapeHtml('<b>a & b</b> "q" \'s\'')).toBe('&lt;b&gt;a &amp; b&lt;/b&gt; "q" \'s\'');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    expect(escapeAttribute('https://x.example/?a=1&b="2"<')).toBe('https://x.example/?a=1&amp;b=&quot;2&quot;&lt;');
  });
});
