import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { uniqueName } from '@herald/testing';
import type { Harness } from '../../gateway/test/harness.js';
import { accessibilityViolations, launchBrowser, screenshot, setUser, signIn, startWebHarness } from './browser.js';

interface SettingsDocument {
  email_mode: string;
  digest_time: string;
  task_lead_minutes: number;
  receive_notifications: boolean;
  providers: Record<string, { name: string; channels: Record<string, boolean> }>;
}

describe('the full page: sign-in, the center and the settings', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let gateway: string;
  const account = uniqueName('set');

  beforeAll(async () => {
    h = await startWebHarness();
    await h.seed(account, ['alice', 'ivan']);
    gateway = `http://127.0.0.1:${h.gateway.port}`;
    browser = await launchBrowser();
    page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  const settingsOf = async (user: string) =>
    (
      await h.request({ method: 'GET', url: '/api/v1/me/settings', bearer: await signIn(h, account, user) })
    ).json<SettingsDocument>();

  it('signs in and shows the center beside the settings form', async () => {
    await page.goto(`${gateway}/`);
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Account').fill(account);
    await form.getByLabel('User').fill('alice');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('dialog', { name: 'Notifications' }).waitFor();
    await page.getByRole('form', { name: 'Notification settings' }).waitFor();
  });

  it('refuses a wrong sign-in with the reason', async () => {
    const other = await browser.newPage();
    await other.goto(`${gateway}/`);
    const form = other.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Account').fill('no-such-account');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(/\S/);
    await other.close();
  });

  it('shows every provider with its channels, the interface always on', async () => {
    const form = page.getByRole('form', { name: 'Notification settings' });
    const providers = (
      await h.request({ method: 'GET', url: '/api/v1/me/providers', bearer: await signIn(h, account, 'alice') })
    ).json<{
      providers: { name: string }[];
    }>().providers;
    expect(providers.length).toBeGreaterThan(1);
    for (const { name } of providers) {
      const row = form.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
      await expect(row.getByRole('checkbox').count()).resolves.toBe(5);
      const always = row.getByRole('checkbox', { name: `Interface for ${name}` });
      await expect(always.isChecked()).resolves.toBe(true);
      await expect(always.isDisabled()).resolves.toBe(true);
    }
    await form.getByRole('switch', { name: 'Receive notifications' }).waitFor();
  });

  it('saves changed settings, still there after a reload', async () => {
    const form = page.getByRole('form', { name: 'Notification settings' });
    const email = form.getByRole('checkbox', { name: 'Email for Telephony' });
    const wasOn = await email.isChecked();
    await email.setChecked(!wasOn);
    await form.getByRole('checkbox', { name: 'Mobile for Telephony' }).check();
    await form.getByRole('radio', { name: 'Once a day' }).check();
    await form.getByLabel('Daily email at (HH:MM)').fill('07:30');
    await form.getByLabel('Remind me before a task').selectOption('30');
    await form.getByLabel('Time zone').selectOption('Asia/Tokyo');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();

    const saved = await settingsOf('alice');
    expect(saved).toMatchObject({ email_mode: 'daily', digest_time: '07:30', task_lead_minutes: 30 });
    const telephony = Object.values(saved.providers).find((p) => p.name === 'Telephony');
    expect(telephony?.channels).toMatchObject({ email: !wasOn, mobile: true, interface: true });

    await page.reload();
    const again = page.getByRole('form', { name: 'Notification settings' });
    await again.getByRole('radio', { name: 'Once a day' }).waitFor();
    await expect(again.getByRole('radio', { name: 'Once a day' }).isChecked()).resolves.toBe(true);
    await expect(again.getByLabel('Daily email at (HH:MM)').inputValue()).resolves.toBe('07:30');
    await expect(again.getByLabel('Remind me before a task').inputValue()).resolves.toBe('30');
    await expect(again.getByLabel('Time zone').inputValue()).resolves.toBe('Asia/Tokyo');
    await expect(again.getByRole('checkbox', { name: 'Email for Telephony' }).isChecked()).resolves.toBe(!wasOn);
    await expect(again.getByRole('checkbox', { name: 'Mobile for Telephony' }).isChecked()).resolves.toBe(true);
    await screenshot(page, 'settings-en');
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
  });

  it('shows a bad setting’s error on its field, and saves nothing', async () => {
    const form = page.getByRole('form', { name: 'Notification settings' });
    const time = form.getByLabel('Daily email at (HH:MM)');
    await time.fill('25:99');
    await form.getByRole('button', { name: 'Save' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('digest_time');
    await expect(time.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(settingsOf('alice')).resolves.toMatchObject({ digest_time: '07:30' });
  });

  it('switches every channel off with "Receive notifications"', async () => {
    await page.reload();
    const form = page.getByRole('form', { name: 'Notification settings' });
    await form.getByRole('switch', { name: 'Receive notifications' }).uncheck();
    await expect(form.getByRole('checkbox', { name: 'Mobile for Telephony' }).isDisabled()).resolves.toBe(true);
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    await expect(settingsOf('alice')).resolves.toMatchObject({ receive_notifications: false });
  });

  it('is in Russian for a Russian user, and the language can be changed', async () => {
    await setUser(h, account, 'ivan', 'ru');
    const ivan = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    await ivan.goto(`${gateway}/#token=${await signIn(h, account, 'ivan')}`);
    const form = ivan.getByRole('form', { name: 'Настройки уведомлений' });
    await form.getByRole('switch', { name: 'Получать уведомления' }).waitFor();
    await form.getByRole('radio', { name: 'Раз в день' }).waitFor();
    await form.getByRole('button', { name: 'Сохранить' }).waitFor();
    await ivan.getByRole('dialog', { name: 'Уведомления' }).waitFor();
    await screenshot(ivan, 'settings-ru');

    await form.getByLabel('Язык').selectOption('en');
    await form.getByRole('button', { name: 'Сохранить' }).click();
    await ivan
      .getByRole('form', { name: 'Notification settings' })
      .getByRole('status')
      .filter({ hasText: 'Settings saved' })
      .waitFor();
    await ivan.getByRole('dialog', { name: 'Notifications' }).waitFor();
    await ivan.close();
  });
});
