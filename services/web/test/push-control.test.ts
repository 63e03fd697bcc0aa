import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { dropSchemas, eventually, testEnv, testLogger, uniqueName } from '@herald/testing';
import { loadBrowserPushConfig, startBrowserPush, type RunningBrowserPush } from '@herald/browser-push';
import type { Client, Harness } from '../../gateway/test/harness.js';
import { accessibilityViolations, launchBrowser, signIn, startWebHarness } from './browser.js';

/** A P-256 key pair, base64url: the VAPID pair, or the keys a browser subscribes with. */
function keyPair(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { publicKey: ecdh.getPublicKey('base64url'), privateKey: ecdh.getPrivateKey('base64url') };
}

/** The few browser globals the page-side functions below use (this file is type-checked without the DOM). */
interface InPage {
  localStorage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
  };
  PushManager: { prototype: { subscribe(options?: unknown): Promise<unknown>; getSubscription(): Promise<unknown> } };
  navigator: { serviceWorker: { getRegistration(scope: string): Promise<{ scope: string } | undefined> } };
  indexedDB: {
    open(
      name: string,
      version: number,
    ): {
      result: {
        objectStoreNames: { contains(name: string): boolean };
        transaction(store: string): { objectStore(name: string): { get(key: string): InPageRequest } };
      };
      error: unknown;
      onsuccess: (() => void) | null;
      onerror: (() => void) | null;
    };
  };
}
interface InPageRequest {
  result: unknown;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

interface BrowserKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * Headless Chromium reaches no push service, so `PushManager.subscribe` fails
 * there: the page gets, at that one boundary, a PushSubscription-shaped object
 * with the test's keys (kept in localStorage, so a reload still finds it) and
 * the options it was called with are recorded. Everything else is the browser's own.
 */
function stubPushManager(keys: BrowserKeys): void {
  const { localStorage, PushManager } = globalThis as unknown as InPage;
  const stored = 'test.push.subscription';
  const subscription = () => ({
    endpoint: keys.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true },
    toJSON: () => ({ endpoint: keys.endpoint, expirationTime: null, keys: { p256dh: keys.p256dh, auth: keys.auth } }),
    unsubscribe: () => {
      localStorage.removeItem(stored);
      return Promise.resolve(true);
    },
  });
  PushManager.prototype.subscribe = function (options?: unknown) {
    const { userVisibleOnly, applicationServerKey } = (options ?? {}) as {
      userVisibleOnly?: boolean;
      applicationServerKey?: unknown;
    };
    localStorage.setItem(
      stored,
      JSON.stringify({
        userVisibleOnly,
        applicationServerKey: typeof applicationServerKey === 'string' ? applicationServerKey : null,
      }),
    );
    return Promise.resolve(subscription());
  };
  PushManager.prototype.getSubscription = function () {
    return Promise.resolve(localStorage.getItem(stored) ? subscription() : null);
  };
}

/** In the page: what the stub recorded of `subscribe`, while this browser is subscribed. */
const recorded = () => (globalThis as unknown as InPage).localStorage.getItem('test.push.subscription');
/** In the page: the scope of the service worker registered for `/`, if any. */
const workerScope = async () =>
  (await (globalThis as unknown as InPage).navigator.serviceWorker.getRegistration('/'))?.scope;
/** In the page: the token the service worker keeps (services/web/public/sw.js) to mark items read. */
const workerToken = () =>
  new Promise<unknown>((resolve, reject) => {
    const open = (globalThis as unknown as InPage).indexedDB.open('herald-push', 1);
    open.onerror = () => reject(open.error as Error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('session')) return resolve(undefined);
      const get = db.transaction('session').objectStore('session').get('token');
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => reject(get.error as Error);
    };
  });

