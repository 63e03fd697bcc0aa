// @ts-check
import { createECDH } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { heraldDir, say } from './process.mjs';

/** The contact VAPID names for a developer's machine (push services may write to it; nobody reads it). */
const devSubject = 'mailto:herald@localhost.localdomain';

/**
 * The VAPID pair browser-push signs Web Push with, kept in the stack's state
 * folder: generated on the first start (a P-256 key pair, base64url, as
 * `web-push generate-vapid-keys` makes one) and the same on every start after,
 * since each browser subscribed with the public key. Keys the caller set
 * themselves win.
 * @param {Record<string, string | undefined>} env
 * @param {{dir?: string}} [options]
 * @returns {Record<string, string>} VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT
 */
export function vapidEnv(env = process.env, { dir = heraldDir } = {}) {
  if (env.VAPID_PUBLIC_KEY || env.VAPID_PRIVATE_KEY) return {};
  const file = join(dir, 'vapid.json');
  if (!existsSync(file)) {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const pair = { publicKey: ecdh.getPublicKey('base64url'), privateKey: ecdh.getPrivateKey('base64url') };
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(pair, null, 2)}\n`, { mode: 0o600 });
    say(`generated a VAPID key pair for browser push in ${file}`);
  }
  const { publicKey, privateKey } = /** @type {{publicKey: string, privateKey: string}} */ (
    JSON.parse(readFileSync(file, 'utf8'))
  );
  return { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey, VAPID_SUBJECT: env.VAPID_SUBJECT || devSubject };
}
