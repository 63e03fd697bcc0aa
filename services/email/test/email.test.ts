import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bus } from '@herald/bus';
import { topics, type Delivery, type DeliveryOutcome, type Notification } from '@herald/contracts';
import { startEmail, type RunningEmail } from '@herald/email';
import pg from 'pg';
import { verifyUnsubscribe } from '@herald/auth';
import { buildDelivery, dropSchemas, eventually, isolatedBus, testEnv, testLogger, uniqueName } from '@herald/testing';
import { emailTestConfig } from './harness.js';
import { droppingPort, SmtpSink } from './smtp-sink.js';

const crm = 'https://crm.example.com';
const center = 'https://herald.example.com/notifications';
const unsubscribeKey = 'unsubscribe-key-of-the-email-spec-0123456789';
const unsubscribeRoute = 'https://herald.example.com/api/v1/unsubscribe';

interface Person {
  account: string;
  user: string;
  email: string;
  locale?: string;
  timezone?: string;
  daily?: string;
}

function person(overrides: Partial<Person> = {}): Person {
  const user = uniqueName('u');
  return { account: uniqueName('a'), user, email: `${user}@example.com`, ...overrides };
}

/** An email delivery to `p`, from the one Delivery builder, with its own body and a provider icon. */
function emailDelivery(p: Person, notificationId: string, body: Notification['body'], at: Date): Delivery {
  const base = buildDelivery({
    accountId: p.account,
    userId: p.user,
    notificationId,
    channel: 'CHANNEL_EMAIL',
    occurredAt: at,
    recipient: {
      email: p.email,
      timezone: p.timezone ?? 'UTC',
      locale: p.locale ?? 'en',
      emailMode: p.daily ? 'EMAIL_MODE_DAILY' : 'EMAIL_MODE_IMMEDIATE',
      digestTime: p.daily ?? '',
    },
  });
  const provider = { ...base.notification!.provider!, iconUrl: 'https://cdn.example.com/icon.png' };
  return { ...base, notification: { ...base.notification!, provider, body }, rendered: undefined };
}

const error = (header: string, text: string, link = ''): Notification['body'] => ({
  $case: 'error',
  value: { header, text, link },
});

