import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page, type Worker } from 'playwright-core';
import { buildDelivery, eventually, repoRoot } from '@herald/testing';
import { notificationPayload, type ReadPayload } from '@herald/browser-push';
import { startHarness, type Harness } from '../../gateway/test/harness.js';

interface Shown {
  title: string;
  body: string;
  tag: string;
  icon: string;
  data: { id?: string; url?: string };
}

const page = `<!doctype html><meta charset="utf-8"><title>Herald</title>
<script>window.registered = navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready);</script>`;

/**
 * The site as the gateway serves it: this page, the service worker of
 * services/web/public, and /api/ passed through to a real gateway, on one
 * origin (http://127.0.0.1 is a secure context).
 */
async function serveSite(gatewayPort: number): Promise<{ server: Server; origin: string }> {
  const worker = await readFile(new URL('services/web/public/sw.js', `file://${repoRoot}`));
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (url === '/sw.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(worker);
    } else if (url.startsWith('/api/')) {
      const headers: Record<string, string> = {};
      if (req.headers.authorization) headers['authorization'] = req.headers.authorization;
      fetch(`http://127.0.0.1:${gatewayPort}${url}`, { method: req.method ?? 'GET', headers })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => res.writeHead(502).end());
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the service worker in Chromium', () => {
  const account = `sw${Date.now().toString(36)}`;
  let h: Harness;
  let site: { server: Server; origin: string };
  let browser: Browser;
  let context: BrowserContext;
  let tab: Page;
  let worker: Worker;
  let cdp: CDPSession;
  let registrationId: string;
  let token: string;
  let apiKey: string;

  /** A push to the worker as a push service would hand it over: through the DevTools protocol. */
  const deliverPush = (payload: unknown) =>
    cdp.send('ServiceWorker.deliverPushMessage', {
      origin: site.origin,
      registrationId,
      data: JSON.stringify(payload),
    });
  // Code run in the browser is passed as text: it is typed by the browser's globals, not Node's.
  const shown = () =>
    worker.evaluate<Shown[]>(
      'self.registration.getNotifications().then((all) => all.map((n) => ' +
        '({ title: n.title, body: n.body, tag: n.tag, icon: n.icon, data: n.data })))',
    );
  const unreadCount = async () => {
    const answer = await h.request({ method: 'GET', url: '/api/v1/me/notifications/unread_count', bearer: token });
    return answer.json<{ unread_count: number }>().unread_count;
  };

  beforeAll(async () => {
    h = await startHarness();
    const seeded = await h.seed(account, ['alice']);
    apiKey = seeded.apiKey;
    token = await new SignJWT({ account, user: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(seeded.secret));
    site = await serveSite(h.gateway.port);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    context = await browser.newContext();
    await context.grantPermissions(['notifications'], { origin: site.origin });
    tab = await context.newPage();
    cdp = await context.newCDPSession(tab);
    const registered = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const mine = registrations.find((r) => r.scopeURL === `${site.origin}/` && !r.isDeleted);
        if (mine) resolve(mine.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    const workerStarted = context.waitForEvent('serviceworker');
    await tab.goto(site.origin);
    await tab.evaluate('window.registered');
    worker = context.serviceWorkers()[0] ?? (await workerStarted);
    registrationId = await registered;
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.server.close(resolve));
    await h?.stop();
  });

  it('shows a pushed notification, marks it read for the person it keeps the token of, and closes it on the read push', async () => {
    const sent = await h.request({
      method: 'POST',
      url: '/api/v1/notifications/add_error',
      bearer: apiKey,
      body: { header: 'Error', text: 'Contact <b>not</b> found!', link: '/contacts/list/?term=1', users: ['alice'] },
    });
    expect(sent.statusCode).toBe(202);
    const { id } = sent.json<{ id: string }>();
    await eventually(async () => expect(await unreadCount()).toBe(1));

    // The payload browser-push makes of that notification's delivery.
    const delivery = buildDelivery({
      accountId: account,
      userId: 'alice',
      notificationId: id,
      channel: 'CHANNEL_BROWSER',
      text: 'Contact <b>not</b> found!',
    });
    const payload = notificationPayload(delivery, 1, {
      crmBaseUrl: site.origin,
      notificationCenterUrl: `${site.origin}/`,
      iconUrl: `${site.origin}/icon.png`,
    });
    await deliverPush(payload);
    await eventually(async () =>
      expect(await shown()).toEqual([
        {
          title: 'Error',
          body: 'Contact <b>not</b> found!',
          tag: id,
          icon: `${site.origin}/icon.png`,
          data: { id, url: `${site.origin}/contacts` },
        },
      ]),
    );

    // The page hands its token to the worker; clicking the notification marks the item read with it.
    await tab.evaluate(
      `navigator.serviceWorker.ready.then((r) => r.active.postMessage({ type: 'herald:session', token: ${JSON.stringify(token)} }))`,
    );
    await eventually(async () => expect(await worker.evaluate<string>('sessionToken()')).toBe(token));
    const marked = await worker.evaluate<boolean>(`markRead(${JSON.stringify(id)})`);
    expect(marked).toBe(true);
    expect(await unreadCount()).toBe(0);

    // Read elsewhere: the read push closes it.
    const read: ReadPayload = { type: 'read', ids: [id], all: false, unread_count: 0 };
    await deliverPush(read);
    await eventually(async () => expect(await shown()).toEqual([]));
  });

  it('leaves other notifications shown, and closes them all on a read-all push', async () => {
    const items = ['n-a', 'n-b'].map((id) => ({
      type: 'notification',
      id,
      title: `Item ${id}`,
      body: '',
      url: 'javascript:alert(1)',
    }));
    for (const item of items) await deliverPush(item);
    await eventually(async () => expect((await shown()).map((n) => n.tag).sort()).toEqual(['n-a', 'n-b']));
    // A link that is not http(s) is never opened: the notification center is.
    expect((await shown()).map((n) => n.data.url)).toEqual([undefined, undefined]);
    await deliverPush({ type: 'read', ids: ['n-a'], all: false, unread_count: 1 });
    await eventually(async () => expect((await shown()).map((n) => n.tag)).toEqual(['n-b']));
    await deliverPush({ type: 'read', ids: [], all: true, unread_count: 0 });
    await eventually(async () => expect(await shown()).toEqual([]));
  });
});
