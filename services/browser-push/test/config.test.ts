import { describe, expect, it } from '@jest/globals';
import webpush from 'web-push';
import { ConfigError } from '@herald/config';
import { loadBrowserPushConfig } from '@herald/browser-push';

function problemsOf(source: Record<string, string>): readonly string[] {
  try {
    loadBrowserPushConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('browser-push configuration', () => {
  const keys = webpush.generateVAPIDKeys();

  it('starts with push off when no VAPID keys are given', () => {
    const config = loadBrowserPushConfig({});
    expect(config.VAPID_PUBLIC_KEY).toBeUndefined();
    expect(config.PUSH_ENDPOINT_ALLOWLIST).toEqual([]);
    expect(config.GRPC_PORT).toBe(50056);
  });

  it('takes a VAPID pair with its subject, and an allow-list of origins', () => {
    const config = loadBrowserPushConfig({
      VAPID_PUBLIC_KEY: keys.publicKey,
      VAPID_PRIVATE_KEY: keys.privateKey,
      VAPID_SUBJECT: 'https://crm.example.com/contact',
      PUSH_ENDPOINT_ALLOWLIST: 'https://127.0.0.1:8443, http://localhost:9000',
    });
    expect(config.VAPID_PUBLIC_KEY).toBe(keys.publicKey);
    expect(config.PUSH_ENDPOINT_ALLOWLIST).toEqual(['https://127.0.0.1:8443', 'http://localhost:9000']);
  });

  it('names every bad variable', () => {
    expect(problemsOf({ VAPID_PUBLIC_KEY: keys.publicKey })).toEqual([
      expect.stringMatching(/^VAPID_PRIVATE_KEY: required/),
      expect.stringMatching(/^VAPID_SUBJECT: required/),
    ]);
    const other = webpush.generateVAPIDKeys();
    expect(
      problemsOf({
        VAPID_PUBLIC_KEY: keys.publicKey,
        VAPID_PRIVATE_KEY: other.privateKey,
        VAPID_SUBJECT: 'mailto:a@b.c',
      }),
    ).toEqual([expect.stringMatching(/^VAPID_PUBLIC_KEY: is not the public key of VAPID_PRIVATE_KEY/)]);
    expect(
      problemsOf({
        VAPID_SUBJECT: 'ops@example.com',
        PUSH_ENDPOINT_ALLOWLIST: 'https://ok.example.com,https://x.example.com/path',
        PUSH_TTL_S: '-1',
      }),
    ).toEqual([
      expect.stringMatching(/^VAPID_SUBJECT: /),
      expect.stringMatching(/^PUSH_ENDPOINT_ALLOWLIST: not an http\(s\) origin: https:\/\/x.example.com\/path/),
      expect.stringMatching(/^PUSH_TTL_S: /),
    ]);
  });
});
