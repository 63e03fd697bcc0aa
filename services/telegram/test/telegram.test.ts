import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import type { Bus } from '@herald/bus';
import {
  InboxClient,
  InboxOrder,
  TelegramLinksClient,
  topics,
  type Delivery,
  type DeliveryOutcome,
} from '@herald/contracts';
import { createPool, type Pool } from '@herald/db';
import { loadInterfaceConfig, startInterface, type RunningInterface } from '@herald/interface';
import { callUnary, clientOptions, FIELD_METADATA_KEY, type UnaryMethod } from '@herald/rpc';
import {
  buildDelivery,
  dropSchemas,
  eventually,
  freePort,
  isolatedBus,
  rejection,
  testEnv,
  testLogger,
  uniqueName,
} from '@herald/testing';
import {
  loadTelegramConfig,
  noChat,
  startTelegram,
  telegramOffReason,
  type RunningTelegram,
  type TelegramConfig,
} from '@herald/telegram';
import { FakeBotApi, type TelegramUser } from './bot-api-server.js';

const account = 'acme';
let nextTelegramId = 5_000_000;

function telegramUser(languageCode = 'en'): TelegramUser {
  const id = nextTelegramId++;
  return { id, username: `user${id}`, languageCode };
}

/** A telegram delivery of an add_error or an add_call, as the router publishes it. */
function telegramDelivery(
  userId: string,
  notificationId: string,
  body?: NonNullable<Delivery['notification']>['body'],
  locale = 'en',
): Delivery {
  const base = buildDelivery({ accountId: account, userId, notificationId, channel: 'CHANNEL_TELEGRAM' });
  return {
    ...base,
    notification: { ...base.notification!, ...(body ? { body } : {}) },
    recipient: { ...base.recipient!, locale },
  };
}

