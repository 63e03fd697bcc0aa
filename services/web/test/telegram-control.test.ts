import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { dropSchemas, testEnv, testLogger, uniqueName } from '@herald/testing';
import { loadTelegramConfig, startTelegram, type RunningTelegram } from '@herald/telegram';
import { FakeBotApi } from '../../telegram/test/bot-api-server.js';
import type { Client, Harness } from '../../gateway/test/harness.js';
import { accessibilityViolations, launchBrowser, screenshot, setUser, signIn, startWebHarness } from './browser.js';

describe('the settings page’s Telegram control', () => {
  const schemas = [uniqueName('telegram_'), uniqueName('telegram_')];
  const account = uniqueName('tgc');
  let h: Harness;
  let api: FakeBotApi;
  const services: RunningTelegram[] = [];
  let on: Client;
  let off: Client;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    h = await startWebHarness();
    await h.seed(account, ['alice']);
    token = await signIn(h, account, 'alice');
    api = await FakeBotApi.start();
    const shared = {
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: testEnv.databaseUrl,
      HERALD_NAMESPACE: h.stack.namespace,
      GRPC_PORT: 0,
      METRICS_PORT: 0,
      LOG_LEVEL: 'silent' as const,
      INTERFACE_ADDR: `127.0.0.1:${h.stack.interfaceService.port}`,
    };
    services.push(
      await startTelegram(
        {
          ...loadTelegramConfig({ TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_URL: api.url }),
          ...shared,
          DB_SCHEMA: schemas[0]!,
        },
        testLogger(),
      ),
    );
    // Without a bot token: Telegram is off.
    services.push(await startTelegram({ ...loadTelegramConfig({}), ...shared, DB_SCHEMA: schemas[1]! }, testLogger()));
    on = await h.another({ TELEGRAM_ADDR: `127.0.0.1:${services[0]!.port}` });
    off = await h.another({ TELEGRAM_ADDR: `127.0.0.1:${services[1]!.port}` });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    for (const service of services) await service.stop();
    await api?.close();
    await dropSchemas(...schemas);
  });

  async function settingsPage(client: Client): Promise<Page> {
    const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    await page.goto(`http://127.0.0.1:${client.gateway.port}/#token=${token}`);
    return page;
  }

  const status = async () =>
    (await on.request({ method: 'GET', url: '/api/v1/me/telegram', bearer: token })).json<{
      connected: boolean;
      username?: string;
    }>();

  it('shows the link on "+", then "connected as @username" once /start arrives from it, and disconnects', async () => {
    const page = await settingsPage(on);
    const row = page
      .getByRole('form', { name: 'Notification settings' })
      .getByRole('region', { name: 'Receive notifications via Telegram' });
    await row.getByRole('status').filter({ hasText: 'Not connected.' }).waitFor();

    await row.getByRole('button', { name: 'Connect Telegram' }).click();
    const link = row.getByRole('link', { name: 'Open Telegram and press Start' });
    await link.waitFor();
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^https:\/\/t\.me\/herald_test_bot\?start=[A-Za-z0-9_-]+$/);
    await expect(link.getAttribute('target')).resolves.toBe('_blank');
    await expect(row.getByRole('textbox', { name: 'The link to open in Telegram' }).inputValue()).resolves.toBe(href);
    await row.getByRole('status').filter({ hasText: 'Waiting for you to press Start in Telegram' }).waitFor();
    await screenshot(page, 'settings-telegram-link-en');
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    await expect(status()).resolves.toEqual({ connected: false });

    // The person opens the link in Telegram and presses Start: the bot gets /start <token>.
    api.say(
      { id: 7_100_001, username: 'alice_tg', languageCode: 'en' },
      `/start ${new URL(href!).searchParams.get('start')!}`,
    );
    await row.getByRole('status').filter({ hasText: 'Connected as @alice_tg' }).waitFor();
    await expect(link.count()).resolves.toBe(0);
    await expect(status()).resolves.toMatchObject({ connected: true, username: 'alice_tg' });

    // A reload shows the connection as it is.
    await page.reload();
    await row.getByRole('status').filter({ hasText: 'Connected as @alice_tg' }).waitFor();
    await row.getByRole('button', { name: 'Disconnect' }).click();
    await row.getByRole('status').filter({ hasText: 'Telegram disconnected.' }).waitFor();
    await expect(status()).resolves.toEqual({ connected: false });
    await row.getByRole('button', { name: 'Connect Telegram' }).waitFor();
    await page.close();
  });

  it('says plainly, in Russian for a Russian user, when Telegram is off on the server', async () => {
    await setUser(h, account, 'alice', 'ru');
    const page = await settingsPage(off);
    const row = page
      .getByRole('form', { name: 'Настройки уведомлений' })
      .getByRole('region', { name: 'Получать уведомления через Telegram' });
    await row.getByRole('status').filter({ hasText: 'Не подключено.' }).waitFor();
    await row.getByRole('button', { name: 'Подключить Telegram' }).click();
    await row
      .getByRole('status')
      .filter({ hasText: 'Уведомления через Telegram отключены на этом сервере.' })
      .waitFor();
    await expect(row.getByRole('link').count()).resolves.toBe(0);
    await page.close();
  });
});
