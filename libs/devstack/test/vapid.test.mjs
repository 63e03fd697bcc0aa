// @ts-check
import assert from 'node:assert/strict';
import { createECDH } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { vapidEnv } from '../lib/vapid.mjs';

describe('the VAPID pair of npm start', () => {
  it('is generated on the first start, kept private, and the same on every start after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-vapid-'));
    try {
      const first = vapidEnv({}, { dir });
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(Buffer.from(first.VAPID_PRIVATE_KEY, 'base64url'));
      assert.equal(ecdh.getPublicKey('base64url'), first.VAPID_PUBLIC_KEY);
      assert.match(first.VAPID_SUBJECT, /^mailto:/);
      assert.equal(statSync(join(dir, 'vapid.json')).mode & 0o777, 0o600);
      assert.deepEqual(vapidEnv({}, { dir }), first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves keys the caller set alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-vapid-'));
    try {
      assert.deepEqual(vapidEnv({ VAPID_PUBLIC_KEY: 'mine', VAPID_PRIVATE_KEY: 'mine' }, { dir }), {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