describe('telegram: a bot on a local Bot API server, long polling', () => {
  const schema = uniqueName('telegram_');
  const inboxSchema = uniqueName('inbox_');
  let api: FakeBotApi;
  let bus: Bus;
  let cleanup: () => Promise<void>;
  let inbox: RunningInterface;
  let service: RunningTelegram;
  let links: TelegramLinksClient;
  let inboxClient: InboxClient;
  let db: Pool;
  const outcomes: DeliveryOutcome[] = [];
  const call = <Req, Res>(client: TelegramLinksClient | InboxClient, method: UnaryMethod<Req, Res>, request: Req) =>
    callUnary(method.bind(client), request, { deadlineMs: 5_000 });
  const outcomesOf = (deliveryId: string) => outcomes.filter((o) => o.deliveryId === deliveryId);
  const publish = (d: Delivery, msgID = d.id) => bus.publish(topics.delivery, ['telegram', account], d, { msgID });
  const toInbox = (userId: string, notificationId: string) => {
    const d = buildDelivery({ accountId: account, userId, notificationId });
    return bus.publish(topics.delivery, ['interface', account], d, { msgID: d.id });
  };
  const unread = async (userId: string) =>
    (await call(inboxClient, inboxClient.unreadCount, { accountId: account, userId })).unreadCount;
  const lastReply = (chatId: number) => api.inChat(chatId).at(-1)?.text;

  /** Links a chat to a user the way a person does: the settings page's link, then /start in Telegram. */
  const link = async (userId: string, who: TelegramUser = telegramUser()): Promise<TelegramUser> => {
    const offer = await call(links, links.createLink, { accountId: account, userId });
    const token = new URL(offer.url).searchParams.get('start')!;
    api.say(who, `/start ${token}`);
    await eventually(async () =>
      expect((await call(links, links.getLink, { accountId: account, userId })).connected).toBe(true),
    );
    return who;
  };

  beforeAll(async () => {
    api = await FakeBotApi.start();
    let namespace: string;
    ({ bus, namespace, cleanup } = await isolatedBus('telegram-test'));
    const shared = {
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: testEnv.databaseUrl,
      HERALD_NAMESPACE: namespace,
      GRPC_PORT: 0,
      METRICS_PORT: 0,
      LOG_LEVEL: 'silent' as const,
    };
    inbox = await startInterface({ ...loadInterfaceConfig({}), ...shared, DB_SCHEMA: inboxSchema }, testLogger());
    const config: TelegramConfig = {
      ...loadTelegramConfig({ TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_URL: api.url }),
      ...shared,
      DB_SCHEMA: schema,
      INTERFACE_ADDR: `127.0.0.1:${inbox.port}`,
      CRM_BASE_URL: 'https://acme.example.com',
      TELEGRAM_RETRY_BASE_MS: 50,
    };
    service = await startTelegram(config, testLogger());
    links = new TelegramLinksClient(`127.0.0.1:${service.port}`, ...clientOptions());
    inboxClient = new InboxClient(`127.0.0.1:${inbox.port}`, ...clientOptions());
    db = createPool({
      url: testEnv.databaseUrl,
      schema,
      applicationName: 'telegram-test',
      max: 2,
      logger: testLogger(),
    });
    await bus.consume(topics.deliveryOutcome, { durable: 'test-outcomes', filter: ['telegram'] }, async (batch) => {
      outcomes.push(...batch.map((m) => m.data));
    });
  });

  afterAll(async () => {
    links.close();
    inboxClient.close();
    await db.end();
    await service.stop();
    await inbox.stop();
    await cleanup();
    await api.close();
    await dropSchemas(schema, inboxSchema);
  });

  describe('linking', () => {
    it('links the chat that sends /start with the one-time token, and answers in the user’s language', async () => {
      expect(service.enabled).toBe(true);
      expect(service.botUsername).toBe(api.username);
      const user = uniqueName('u');
      expect(await call(links, links.getLink, { accountId: account, userId: user })).toEqual({
        connected: false,
        username: '',
        linkedAt: undefined,
      });
      const offer = await call(links, links.createLink, { accountId: account, userId: user });
      expect(offer.url).toMatch(/^https:\/\/t\.me\/herald_test_bot\?start=[A-Za-z0-9_-]{32}$/);
      expect(offer.expiresAt!.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
      expect(offer.expiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
      const token = new URL(offer.url).searchParams.get('start')!;
      // Stored hashed: the token itself is nowhere in the table.
      const stored = await db.query<{ token_hash: Buffer }>('SELECT token_hash FROM telegram_link_tokens');
      expect(stored.rows.some((r) => r.token_hash.toString('utf8').includes(token))).toBe(false);

      const who = telegramUser('ru');
      api.say(who, `/start ${token}`);
      await eventually(() => expect(lastReply(who.id)).toMatch(/^Подключено/));
      const linked = await call(links, links.getLink, { accountId: account, userId: user });
      expect(linked.connected).toBe(true);
      expect(linked.username).toBe(who.username);
      expect(linked.linkedAt).toBeInstanceOf(Date);
    });

    it('links nothing for a reused, an expired or an unknown token, and says which in the chat', async () => {
      const [first, second] = [uniqueName('u'), uniqueName('u')];
      const firstChat = await link(first);
      const offer = await call(links, links.createLink, { accountId: account, userId: first });
      const token = new URL(offer.url).searchParams.get('start')!;
      const intruder = telegramUser();
      api.say(intruder, `/start ${token}`);
      await eventually(() => expect(lastReply(intruder.id)).toMatch(/^Connected/));
      // The same token again, from another chat: used.
      const again = telegramUser();
      api.say(again, `/start ${token}`);
      await eventually(() => expect(lastReply(again.id)).toMatch(/already used/));

      const expiring = await call(links, links.createLink, { accountId: account, userId: second });
      await db.query("UPDATE telegram_link_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL");
      const late = telegramUser();
      api.say(late, `/start ${new URL(expiring.url).searchParams.get('start')!}`);
      await eventually(() => expect(lastReply(late.id)).toMatch(/expired/));

      const stranger = telegramUser();
      api.say(stranger, '/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      await eventually(() => expect(lastReply(stranger.id)).toMatch(/not valid/));
      api.say(stranger, '/start <script>');
      await eventually(() => expect(api.inChat(stranger.id)).toHaveLength(2));
      expect(lastReply(stranger.id)).toMatch(/not valid/);

      expect((await call(links, links.getLink, { accountId: account, userId: second })).connected).toBe(false);
      // One chat per user: the second /start with a fresh token replaced the first chat.
      const now = await call(links, links.getLink, { accountId: account, userId: first });
      expect(now.username).toBe(intruder.username);
      expect(now.username).not.toBe(firstChat.username);
    });

    it('unlinks on /stop in the chat and on Unlink from the settings', async () => {
      const [byChat, bySettings] = [uniqueName('u'), uniqueName('u')];
      const chat = await link(byChat);
      api.say(chat, '/stop');
      await eventually(() => expect(lastReply(chat.id)).toMatch(/^Disconnected/));
      expect((await call(links, links.getLink, { accountId: account, userId: byChat })).connected).toBe(false);

      await link(bySettings);
      expect(await call(links, links.unlink, { accountId: account, userId: bySettings })).toEqual({ unlinked: true });
      expect(await call(links, links.unlink, { accountId: account, userId: bySettings })).toEqual({ unlinked: false });
      expect((await call(links, links.getLink, { accountId: account, userId: bySettings })).connected).toBe(false);
    });

    it('refuses a bad user with INVALID_ARGUMENT naming the field', async () => {
      const err = await rejection(call(links, links.createLink, { accountId: account, userId: 'not a user' }));
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(err.metadata.get(FIELD_METADATA_KEY)).toEqual(['user_id']);
    });
  });

  describe('delivery', () => {
    it('sends an HTML message with every integration string escaped, and only a safe link as a button', async () => {
      const user = uniqueName('u');
      const chat = await link(user);
      const delivery = telegramDelivery(user, uniqueName('n'), {
        $case: 'error',
        value: {
          header: '<b>Bold</b> & "quoted"',
          text: '<script>alert(1)</script> <a href="javascript:x">click</a>',
          link: '/leads/42?tab=<x>',
        },
      });
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
      );
      const [message] = api.inChat(chat.id).slice(-1);
      expect(message!.parseMode).toBe('HTML');
      expect(message!.text).toContain('<b>&lt;b&gt;Bold&lt;/b&gt; &amp; "quoted"</b>');
      expect(message!.text).toContain(
        '&lt;script&gt;alert(1)&lt;/script&gt; &lt;a href="javascript:x"&gt;click&lt;/a&gt;',
      );
      expect(message!.text).not.toContain('<script>');
      expect(message!.replyMarkup!.inline_keyboard).toEqual([
        [{ text: 'Open', url: 'https://acme.example.com/leads/42?tab=%3Cx%3E' }],
        [{ text: 'Mark as read', callback_data: 'read' }],
      ]);
      expect(outcomesOf(delivery.id)[0]!.providerMessageId).toBe(`${chat.id}:${message!.messageId}`);
    });

    it('shows a call’s from, to and duration in the recipient’s language, the recording as a button', async () => {
      const user = uniqueName('u');
      const chat = await link(user);
      const call = telegramDelivery(
        user,
        uniqueName('n'),
        {
          $case: 'call',
          value: {
            text: 'Call about the order',
            from: '+1 555 0100',
            to: 'Alice <admin>',
            duration: 125,
            link: 'https://records.example.com/1.mp3',
            element: undefined,
          },
        },
        'ru',
      );
      const unsafe = telegramDelivery(user, uniqueName('n'), {
        $case: 'error',
        value: { header: 'h', text: 't', link: 'javascript:alert(1)' },
      });
      await publish(call);
      await publish(unsafe);
      await eventually(() => expect(api.inChat(chat.id)).toHaveLength(3));
      const byText = (needle: string) => api.inChat(chat.id).find((m) => m.text.includes(needle))!;
      const shown = byText('Call about the order');
      expect(shown.text).toContain('<b>Входящий звонок от +1 555 0100</b>');
      expect(shown.text).toContain('От: +1 555 0100');
      expect(shown.text).toContain('Кому: Alice &lt;admin&gt;');
      expect(shown.text).toContain('Длительность: 2 мин 5 с');
      expect(shown.replyMarkup!.inline_keyboard).toEqual([
        [{ text: 'Прослушать запись', url: 'https://records.example.com/1.mp3' }],
        [{ text: 'Отметить прочитанным', callback_data: 'read' }],
      ]);
      // javascript: is no link: only the read button.
      expect(byText('<b>h</b>').replyMarkup!.inline_keyboard).toEqual([
        [{ text: 'Mark as read', callback_data: 'read' }],
      ]);
      // One chat, one message a second.
      const sends = api.callsOf('sendMessage', chat.id).map((c) => c.at);
      expect(sends.at(-1)! - sends.at(-2)!).toBeGreaterThanOrEqual(950);
    });

    it('sends nothing twice when a delivery is redelivered', async () => {
      const user = uniqueName('u');
      const chat = await link(user);
      const delivery = telegramDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(() => expect(outcomesOf(delivery.id)).toHaveLength(1));
      await publish(delivery, 'redelivered');
      // Published after the redelivery to the same chat: once it is sent, the redelivery was handled.
      const sentinel = telegramDelivery(user, uniqueName('n'));
      await publish(sentinel);
      await eventually(() => expect(outcomesOf(sentinel.id)).toHaveLength(1));
      expect(api.inChat(chat.id).filter((m) => m.text.includes(`text of ${delivery.notification!.id}`))).toHaveLength(
        1,
      );
      expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']);
    });

    it('skips a user without a linked chat, saying so in the delivery log', async () => {
      const delivery = telegramDelivery(uniqueName('u'), uniqueName('n'));
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => [o.status, o.reason])).toEqual([['DELIVERY_STATUS_SKIPPED', noChat]]),
      );
    });
  });

  describe('faults', () => {
    it('waits a 429’s retry_after, then sends once', async () => {
      const user = uniqueName('u');
      const chat = await link(user);
      api.refuse({
        method: 'sendMessage',
        chatId: chat.id,
        errorCode: 429,
        description: 'Too Many Requests: retry after 1',
        retryAfter: 1,
      });
      const delivery = telegramDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => o.status)).toEqual(['DELIVERY_STATUS_DELIVERED']),
      );
      // After the reply to /start: the delivery's tries.
      const attempts = api.callsOf('sendMessage', chat.id).slice(1);
      expect(attempts.map((a) => a.status)).toEqual([429, 200]);
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1_000);
      expect(api.inChat(chat.id).filter((m) => m.text.includes('text of'))).toHaveLength(1);
    });

    it('unlinks a chat that blocked the bot, and logs why', async () => {
      const user = uniqueName('u');
      const chat = await link(user);
      api.refuse({
        method: 'sendMessage',
        chatId: chat.id,
        errorCode: 403,
        description: 'Forbidden: bot was blocked by the user',
      });
      const delivery = telegramDelivery(user, uniqueName('n'));
      await publish(delivery);
      await eventually(() =>
        expect(outcomesOf(delivery.id).map((o) => [o.status, o.reason])).toEqual([
          ['DELIVERY_STATUS_FAILED', 'telegram 403: Forbidden: bot was blocked by the user (chat unlinked)'],
        ]),
      );
      expect((await call(links, links.getLink, { accountId: account, userId: user })).connected).toBe(false);
      const next = telegramDelivery(user, uniqueName('n'));
      await publish(next);
      await eventually(() => expect(outcomesOf(next.id).map((o) => o.reason)).toEqual([noChat]));
    });
  });

  describe('read state', () => {
    it('marks the item read in the inbox from the button, answers it, and shows the message read', async () => {
      const user = uniqueName('u');
      const chat = await link(user);
      const id = uniqueName('n');
      await toInbox(user, id);
      await toInbox(user, uniqueName('n'));
      await eventually(async () => expect(await unread(user)).toBe(2));
      await publish(telegramDelivery(user, id));
      await eventually(() => expect(api.inChat(chat.id).some((m) => m.text.includes(`text of ${id}`))).toBe(true));
      const message = api.inChat(chat.id).find((m) => m.text.includes(`text of ${id}`))!;

      const callbackId = api.press(chat, message, 'read');
      await eventually(async () => expect(await unread(user)).toBe(1));
      await eventually(() =>
        expect(api.callbackAnswers.find((a) => a.callback_query_id === callbackId)?.text).toBe('Marked as read'),
      );
      await eventually(() => expect(message.edits).toBe(1));
      expect(message.text).toContain(`text of ${id}`);
      expect(message.text).toMatch(/✓ Read$/);
      expect(message.replyMarkup!.inline_keyboard).toEqual([
        [{ text: 'Open', url: 'https://acme.example.com/contacts' }],
      ]);
      const listed = await call(inboxClient, inboxClient.list, {
        accountId: account,
        userId: user,
        order: InboxOrder.INBOX_ORDER_NEWEST,
        pageSize: 10,
        cursor: '',
      });
      expect(listed.items.find((i) => i.notification?.id === id)?.readAt).toBeInstanceOf(Date);
    });

    it('shows a message read when its item is read elsewhere', async () => {
      const user = uniqueName('u');
      const chat = await link(user);
      const id = uniqueName('n');
      await toInbox(user, id);
      await eventually(async () => expect(await unread(user)).toBe(1));
      await publish(telegramDelivery(user, id));
      await eventually(() => expect(api.inChat(chat.id).some((m) => m.text.includes(`text of ${id}`))).toBe(true));
      const message = api.inChat(chat.id).find((m) => m.text.includes(`text of ${id}`))!;
      await call(inboxClient, inboxClient.markRead, { accountId: account, userId: user, notificationIds: [id] });
      await eventually(() => expect(message.edits).toBe(1));
      expect(message.text).toMatch(/✓ Read$/);
      expect(message.replyMarkup!.inline_keyboard.flat().some((b) => b.callback_data)).toBe(false);
    });
  });
});