describe('the settings page’s browser notifications control', () => {
  const vapid = keyPair();
  const schemas = [uniqueName('browser_push_'), uniqueName('browser_push_')];
  const account = uniqueName('bpc');
  const keys: BrowserKeys = {
    endpoint: `https://push.example.net/wpush/v2/${uniqueName('s')}`,
    p256dh: keyPair().publicKey,
    auth: randomBytes(16).toString('base64url'),
  };
  let h: Harness;
  let on: Client;
  let off: Client;
  const services: RunningBrowserPush[] = [];
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    h = await startWebHarness();
    await h.seed(account, ['alice']);
    token = await signIn(h, account, 'alice');
    const shared = {
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: testEnv.databaseUrl,
      HERALD_NAMESPACE: h.stack.namespace,
      GRPC_PORT: 0,
      METRICS_PORT: 0,
      LOG_LEVEL: 'silent' as const,
    };
    services.push(
      await startBrowserPush(
        {
          ...loadBrowserPushConfig({
            VAPID_PUBLIC_KEY: vapid.publicKey,
            VAPID_PRIVATE_KEY: vapid.privateKey,
            VAPID_SUBJECT: 'mailto:ops@example.com',
          }),
          ...shared,
          DB_SCHEMA: schemas[0]!,
        },
        testLogger(),
      ),
    );
    services.push(
      await startBrowserPush({ ...loadBrowserPushConfig({}), ...shared, DB_SCHEMA: schemas[1]! }, testLogger()),
    );
    on = await h.another({ BROWSER_PUSH_ADDR: `127.0.0.1:${services[0]!.port}` });
    off = await h.another({ BROWSER_PUSH_ADDR: `127.0.0.1:${services[1]!.port}` });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    for (const service of services) await service.stop();
    await dropSchemas(...schemas);
  });

  const originOf = (client: Client) => `http://127.0.0.1:${client.gateway.port}`;

  async function settingsPage(client: Client): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'en-US' });
    await context.grantPermissions(['notifications'], { origin: originOf(client) });
    await context.addInitScript(stubPushManager, keys);
    const page = await context.newPage();
    await page.goto(`${originOf(client)}/#token=${token}`);
    return { context, page };
  }

  const control = (page: Page) =>
    page.getByRole('form', { name: 'Notification settings' }).getByRole('region', { name: 'Browser notifications' });

  const stored = async () =>
    (await on.request({ method: 'GET', url: '/api/v1/me/push/subscriptions', bearer: token })).json<{
      subscriptions: { id: string; endpoint: string }[];
    }>().subscriptions;

  it('subscribes this browser on the click, stores it in Herald, hands the worker the token, and unsubscribes it', async () => {
    const { context, page } = await settingsPage(on);
    const push = control(page);
    await push.getByRole('status').filter({ hasText: 'This browser does not receive notifications.' }).waitFor();
    await expect(page.evaluate(workerScope)).resolves.toBeUndefined();
    await expect(stored()).resolves.toEqual([]);

    await push.getByRole('button', { name: 'Enable browser notifications on this device' }).click();
    await push.getByRole('status').filter({ hasText: 'Browser notifications are on for this browser.' }).waitFor();

    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    const [subscription] = await stored();
    expect(subscription?.endpoint).toBe(keys.endpoint);
    await expect(page.evaluate(recorded)).resolves.toBe(
      JSON.stringify({ userVisibleOnly: true, applicationServerKey: vapid.publicKey }),
    );
    await expect(page.evaluate(workerScope)).resolves.toBe(`${originOf(on)}/`);
    await eventually(async () => expect(await page.evaluate(workerToken)).toBe(token));

    // After a reload the page asks the browser, not the person.
    await page.reload();
    await push.getByRole('status').filter({ hasText: 'Browser notifications are on for this browser.' }).waitFor();
    await push.getByRole('button', { name: 'Disable browser notifications on this device' }).click();
    await push.getByRole('status').filter({ hasText: 'This browser does not receive notifications.' }).waitFor();
    await expect(stored()).resolves.toEqual([]);
    await expect(page.evaluate(recorded)).resolves.toBeNull();
    await push.getByRole('button', { name: 'Enable browser notifications on this device' }).waitFor();
    await context.close();
  });

  it('says plainly when browser push is off on the server, and subscribes nothing', async () => {
    const { context, page } = await settingsPage(off);
    const push = control(page);
    await push.getByRole('button', { name: 'Enable browser notifications on this device' }).click();
    await push.getByRole('status').filter({ hasText: 'Browser notifications are off on this server.' }).waitFor();
    await expect(page.evaluate(recorded)).resolves.toBeNull();
    await expect(page.evaluate(workerScope)).resolves.toBeUndefined();
    await context.close();
  });
});