describe('email', () => {
  const schema = uniqueName('email_');
  let bus: Bus;
  let namespace: string;
  let cleanup: () => Promise<void>;
  let sink: SmtpSink;
  let email: RunningEmail;
  let clock = new Date();
  const outcomes: DeliveryOutcome[] = [];
  const services: RunningEmail[] = [];

  const config = (overrides: Record<string, string | number | boolean> = {}) => ({
    ...emailTestConfig(namespace, schema),
    SMTP_URL: sink.url,
    CRM_BASE_URL: crm,
    NOTIFICATION_CENTER_URL: center,
    UNSUBSCRIBE_KEY: unsubscribeKey,
    UNSUBSCRIBE_URL: unsubscribeRoute,
    EMAIL_RETRY_BASE_MS: 100,
    EMAIL_MAX_TRIES: 4,
    ...overrides,
  });

  const start = async (overrides: Parameters<typeof config>[0] = {}) => {
    const service = await startEmail(config(overrides), testLogger(), { now: () => clock, cron: false });
    services.push(service);
    return service;
  };

  const publish = (d: Delivery, msgID = d.id) =>
    bus.publish(topics.delivery, ['email', d.notification!.accountId], d, { msgID });

  const outcomesOf = (deliveryId: string) => outcomes.filter((o) => o.deliveryId === deliveryId);

  /** The one mail to `address`, once it has come. */
  const onlyMailTo = (address: string) =>
    eventually(() => {
      expect(sink.to(address)).toHaveLength(1);
      return sink.to(address)[0]!;
    });

  beforeAll(async () => {
    ({ bus, namespace, cleanup } = await isolatedBus('email-test'));
    sink = await SmtpSink.start({ refuse: (address) => address.startsWith('bounce') });
    email = await start();
    bus.subscribe(topics.deliveryOutcome, [], (o) => outcomes.push(o));
    await bus.nc.flush();
  });

  afterAll(async () => {
    for (const service of services) await service.stop();
    await sink.close();
    await cleanup();
    await dropSchemas(schema);
  });

  describe('at the time of the event', () => {
    it('sends one mail in English: subject, date, text, the CRM link as a button, unsubscribe headers', async () => {
      const p = person();
      const at = new Date(Date.UTC(2026, 5, 1, 12, 30));
      const d = emailDelivery(p, uniqueName('n'), error('Task failed', 'Contact not found', '/contacts/1'), at);
      await publish(d);
      const mail = await onlyMailTo(p.email);
      const { parsed } = mail;
      expect(parsed.subject).toBe('Error: Task failed');
      expect(parsed.html).toContain('Contact not found');
      expect(parsed.html).toContain('Jun 1, 2026, 12:30 PM');
      expect(parsed.html).toContain(`href="${crm}/contacts/1"`);
      expect(parsed.html).toContain('src="https://cdn.example.com/icon.png"');
      expect(parsed.html).toContain(`href="${center}/settings"`);
      expect(parsed.text).toContain('Open: https://crm.example.com/contacts/1');
      const header = (name: string) => parsed.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n\s+/g, ' ');
      expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      // A signed one-click link for this user and this mail's provider, in the header and the footer.
      const link = /^List-Unsubscribe: <([^>]+)>$/.exec(header('list-unsubscribe') ?? '')?.[1] ?? '';
      const params = Object.fromEntries(new URL(link).searchParams);
      expect(link.startsWith(`${unsubscribeRoute}?`)).toBe(true);
      expect(params).toMatchObject({ account: p.account, user: p.user, scope: d.notification?.provider?.id });
      const signed = { account: p.account, user: p.user, scope: params['scope'] ?? '' };
      expect(verifyUnsubscribe(signed, params['sig'] ?? '', unsubscribeKey)).toBe(true);
      const hrefs = String(parsed.html).replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
      expect(hrefs).toContain(`href="${link}"`);
      await eventually(() =>
        expect(outcomesOf(d.id)).toEqual([
          expect.objectContaining({ status: 'DELIVERY_STATUS_DELIVERED', tries: 1, channel: 'CHANNEL_EMAIL' }),
        ]),
      );
      expect(outcomesOf(d.id)[0]?.providerMessageId).toBe(parsed.messageId);
    });

    it('writes a call in Russian for a ru user: from, to, duration, the recording link', async () => {
      const p = person({ locale: 'ru', timezone: 'Europe/Moscow' });
      const d = emailDelivery(
        p,
        uniqueName('n'),
        {
          $case: 'call',
          value: {
            text: 'Звонок по заказу',
            from: 'Jeremy Watts',
            to: 'Анна',
            element: { id: 7, type: 'ELEMENT_TYPE_LEAD' },
            duration: 125,
            link: 'https://records.example.com/7.mp3',
          },
        },
        new Date(Date.UTC(2026, 2, 1, 15, 4)),
      );
      await publish(d);
      const mail = await onlyMailTo(p.email);
      const { parsed } = mail;
      expect(parsed.subject).toBe('Входящий звонок от Jeremy Watts');
      for (const line of [
        'От: Jeremy Watts',
        'Кому: Анна',
        'Длительность: 2 мин 5 с',
        'Сделка #7',
        '1 мар. 2026 г., 18:04',
      ]) {
        expect(parsed.text).toContain(line);
        expect(parsed.html).toContain(line);
      }
      expect(parsed.html).toContain('href="https://records.example.com/7.mp3"');
      expect(parsed.html).toContain('Прослушать запись');
      expect(parsed.html).toContain('Настройки уведомлений');
    });

    it('escapes HTML and script from the integration, and makes no link of a javascript: URL', async () => {
      const p = person();
      const d = emailDelivery(
        p,
        uniqueName('n'),
        error('<script>alert("h")</script>', '<img src=x onerror=alert(1)> & <b>bold</b>', 'javascript:alert(1)'),
        new Date(),
      );
      await publish(d);
      const mail = await onlyMailTo(p.email);
      const html = String(mail.parsed.html);
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('<b>bold</b>');
      expect(html).not.toMatch(/href="javascript:/i);
      expect(html).toContain('&lt;script&gt;');
      expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
      expect(mail.parsed.text).toContain('<img src=x onerror=alert(1)> & <b>bold</b>');
      expect(mail.parsed.text).not.toContain('javascript:');
      expect(mail.parsed.subject).toBe('Error: <script>alert("h")</script>');
    });

    it('sends a redelivered message once', async () => {
      const p = person();
      const d = emailDelivery(p, uniqueName('n'), error('Once', 'only once'), new Date());
      await publish(d, `${d.id}.first`);
      await eventually(() => expect(sink.to(p.email)).toHaveLength(1));
      await publish(d, `${d.id}.again`);
      // The second copy is acked once its DELIVERED outcome is reported again (deduplicated): then nothing more is sent.
      const marker = emailDelivery(p, uniqueName('n'), error('Marker', 'after the repeat'), new Date());
      await publish(marker);
      await eventually(() => expect(sink.to(p.email)).toHaveLength(2));
      expect(sink.to(p.email).map((m) => m.parsed.subject)).toEqual(['Error: Once', 'Error: Marker']);
    });

    it('logs a 550 for one recipient as failed without retrying it, while the others flow', async () => {
      const refused = person({ email: `bounce-${uniqueName('x')}@example.com` });
      const fine = person();
      const bad = emailDelivery(refused, uniqueName('n'), error('Refused', 'no such mailbox'), new Date());
      await publish(bad);
      const good = emailDelivery(fine, uniqueName('n'), error('Fine', 'goes through'), new Date());
      await publish(good);
      await eventually(() => expect(sink.to(fine.email)).toHaveLength(1));
      const [failed] = await eventually(() => {
        expect(outcomesOf(bad.id)).toHaveLength(1);
        return outcomesOf(bad.id);
      });
      expect(failed).toMatchObject({ status: 'DELIVERY_STATUS_FAILED', tries: 1 });
      expect(failed?.reason).toContain('550');
      // Later mails pass through the same consumer: had the refusal been retried, it would be offered again first.
      const after = emailDelivery(fine, uniqueName('n'), error('After', 'later'), new Date());
      await publish(after);
      await eventually(() => expect(sink.to(fine.email)).toHaveLength(2));
      expect(sink.recipientTries.get(refused.email)).toBe(1);
    });

    it('skips a delivery to a user without an address, and says why', async () => {
      const p = person({ email: '' });
      const d = emailDelivery(p, uniqueName('n'), error('Nowhere', 'no address'), new Date());
      await publish(d);
      await eventually(() =>
        expect(outcomesOf(d.id)).toEqual([
          expect.objectContaining({ status: 'DELIVERY_STATUS_SKIPPED', reason: 'no email address', tries: 0 }),
        ]),
      );
    });
  });

  describe('the daily digest', () => {
    const at = (iso: string) => new Date(iso);
    const statusesOf = (deliveryId: string) => outcomesOf(deliveryId).map((o) => [o.status, o.reason]);

    /** Publishes items for a daily user and waits until each is held (logged SKIPPED "digest"). */
    const hold = async (p: Person, arrivals: readonly string[]): Promise<Delivery[]> => {
      const ds = arrivals.map((iso, i) =>
        emailDelivery(p, uniqueName(`n${i}x`), error(`Item ${iso}`, `text ${i}`), at(iso)),
      );
      for (const d of ds) await publish(d);
      for (const d of ds) {
        await eventually(() => expect(statusesOf(d.id)).toEqual([['DELIVERY_STATUS_SKIPPED', 'digest']]), 20_000);
      }
      return ds;
    };

    const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> => {
      const client = new pg.Client({ connectionString: testEnv.databaseUrl });
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    };

    it('holds the unread items of the 24 hours up to 18:00, from 18:00 the day before, and logs them delivered', async () => {
      const p = person({ daily: '18:00' });
      clock = at('2030-01-10T12:00:00Z');
      const [older, evening, lateNight, morning] = await hold(p, [
        '2030-01-09T17:30:00Z',
        '2030-01-09T18:30:00Z',
        '2030-01-09T23:59:00Z',
        '2030-01-10T10:00:00Z',
      ]);
      expect(await email.digests.tick(at('2030-01-10T17:59:00Z'))).toMatchObject({ sent: 0 });
      expect(sink.to(p.email)).toHaveLength(0);
      expect(await email.digests.tick(at('2030-01-10T18:00:00Z'))).toMatchObject({ sent: 1 });
      const [mail] = sink.to(p.email);
      expect(mail.parsed.subject).toBe('3 unread notifications since Jan 9, 2030, 6:00 PM');
      const html = String(mail.parsed.html);
      const titles = [...html.matchAll(/Item (\S+Z)/g)].map((m) => m[1]);
      expect(titles).toEqual(['2030-01-10T10:00:00Z', '2030-01-09T23:59:00Z', '2030-01-09T18:30:00Z']);
      expect(html).not.toContain('See all');
      for (const d of [evening!, lateNight!, morning!]) {
        await eventually(() =>
          expect(statusesOf(d.id)).toEqual([
            ['DELIVERY_STATUS_SKIPPED', 'digest'],
            ['DELIVERY_STATUS_DELIVERED', ''],
          ]),
        );
        expect(outcomesOf(d.id)[1]?.providerMessageId).toBe(mail.parsed.messageId);
      }
      expect(statusesOf(older!.id)).toEqual([['DELIVERY_STATUS_SKIPPED', 'digest']]);
      // The next day's digest has nothing new: no mail.
      expect(await email.digests.tick(at('2030-01-11T18:00:00Z'))).toMatchObject({ sent: 0 });
      expect(sink.to(p.email)).toHaveLength(1);
    });

    it('shows the 5 newest and links to all of them when there are more', async () => {
      const p = person({ daily: '18:00', locale: 'ru' });
      clock = at('2031-01-10T12:00:00Z');
      await hold(
        p,
        Array.from({ length: 7 }, (_, i) => `2031-01-10T0${i + 1}:00:00Z`),
      );
      await email.digests.tick(at('2031-01-10T18:00:00Z'));
      const [mail] = sink.to(p.email);
      expect(mail.parsed.subject).toMatch(/^7 непрочитанных уведомлений с /);
      const html = String(mail.parsed.html);
      expect([...html.matchAll(/Item (\S+Z)/g)].map((m) => m[1])).toEqual([
        '2031-01-10T07:00:00Z',
        '2031-01-10T06:00:00Z',
        '2031-01-10T05:00:00Z',
        '2031-01-10T04:00:00Z',
        '2031-01-10T03:00:00Z',
      ]);
      expect(html).toMatch(new RegExp(`href="${center}"[^>]*>[\\s\\S]*?Смотреть все 7 в центре уведомлений`));
      expect(mail.parsed.text).toContain(`Смотреть все 7 в центре уведомлений: ${center}`);
    });

    it('leaves out items read before it goes, and sends nothing when nothing is unread', async () => {
      const some = person({ daily: '18:00' });
      const all = person({ daily: '18:00' });
      clock = at('2032-01-10T12:00:00Z');
      const [read1, read2, unread] = await hold(some, [
        '2032-01-10T01:00:00Z',
        '2032-01-10T02:00:00Z',
        '2032-01-10T03:00:00Z',
      ]);
      await hold(all, ['2032-01-10T01:00:00Z', '2032-01-10T02:00:00Z']);
      const readAt = at('2032-01-10T13:00:00Z');
      const ids = [read1!, read2!].map((d) => d.notification!.id);
      await bus.publish(
        topics.inboxRead,
        [some.account, some.user],
        { accountId: some.account, userId: some.user, notificationIds: ids, all: false, readAt, unreadCount: 1 },
        { msgID: uniqueName('read') },
      );
      await bus.publish(
        topics.inboxRead,
        [all.account, all.user],
        { accountId: all.account, userId: all.user, notificationIds: [], all: true, readAt, unreadCount: 0 },
        { msgID: uniqueName('read') },
      );
      await eventually(async () => {
        const rows = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${schema}".digest_items WHERE user_id = ANY($1) AND read_at IS NOT NULL`,
          [[some.user, all.user]],
        );
        expect(rows[0]?.n).toBe(4);
      });
      expect(await email.digests.tick(at('2032-01-10T18:00:00Z'))).toMatchObject({ sent: 1 });
      const [mail] = sink.to(some.email);
      expect([...String(mail.parsed.html).matchAll(/Item (\S+Z)/g)].map((m) => m[1])).toEqual(['2032-01-10T03:00:00Z']);
      expect(statusesOf(unread!.id)).toContainEqual(['DELIVERY_STATUS_DELIVERED', '']);
      expect(sink.to(all.email)).toHaveLength(0);
    });

    it('sends a slot missed while no scheduler ran once, for the latest slot, when one comes back', async () => {
      const p = person({ daily: '18:00' });
      clock = at('2033-03-01T12:00:00Z');
      await hold(p, ['2033-03-01T10:00:00Z', '2033-03-02T10:00:00Z']);
      await email.stop();
      clock = at('2033-03-03T09:00:00Z');
      email = await start();
      expect(await email.digests.tick(clock)).toMatchObject({ sent: 1 });
      expect(await email.digests.tick(at('2033-03-03T09:01:00Z'))).toMatchObject({ sent: 0 });
      const mails = sink.to(p.email);
      expect(mails).toHaveLength(1);
      expect([...String(mails[0]!.parsed.html).matchAll(/Item (\S+Z)/g)].map((m) => m[1])).toEqual([
        '2033-03-02T10:00:00Z',
      ]);
    });

    it('is sent once when two schedulers race for it', async () => {
      const users = [person({ daily: '18:00' }), person({ daily: '18:00' }), person({ daily: '18:00' })];
      clock = at('2034-01-10T12:00:00Z');
      for (const p of users) await hold(p, ['2034-01-10T10:00:00Z']);
      const other = await start();
      const slot = at('2034-01-10T18:00:00Z');
      const [a, b] = await Promise.all([email.digests.tick(slot), other.digests.tick(slot)]);
      expect(a.sent + b.sent).toBe(3);
      await Promise.all([email.digests.tick(slot), other.digests.tick(slot)]);
      for (const p of users) expect(sink.to(p.email)).toHaveLength(1);
      await other.stop();
    });

    it.each([
      ['America/New_York', 'spring forward', '02:30', '2026-03-07T12:00:00Z', '2026-03-08T07:00:00Z'],
      ['Europe/Berlin', 'spring forward', '02:30', '2026-03-28T12:00:00Z', '2026-03-29T01:00:00Z'],
      ['Europe/Berlin', 'fall back', '02:30', '2026-10-24T12:00:00Z', '2026-10-25T00:30:00Z'],
      ['America/New_York', 'fall back', '01:30', '2026-10-31T12:00:00Z', '2026-11-01T05:30:00Z'],
    ])('in %s on the %s day, goes once at the right instant', async (timezone, _day, time, before, expected) => {
      const p = person({ daily: time, timezone });
      clock = at(before);
      const slot = at(expected);
      await hold(p, [new Date(slot.getTime() - 3_600_000).toISOString()]);
      const minutes = (n: number) => new Date(slot.getTime() + n * 60_000);
      expect(await email.digests.tick(minutes(-1))).toMatchObject({ sent: 0 });
      expect(sink.to(p.email)).toHaveLength(0);
      await email.digests.tick(slot);
      expect(sink.to(p.email)).toHaveLength(1);
      // Through the rest of the changed (or repeated) hour and beyond: nothing more.
      for (const n of [1, 30, 60, 61, 90, 120]) await email.digests.tick(minutes(n));
      expect(sink.to(p.email)).toHaveLength(1);
    });

    it('is scheduled anew when the user changes the time', async () => {
      const p = person({ daily: '18:00' });
      clock = at('2035-01-10T12:00:00Z');
      await hold(p, ['2035-01-10T07:00:00Z']);
      await bus.publish(
        topics.preferencesChanged,
        [p.account, p.user],
        {
          settings: {
            accountId: p.account,
            userId: p.user,
            receiveNotifications: true,
            emailMode: 'EMAIL_MODE_DAILY',
            digestTime: '09:00',
            inboxOrder: 'INBOX_ORDER_UNREAD_FIRST',
            taskLeadMinutes: 15,
            providers: [],
          },
          user: {
            accountId: p.account,
            id: p.user,
            email: p.email,
            displayName: p.user,
            timezone: 'UTC',
            locale: 'en',
            telegramChatId: '',
          },
          version: 1,
        },
        { msgID: uniqueName('prefs') },
      );
      await eventually(async () => {
        const rows = await query<{ next: Date }>(
          `SELECT next_digest_at AS next FROM "${schema}".recipients WHERE user_id = $1`,
          [p.user],
        );
        expect(rows[0]?.next).toEqual(at('2035-01-11T09:00:00Z'));
      });
      expect(await email.digests.tick(at('2035-01-10T18:00:00Z'))).toMatchObject({ sent: 0 });
      await email.digests.tick(at('2035-01-11T09:00:00Z'));
      expect(sink.to(p.email)).toHaveLength(1);
    });
  });

  describe('when the SMTP server is down, then up', () => {
    it('delivers every mail once', async () => {
      const down = await droppingPort();
      const service = await start({
        SMTP_URL: `smtp://127.0.0.1:${down.port}`,
        EMAIL_MAX_TRIES: 30,
        SMTP_TIMEOUT_MS: 1_000,
        DB_SCHEMA: `${schema}_down`,
      });
      const people = [person(), person(), person()];
      const ds = people.map((p) => emailDelivery(p, uniqueName('n'), error('Delayed', 'while down'), new Date()));
      // Replicas share the durable consumer: the one with a working server stops, so these go through the other.
      await email.stop();
      for (const d of ds) await publish(d);
      // Each of them failed a try and waits for its next one (the server was tried while it dropped every connection).
      await eventually(async () => {
        expect(down.attempts()).toBeGreaterThanOrEqual(3);
        const info = await bus.jsm.consumers.info(bus.streamName('DELIVERIES'), 'email-sender');
        expect(info.num_redelivered).toBeGreaterThanOrEqual(3);
      }, 20_000);
      await down.close();
      const up = await SmtpSink.start({ port: down.port });
      try {
        for (const p of people) await eventually(() => expect(up.to(p.email)).toHaveLength(1), 30_000);
        for (const d of ds) {
          await eventually(() =>
            expect(outcomesOf(d.id)).toEqual([expect.objectContaining({ status: 'DELIVERY_STATUS_DELIVERED' })]),
          );
        }
        for (const d of ds) expect(outcomesOf(d.id)[0]!.tries).toBeGreaterThan(1);
        expect(up.mails).toHaveLength(3);
      } finally {
        await service.stop();
        await up.close();
        await dropSchemas(`${schema}_down`);
        email = await start();
      }
    });
  });
});