describe('telegram: webhook mode', () => {
  const schema = uniqueName('telegram_');
  let api: FakeBotApi;
  let cleanup: () => Promise<void>;
  let service: RunningTelegram;
  let links: TelegramLinksClient;
  const secret = 'webhook-secret-of-the-test-0123456789';

  beforeAll(async () => {
    api = await FakeBotApi.start();
    let namespace: string;
    ({ namespace, cleanup } = await isolatedBus('telegram-webhook-test'));
    const port = await freePort();
    service = await startTelegram(
      {
        ...loadTelegramConfig({
          TELEGRAM_BOT_TOKEN: api.token,
          TELEGRAM_API_URL: api.url,
          TELEGRAM_MODE: 'webhook',
          TELEGRAM_WEBHOOK_SECRET: secret,
          TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram`,
        }),
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: testEnv.databaseUrl,
        HERALD_NAMESPACE: namespace,
        DB_SCHEMA: schema,
        GRPC_PORT: 0,
        METRICS_PORT: 0,
        HTTP_PORT: port,
        LOG_LEVEL: 'silent',
      },
      testLogger(),
    );
    links = new TelegramLinksClient(`127.0.0.1:${service.port}`, ...clientOptions());
  });

  afterAll(async () => {
    links.close();
    await service.stop();
    await cleanup();
    await api.close();
    await dropSchemas(schema);
  });

  it('registers the webhook with its secret, refuses a wrong or missing secret, and takes updates with it', async () => {
    expect(api.webhook).toEqual({ url: `http://127.0.0.1:${service.webhookPort}/telegram`, secret_token: secret });
    expect(api.callsOf('getUpdates')).toEqual([]);
    const user = uniqueName('u');
    const offer = await callUnary(
      links.createLink.bind(links),
      { accountId: account, userId: user },
      { deadlineMs: 5_000 },
    );
    const who = telegramUser();
    const update = api.messageUpdate(who, `/start ${new URL(offer.url).searchParams.get('start')!}`);
    const post = (headers: Record<string, string>) =>
      fetch(api.webhook!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(update),
      });

    expect((await post({})).status).toBe(401);
    expect((await post({ 'X-Telegram-Bot-Api-Secret-Token': 'wrong-secret-wrong-secret' })).status).toBe(401);
    expect(api.inChat(who.id)).toEqual([]);
    const linked = await callUnary(
      links.getLink.bind(links),
      { accountId: account, userId: user },
      { deadlineMs: 5_000 },
    );
    expect(linked.connected).toBe(false);

    expect((await post({ 'X-Telegram-Bot-Api-Secret-Token': secret })).status).toBe(200);
    expect(api.inChat(who.id).map((m) => m.text)).toEqual([expect.stringMatching(/^Connected/)]);
    const after = await callUnary(
      links.getLink.bind(links),
      { accountId: account, userId: user },
      { deadlineMs: 5_000 },
    );
    expect(after.connected).toBe(true);
  });
});

describe('telegram: without a bot token', () => {
  const schema = uniqueName('telegram_');
  let bus: Bus;
  let cleanup: () => Promise<void>;
  let service: RunningTelegram;

  beforeAll(async () => {
    let namespace: string;
    ({ bus, namespace, cleanup } = await isolatedBus('telegram-off-test'));
    service = await startTelegram(
      {
        ...loadTelegramConfig({}),
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: testEnv.databaseUrl,
        HERALD_NAMESPACE: namespace,
        DB_SCHEMA: schema,
        GRPC_PORT: 0,
        METRICS_PORT: 0,
        LOG_LEVEL: 'silent',
      },
      testLogger(),
    );
  });

  afterAll(async () => {
    await service.stop();
    await cleanup();
    await dropSchemas(schema);
  });

  it('starts, skips every delivery with the reason, and makes no links', async () => {
    expect(service.enabled).toBe(false);
    const outcomes: DeliveryOutcome[] = [];
    await bus.consume(topics.deliveryOutcome, { durable: 'test-outcomes-off' }, async (batch) => {
      outcomes.push(...batch.map((m) => m.data));
    });
    const delivery = telegramDelivery(uniqueName('u'), uniqueName('n'));
    await bus.publish(topics.delivery, ['telegram', account], delivery, { msgID: delivery.id });
    await eventually(() =>
      expect(outcomes.map((o) => [o.deliveryId, o.status, o.reason])).toEqual([
        [delivery.id, 'DELIVERY_STATUS_SKIPPED', telegramOffReason],
      ]),
    );
    const links = new TelegramLinksClient(`127.0.0.1:${service.port}`, ...clientOptions());
    try {
      const err = await rejection(
        callUnary(links.createLink.bind(links), { accountId: account, userId: 'u1' }, { deadlineMs: 5_000 }),
      );
      expect(err.code).toBe(status.FAILED_PRECONDITION);
      expect(err.details).toMatch(/Telegram is off/);
    } finally {
      links.close();
    }
  });
});
