import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually, uniqueName } from '@herald/testing';
import type { Harness } from '../../gateway/test/harness.js';
import {
  accessibilityViolations,
  launchBrowser,
  screenshot,
  send,
  setUser,
  signIn,
  startHostPage,
  startWebHarness,
  untilLive,
  type HostPage,
} from './browser.js';

describe('the notification center embedded in a page of its own', () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let host: HostPage;
  let apiKey: string;
  let gateway: string;
  const account = uniqueName('web');

  beforeAll(async () => {
    h = await startWebHarness();
    ({ apiKey } = await h.seed(account, ['alice', 'bob', 'olga', 'xena', 'pat']));
    gateway = `http://127.0.0.1:${h.gateway.port}`;
    host = await startHostPage(gateway);
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Madrid' });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await h?.stop();
  });

  const bubble = (page: Page) => page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
  const items = (page: Page) => page.getByRole('dialog', { name: 'Notifications' }).getByRole('listitem');

  async function open(user: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(host.url(await signIn(h, account, user)));
    await untilLive(page);
    return page;
  }

  it('shows a notification sent through the API live, and the count changes', async () => {
    const page = await open('alice');
    await expect(bubble(page).getAttribute('aria-label')).resolves.toBe('Notifications, 0 unread');
    await bubble(page).click();
    const dialog = page.getByRole('dialog', { name: 'Notifications' });
    await dialog.getByText('No notifications yet').waitFor();

    await send(h, apiKey, 'add_error', {
      header: 'Error',
      text: 'Failed to set the task! Contact not found!',
      link: '/contacts/list/?term=4951234567',
      users: ['alice'],
    });
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();
    await items(page).filter({ hasText: 'Failed to set the task! Contact not found!' }).waitFor();
    await expect(items(page).count()).resolves.toBe(1);
    // Only http(s) and CRM-relative links are links: this one resolves against the CRM's base.
    await expect(items(page).first().getByRole('link').getAttribute('href')).resolves.toBe(
      `${host.origin}/contacts/list/?term=4951234567`,
    );

    await send(h, apiKey, 'add_call', {
      text: 'Call from +1 (415) 523-7743',
      from: 'Jeremy Watts',
      to: 'Jason Nash',
      element: { id: 18221265, type: 'contact' },
      duration: 250,
      link: 'https://example.com/dialog.mp3',
      users: ['alice'],
    });
    const call = items(page).filter({ hasText: 'Jeremy Watts' });
    await call.waitFor();
    await page.getByRole('button', { name: 'Notifications, 2 unread' }).waitFor();
    await expect(call.textContent()).resolves.toMatch(/Jason Nash[\s\S]*4 min 10 s/);
    await expect(call.getByRole('link', { name: 'Play the recording' }).getAttribute('href')).resolves.toBe(
      'https://example.com/dialog.mp3',
    );
    await expect(call.getByRole('link').first().getAttribute('href')).resolves.toBe(
      `${host.origin}/contacts/detail/18221265`,
    );
    await expect(call.getAttribute('class')).resolves.toMatch(/\bcall\b/);
    await expect(items(page).filter({ hasText: 'Contact not found' }).getAttribute('class')).resolves.toMatch(
      /\berror\b/,
    );
    await screenshot(page, 'center-en');
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    await page.close();
  });

  it('lists unread first, and newest first after the switch, remembered after a reload', async () => {
    const ids: string[] = [];
    for (const text of ['First', 'Second', 'Third'])
      ids.push(await send(h, apiKey, 'add_error', { text, users: ['bob'] }));
    const bob = await signIn(h, account, 'bob');
    // Accepted is not yet stored: the third is read once it is in bob's center.
    await eventually(async () => {
      const answer = await h.request({ method: 'POST', url: `/api/v1/me/notifications/${ids[2]}/read`, bearer: bob });
      expect(answer.statusCode).toBe(200);
    });

    const page = await open('bob');
    await bubble(page).click();
    const texts = async () =>
      (await items(page).locator('p.text, p.header').allTextContents()).filter((t) => /First|Second|Third/.test(t));
    await items(page).nth(2).waitFor();
    await expect(texts()).resolves.toEqual(['Second', 'First', 'Third']);

    const unreadFirst = page.getByRole('checkbox', { name: 'Show unread first' });
    await expect(unreadFirst.isChecked()).resolves.toBe(true);
    await unreadFirst.uncheck();
    await waitForOrder(texts, ['Third', 'Second', 'First']);

    await page.reload();
    await bubble(page).click();
    await items(page).nth(2).waitFor();
    await expect(page.getByRole('checkbox', { name: 'Show unread first' }).isChecked()).resolves.toBe(false);
    await waitForOrder(texts, ['Third', 'Second', 'First']);
    await page.close();
  });

  it('marks an item read on a click and follows its link', async () => {
    const id = await send(h, apiKey, 'add_error', {
      text: 'Open the contact',
      link: '/crm/contacts/7',
      users: ['xena'],
    });
    const page = await open('xena');
    await bubble(page).click();
    await items(page).filter({ hasText: 'Open the contact' }).getByRole('link').click();
    await page.waitForURL(`${host.origin}/crm/contacts/7`);
    const xena = await signIn(h, account, 'xena');
    const list = await h.request({ method: 'GET', url: '/api/v1/me/notifications', bearer: xena });
    expect(list.json<{ items: { id: string; read: boolean }[] }>().items.find((i) => i.id === id)?.read).toBe(true);
    await page.close();
  });

  it('marks all read, and a second tab sees it at once', async () => {
    for (const text of ['One', 'Two']) await send(h, apiKey, 'add_error', { text, users: ['olga'] });
    const first = await open('olga');
    const second = await open('olga');
    await first.getByRole('button', { name: 'Notifications, 2 unread' }).waitFor();
    await second.getByRole('button', { name: 'Notifications, 2 unread' }).waitFor();
    await bubble(second).click();
    await items(second).nth(1).waitFor();

    await bubble(first).click();
    await first.getByRole('button', { name: 'Mark all as read' }).click();
    await first.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    await second.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    await second.locator('li[data-read="false"]').first().waitFor({ state: 'detached' });
    await expect(second.locator('li[data-read="true"]').count()).resolves.toBe(2);
    await first.close();
    await second.close();
  });

  it('is reached and worked by keyboard: the bubble opens the panel, Escape closes it', async () => {
    const page = await open('alice');
    await page.keyboard.press('Tab');
    await expect(
      page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { tagName: string } | null } }).document.activeElement
            ?.tagName,
      ),
    ).resolves.toBe('HERALD-NOTIFICATION-CENTER');
    await expect(bubble(page).getAttribute('aria-expanded')).resolves.toBe('false');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Notifications' });
    await dialog.waitFor();
    await expect(bubble(page).getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(
      dialog.getByRole('heading', { name: 'Notifications' }).evaluate((h) => h.matches(':focus')),
    ).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect(bubble(page).evaluate((b) => b.matches(':focus-visible'))).resolves.toBe(true);
    await page.close();
  });

  it('loads older items by cursor as the list scrolls', async () => {
    const sent = 45;
    for (let i = 1; i <= sent; i++) await send(h, apiKey, 'add_error', { text: `Item ${i}`, users: ['pat'] });
    const page = await open('pat');
    await bubble(page).click();
    const list = items(page);
    await list.getByText(`Item ${sent}`, { exact: true }).waitFor();
    // The first page holds 30; the rest come as the end of the list scrolls into view.
    await expect(list.count()).resolves.toBeLessThan(sent);
    await list.last().scrollIntoViewIfNeeded();
    await list.getByText('Item 1', { exact: true }).waitFor();
    await expect(list.count()).resolves.toBe(sent);
    await page.close();
  });

  it('shows a header of HTML as text and runs nothing', async () => {
    const page = await open('alice');
    let alerted = false;
    page.on('dialog', (dialog) => {
      alerted = true;
      void dialog.dismiss();
    });
    await bubble(page).click();
    await send(h, apiKey, 'add_error', {
      header: '<img src=x onerror=alert(1)>',
      text: '<script>alert(2)</script>',
      users: ['alice'],
    });
    const item = items(page).filter({ hasText: '<img src=x onerror=alert(1)>' });
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain('<script>alert(2)</script>');
    await expect(item.locator('img[src="x"], script').count()).resolves.toBe(0);
    await expect(item.getByRole('link').count()).resolves.toBe(0);
    await item.getByRole('button').click();
    expect(alerted).toBe(false);
    await page.close();
  });

  it('shows each popup on the right, gone after a while, never in the list', async () => {
    const page = await open('alice');
    await bubble(page).click();
    const before = await items(page).count();
    await send(h, apiKey, 'show_message', {
      header: 'Warning',
      text: 'Connection established',
      icon: `${host.origin}/icon.svg`,
      users: ['alice'],
    });
    const info = page.getByRole('status').filter({ hasText: 'Connection established' });
    await info.waitFor();
    // The integration's icon, loaded.
    await eventually(async () => {
      const loaded = await info.locator('img').evaluate((element) => {
        const img = element as unknown as { complete: boolean; naturalWidth: number };
        return img.complete && img.naturalWidth > 0;
      });
      expect(loaded).toBe(true);
    });
    await send(h, apiKey, 'show_message', { header: 'Robot', text: 'No icon given', users: ['alice'] });
    const robot = page.getByRole('status').filter({ hasText: 'No icon given' });
    await robot.waitFor();
    await expect(robot.locator('svg').count()).resolves.toBeGreaterThan(0);
    await expect(robot.locator('img').count()).resolves.toBe(0);
    const box = await info.boundingBox();
    expect(box && box.x > (page.viewportSize()?.width ?? 0) / 2).toBe(true);
    await screenshot(page, 'popup-en');
    await expect(accessibilityViolations(page)).resolves.toEqual([]);

    await send(h, apiKey, 'show_message_error', {
      header: 'Warning',
      text: 'Connection to the server is lost',
      link: 'https://example.com/status',
      users: ['alice'],
    });
    const error = page.getByRole('alert').filter({ hasText: 'Connection to the server is lost' });
    await error.waitFor();
    await expect(error.getByRole('link').getAttribute('href')).resolves.toBe('https://example.com/status');

    await send(h, apiKey, 'show_notification', {
      text: { header: 'Outgoing call', text: 'Dialing the number +19872345678' },
      type: 'call',
      users: ['alice'],
    });
    const call = page.getByRole('status').filter({ hasText: 'Dialing the number +19872345678' });
    await call.waitFor();
    await send(h, apiKey, 'show_notification', {
      text: { header: 'Error', text: 'Error working with the widget' },
      type: 'error',
      users: ['alice'],
    });
    const widgetError = page.getByRole('alert').filter({ hasText: 'Error working with the widget' });
    await widgetError.waitFor();
    await widgetError.getByRole('button', { name: 'Dismiss' }).click();
    await widgetError.waitFor({ state: 'detached' });

    for (const popup of [info, error, call]) await popup.waitFor({ state: 'detached' });
    await expect(items(page).count()).resolves.toBe(before);
    await page.close();
  });

  it('speaks Russian to a Russian user', async () => {
    await setUser(h, account, 'olga', 'ru');
    await send(h, apiKey, 'add_error', { header: 'Ошибка', text: 'Контакт не найден', users: ['olga'] });
    const page = await context.newPage();
    await page.goto(host.url(await signIn(h, account, 'olga')));
    await untilLive(page);
    const russianBubble = page.getByRole('button', { name: /^Уведомления, непрочитанных: \d+$/ });
    await russianBubble.waitFor();
    await russianBubble.click();
    const dialog = page.getByRole('dialog', { name: 'Уведомления' });
    await dialog.getByRole('listitem').filter({ hasText: 'Контакт не найден' }).waitFor();
    await dialog.getByRole('button', { name: 'Отметить все как прочитанные' }).waitFor();
    await dialog.getByRole('checkbox', { name: 'Сначала непрочитанные' }).waitFor();
    await screenshot(page, 'center-ru');
    await send(h, apiKey, 'show_message', { header: 'Внимание', text: 'Соединение установлено', users: ['olga'] });
    await page.getByRole('status').filter({ hasText: 'Соединение установлено' }).waitFor();
    await screenshot(page, 'popup-ru');
    await page.close();
  });
});

/** Waits until the list reads `expected` (the list reloads after the switch), failing with the last order seen. */
async function waitForOrder(read: () => Promise<string[]>, expected: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await read();
    if (JSON.stringify(seen) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(seen).toEqual(expected);
}
