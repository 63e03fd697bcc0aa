import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@herald/config';
import { loadMobilePushConfig } from '@herald/mobile-push';

function problemsOf(source: Record<string, string>): readonly string[] {
  try {
    loadMobilePushConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('mobile-push configuration', () => {
  it('starts with push off when no service account is given', () => {
    const config = loadMobilePushConfig({});
    expect(config.FIREBASE_SERVICE_ACCOUNT_FILE).toBeUndefined();
    expect(config.FIREBASE_SERVICE_ACCOUNT_JSON).toBeUndefined();
    expect(config.GRPC_PORT).toBe(50057);
  });

  it('names every bad variable', () => {
    expect(problemsOf({ FCM_CONNECT_TO: 'no port', FIREBASE_PROJECT_ID: 'Not A Project' })).toEqual([
      expect.stringMatching(/^FIREBASE_PROJECT_ID: /),
      expect.stringMatching(/^FCM_CONNECT_TO: /),
    ]);
    expect(problemsOf({ FIREBASE_SERVICE_ACCOUNT_FILE: '/k.json', FIREBASE_SERVICE_ACCOUNT_JSON: '{}' })).toEqual([
      expect.stringMatching(/^FIREBASE_SERVICE_ACCOUNT_JSON: /),
    ]);
    expect(problemsOf({ FCM_CA_FILE: '/ca.pem' })).toEqual([expect.stringMatching(/^FCM_CA_FILE: /)]);
  });

  it('takes FCM_CONNECT_TO as host:port', () => {
    expect(loadMobilePushConfig({ FCM_CONNECT_TO: '127.0.0.1:8443' }).FCM_CONNECT_TO).toBe('127.0.0.1:8443');
    expect(loadMobilePushConfig({ FCM_CONNECT_TO: 'fcm-proxy.internal:443' }).FCM_CONNECT_TO).toBe(
      'fcm-proxy.internal:443',
    );
  });
});
