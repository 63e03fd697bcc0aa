import { describe, expect, it } from '@jest/globals';
import { signUnsubscribe, unsubscribeUrl, verifyUnsubscribe } from './unsubscribe.js';

const key = 'k'.repeat(32);
const link = { account: 'acme', user: 'alice', scope: 'system.billing' };

describe('unsubscribe links', () => {
  it('verify with the key they were signed with, and with no other', () => {
    const sig = signUnsubscribe(link, key);
    expect(verifyUnsubscribe(link, sig, key)).toBe(true);
    expect(verifyUnsubscribe(link, sig, 'x'.repeat(32))).toBe(false);
  });

  it('stop verifying once any part is changed', () => {
    const sig = signUnsubscribe(link, key);
    for (const changed of [
      { ...link, account: 'globex' },
      { ...link, user: 'bob' },
      { ...link, scope: 'all' },
      // The parts cannot be shifted into one another.
      { account: 'acme\nalice', user: '', scope: 'system.billing' },
    ]) {
      expect(verifyUnsubscribe(changed, sig, key)).toBe(false);
    }
    expect(verifyUnsubscribe(link, sig.slice(0, -2), key)).toBe(false);
    expect(verifyUnsubscribe(link, '', key)).toBe(false);
  });

  it('are carried whole by the URL', () => {
    const url = new URL(unsubscribeUrl('https://herald.example.com/api/v1/unsubscribe', link, key));
    const back = Object.fromEntries(url.searchParams);
    expect(back).toMatchObject(link);
    expect(verifyUnsubscribe(link, back['sig'] ?? '', key)).toBe(true);
  });
});
