import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually, repoRoot, uniqueName } from '@herald/testing';
import type { Harness } from '../../gateway/test/harness.js';
import { seedExamples } from '../src/examples.js';
import { launchBrowser, send, signIn, startHostPage, startWebHarness, untilLive, type HostPage } from './browser.js';

interface Outcome {
  id?: string;
  error?: { name: string; code: string; field?: string; message: string };
}

/** Runs `APP.notifications.<method>(params)` in the page, as widget code does; what it returned or threw. */
function call(page: Page, method: string, params: unknown): Promise<Outcome> {
  return page.evaluate(
    async ([method, params]) => {
      const notifications = (
        globalThis as unknown as { APP: { notifications: Record<string, (p: unknown) => Promise<{ id: string }>> } }
      ).APP.notifications;
      try {
        return { id: (await notifications[method]!(params)).id };
      } catch (err) {
        const e = err as { name: string; code: string; field?: string; message: string };
        return { error: { name: e.name, code: e.code, field: e.field, message: e.message } };
      }
    },
    [method, params] as const,
  );
}

describe('APP.notifications in the browser, with the seeds/003 examples verbatim', () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let host: HostPage;
  let apiKey: string;
  let gateway: string;
  let page: Page;
  let other: Page;
  const account = uniqueName('sdk');

  beforeAll(async () => {
    h = await startWebHarness();
    ({ apiKey } = await h.seed(account, ['sam', 'tom']));
    gateway = `http://127.0.0.1:${h.gateway.port}`;
    host = await startHostPage(gateway);
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
    other = await context.newPage();
    for (const tab of [page, other]) {
      await tab.goto(host.url(await signIn(h, account, 'sam')));
      await tab.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
      await untilLive(tab);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await h?.stop();
  });

  /** Every live event sent before this marker has reached `tab`: the feed keeps its order. */
  async function settled(tab: Page): Promise<void> {
    const marker = uniqueName('marker');
    await send(h, apiKey, 'show_message', { header: 'Marker', text: marker, users: ['sam'] });
    await tab.getByRole('status').filter({ hasText: marker }).waitFor();
  }

  it('show_message: at once in this tab, once in the other tab, never in the list', async () => {
    const outcome = await call(page, 'show_message', seedExamples.show_message);
    expect(outcome.id).toMatch(/\S/);
    const here = page.getByRole('status').filter({ hasText: 'Connection established' });
    const there = other.getByRole('status').filter({ hasText: 'Connection established' });
    await here.waitFor();
    await there.waitFor();
    // The seed's icon (on a host this machine cannot reach) or, when it does not load, the robot.
    await expect(here.locator('img, svg').count()).resolves.toBeGreaterThan(0);
    await settled(page);
    // The live copy, which carries the same id, is not shown a second time.
    await expect(here.count()).resolves.toBe(1);
    await here.waitFor({ state: 'detached' });
    await there.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Notifications, 0 unread' }).click();
    await expect(page.getByRole('dialog', { name: 'Notifications' }).getByRole('listitem').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('show_message_error and show_notification (call, error): each appears and vanishes', async () => {
    expect((await call(page, 'show_message_error', seedExamples.show_message_error)).id).toMatch(/\S/);
    expect((await call(page, 'show_notification', seedExamples.show_notification)).id).toMatch(/\S/);
    expect((await call(page, 'show_notification', seedExamples.show_notification_error)).id).toMatch(/\S/);
    const popups = [page, other].flatMap((tab) => [
      tab.getByRole('alert').filter({ hasText: 'Connection to the server is lost' }),
      tab.getByRole('status').filter({ hasText: 'Dialing the number +19872345678' }),
      tab.getByRole('alert').filter({ hasText: 'Error working with the widget' }),
    ]);
    for (const popup of popups) await popup.waitFor();
    for (const popup of popups) await popup.waitFor({ state: 'detached' });
  });

  it('add_error and add_call: stored, and live in every tab', async () => {
    expect((await call(page, 'add_error', seedExamples.add_error)).id).toMatch(/\S/);
    expect((await call(page, 'add_call', seedExamples.add_call)).id).toMatch(/\S/);
    for (const tab of [page, other]) {
      await tab.getByRole('button', { name: 'Notifications, 2 unread' }).click();
      const list = tab.getByRole('dialog', { name: 'Notifications' }).getByRole('listitem');
      const error = list.filter({ hasText: 'Failed to set the task! Contact not found!' });
      const callItem = list.filter({ hasText: 'Jeremy Watts' });
      await error.waitFor();
      await callItem.waitFor();
      await expect(error.getByRole('link').getAttribute('href')).resolves.toBe(
        `${host.origin}/contacts/list/?term=4951234567`,
      );
      // The seed's date: relative, and exact on hover in the user's zone (Europe/Madrid) and locale.
      const time = error.locator('time');
      await expect(time.getAttribute('title')).resolves.toMatch(/^May 1, 2024, 2:33:15\sPM$/);
      await expect(time.textContent()).resolves.toMatch(/years? ago$/);
      await expect(callItem.getByRole('link', { name: 'Play the recording' }).getAttribute('href')).resolves.toBe(
        'https://example.com/dialog.mp3',
      );
    }
  });

  it('refuses bad parameters with an error naming the field, as the server would', async () => {
    const outcome = await page.evaluate(() => {
      const notifications = (globalThis as unknown as { APP: { notifications: { add_call(p: unknown): unknown } } }).APP
        .notifications;
      try {
        notifications.add_call({ text: 'Call', element: { id: 18221265, type: 'deal' } });
        return undefined;
      } catch (err) {
        const e = err as { name: string; code: string; field?: string };
        return { name: e.name, code: e.code, field: e.field };
      }
    });
    expect(outcome).toEqual({ name: 'HeraldError', code: 'INVALID_ARGUMENT', field: 'element.type' });
    await expect(call(page, 'show_notification', { text: { header: 'Error' }, type: 'error' })).resolves.toMatchObject({
      error: { code: 'INVALID_ARGUMENT', field: 'text.text' },
    });
    await expect(call(page, 'add_error', { header: 'Error' })).resolves.toMatchObject({
      error: { code: 'INVALID_ARGUMENT', field: 'text' },
    });
  });

  it('the script-tag bundle adds APP.notifications to an existing APP and sends through the gateway', async () => {
    const plain = await context.newPage();
    await plain.goto(`${host.origin}/crm/widgets`);
    await plain.evaluate(() => {
      (globalThis as unknown as { APP: object }).APP = { widgets: ['telephony'] };
    });
    await plain.addScriptTag({ path: join(repoRoot, 'libs', 'sdk', 'dist', 'bundle', 'app-notifications.js') });
    const token = await signIn(h, account, 'tom');
    const outcome = await plain.evaluate(
      async ([gateway, token]) => {
        const app = (
          globalThis as unknown as {
            APP: {
              widgets: string[];
              notifications: { configure(o: object): void; add_error(p: object): Promise<{ id: string }> };
            };
          }
        ).APP;
        app.notifications.configure({ gateway, token });
        const accepted = await app.notifications.add_error({ text: 'From a widget' });
        return { widgets: app.widgets, id: accepted.id };
      },
      [gateway, token] as const,
    );
    expect(outcome.widgets).toEqual(['telephony']);
    await eventually(async () => {
      const list = await h.request({ method: 'GET', url: '/api/v1/me/notifications', bearer: token });
      expect(list.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toContain(outcome.id);
    });
    await plain.close();
  });

  it('the demo page fires every call', async () => {
    const demo = await context.newPage();
    await demo.goto(`${gateway}/demo?account=${account}&user=tom`);
    await untilLive(demo);
    for (const name of [
      'show_message',
      'show_message_error',
      'show_notification',
      'show_notification_error',
      'add_error',
      'add_call',
    ]) {
      const button = demo.getByRole('button', { name, exact: true });
      await expect(button.isEnabled()).resolves.toBe(true);
    }
    await demo.getByRole('button', { name: 'show_message', exact: true }).click();
    await demo.getByRole('status').filter({ hasText: 'Connection established' }).waitFor();
    await demo.getByRole('button', { name: 'add_call', exact: true }).click();
    await demo.getByRole('button', { name: /^Notifications, [1-9]\d* unread$/ }).waitFor();
    await demo.getByRole('button', { name: 'bad parameters' }).click();
    await demo.getByRole('status').filter({ hasText: 'element.type' }).waitFor();
    await demo.close();
  });
});
