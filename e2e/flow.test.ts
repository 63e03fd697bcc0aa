import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { InboxOrder, topics, type InboxItem, type LiveEvent } from '@herald/contracts';
import { eventually, fieldOf, memorySpans, rejection, uniqueName } from '@herald/testing';
import { startStack, type Stack } from './stack.js';

const spans = memorySpans();

describe('a notification from ingest to the inbox', () => {
  let stack: Stack;
  let apiKey: string;
  let keyId: string;
  const account = uniqueName('acct');

  beforeAll(async () => {
    stack = await startStack();
    ({ apiKey, keyId } = await stack.seedAccount(account, ['u1', 'u2', 'u3']));
  });
  afterAll(() => stack.stop());

  const ingest = () => stack.ingest;
  const list = (user: string, order: InboxOrder = InboxOrder.INBOX_ORDER_UNSPECIFIED) =>
    stack.call(stack.inbox.list.bind(stack.inbox), {
      accountId: account,
      userId: user,
      order,
      pageSize: 50,
      cursor: '',
    });
  /** The user's inbox (newest first) once it holds `notificationId`. */
  const untilStored = (user: string, notificationId: string) =>
    eventually(async () => {
      const { items } = await list(user, InboxOrder.INBOX_ORDER_NEWEST);
      expect(items.map((i) => i.notification?.id)).toContain(notificationId);
      return items;
    });
  const storedCount = async () =>
    (await stack.bus.jsm.streams.info(stack.bus.streamName('NOTIFICATIONS'))).state.messages;
  const texts = (items: InboxItem[]) =>
    items.map((i) => {
      const body = i.notification?.body;
      return body?.$case === 'error' || body?.$case === 'call' ? body.value.text : undefined;
    });

  it('delivers add_error and add_call to each recipient, newest first, with the provider from the key', async () => {
    const error = await stack.call(
      ingest().addError.bind(ingest()),
      {
        header: 'Error',
        text: 'Failed to set the task! Contact not found!',
        date: 1714566795,
        link: '/contacts/list/?term=4951234567',
        recipients: ['u1', 'u2'],
      },
      apiKey,
    );
    const call = await stack.call(
      ingest().addCall.bind(ingest()),
      {
        text: 'Call from +1 (415) 523-7743',
        date: 1714566800,
        from: 'Jeremy Watts',
        to: 'Jason Nash',
        element: { id: 18221265, type: 'contact' },
        duration: 250,
        link: 'https://example.com/dialog.mp3',
        recipients: ['u1'],
      },
      apiKey,
    );
    expect(error).toMatchObject({ duplicate: false, unknownRecipients: [] });
    expect(call.id).not.toBe(error.id);

    const u1 = await eventually(async () => {
      const reply = await list('u1');
      expect(reply.items).toHaveLength(2);
      return reply;
    });
    expect(u1.items.map((i) => i.notification?.id)).toEqual([call.id, error.id]);
    expect(texts(u1.items)).toEqual(['Call from +1 (415) 523-7743', 'Failed to set the task! Contact not found!']);
    expect(u1.items[0]?.notification?.provider).toMatchObject({ name: 'Telephony', kind: 'PROVIDER_KIND_INTEGRATION' });
    expect(u1.items[0]?.notification?.occurredAt).toEqual(new Date(1714566800 * 1000));
    expect(u1.items[0]?.rendered?.title).toBe('Incoming call from Jeremy Watts');
    const u2 = await eventually(async () => {
      const reply = await list('u2');
      expect(reply.items).toHaveLength(1);
      return reply;
    });
    expect(u2.items[0]?.notification?.id).toBe(error.id);
    // u3 was named by neither: once a later notification for u3 is stored, the earlier ones would be too.
    const later = await stack.call(ingest().addError.bind(ingest()), { text: 'For u3', recipients: ['u3'] }, apiKey);
    const u3 = await untilStored('u3', later.id);
    expect(u3.map((i) => i.notification?.id)).toEqual([later.id]);
  });

  it('sends to every user of the account when no recipient is named', async () => {
    const reply = await stack.call(
      ingest().addError.bind(ingest()),
      { text: 'Billing: the plan ends in 3 days', recipients: [] },
      apiKey,
    );
    for (const user of ['u1', 'u2', 'u3']) {
      await eventually(async () => {
        const page = await list(user, InboxOrder.INBOX_ORDER_NEWEST);
        expect(page.items.map((i) => i.notification?.id)).toContain(reply.id);
      });
    }
  });

  it('stores one item for a repeated idempotency key', async () => {
    const request = { text: 'Sync failed', recipients: ['u3'], idempotencyKey: `sync-${uniqueName()}` };
    const first = await stack.call(ingest().addError.bind(ingest()), request, apiKey);
    const second = await stack.call(ingest().addError.bind(ingest()), request, apiKey);
    expect(second.id).toBe(first.id);
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    await eventually(async () => {
      const page = await list('u3');
      expect(page.items.filter((i) => i.notification?.id === first.id)).toHaveLength(1);
    });
  });

  it('shows a popup to a live subscriber and stores it nowhere', async () => {
    const live: LiveEvent[] = [];
    stack.bus.subscribe(topics.live, [account, 'u2'], (event) => live.push(event));
    await stack.bus.nc.flush();
    const before = await storedCount();
    const shown = await stack.call(
      ingest().showNotification.bind(ingest()),
      { text: { header: 'Outgoing call', text: 'Dialing the number +19872345678' }, type: 'call', recipients: ['u2'] },
      apiKey,
    );
    await eventually(() => expect(live.some((e) => e.event?.$case === 'popup')).toBe(true));
    const popup = live.find((e) => e.event?.$case === 'popup')?.event;
    expect(popup?.$case === 'popup' && popup.value).toMatchObject({
      id: shown.id,
      kind: { $case: 'notification', value: { type: 'POPUP_TYPE_CALL', header: 'Outgoing call' } },
    });
    expect(await storedCount()).toBe(before);
    // Stored items arrive in order: once a later notification for u2 is in the inbox, a stored popup would be too.
    const later = await stack.call(
      ingest().addError.bind(ingest()),
      { text: 'After the popup', recipients: ['u2'] },
      apiKey,
    );
    const items = await untilStored('u2', later.id);
    expect(items.map((i) => i.notification?.id)).not.toContain(shown.id);
  });

  it('refuses bad input with INVALID_ARGUMENT naming the field, and stores nothing', async () => {
    const before = await storedCount();
    const cases = [
      ['text', stack.call(ingest().addError.bind(ingest()), { text: '', recipients: [] }, apiKey)],
      [
        'link',
        stack.call(
          ingest().addError.bind(ingest()),
          { text: 'x', link: 'javascript:alert(1)', recipients: [] },
          apiKey,
        ),
      ],
      ['date', stack.call(ingest().addCall.bind(ingest()), { text: 'x', date: -5, recipients: [] }, apiKey)],
      [
        'element.type',
        stack.call(
          ingest().addCall.bind(ingest()),
          { text: 'x', element: { id: 1, type: 'deal' }, recipients: [] },
          apiKey,
        ),
      ],
      ['header', stack.call(ingest().showMessage.bind(ingest()), { header: '', text: 'x', recipients: [] }, apiKey)],
      ['recipients', stack.call(ingest().addError.bind(ingest()), { text: 'x', recipients: ['nobody'] }, apiKey)],
    ] as const;
    for (const [field, promise] of cases) {
      const err = await rejection(promise);
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(fieldOf(err)).toBe(field);
    }
    expect(await storedCount()).toBe(before);
  });

  it('reports recipients who are not users of the account', async () => {
    const reply = await stack.call(
      ingest().addError.bind(ingest()),
      { text: 'Lead lost', recipients: ['u1', 'ghost'] },
      apiKey,
    );
    expect(reply.unknownRecipients).toEqual(['ghost']);
  });

  it('refuses a missing, unknown or revoked key with UNAUTHENTICATED', async () => {
    const request = { text: 'x', recipients: [] };
    expect((await rejection(stack.call(ingest().addError.bind(ingest()), request))).code).toBe(status.UNAUTHENTICATED);
    expect((await rejection(stack.call(ingest().addError.bind(ingest()), request, 'hk_nope_nope'))).code).toBe(
      status.UNAUTHENTICATED,
    );
    const other = uniqueName('acct');
    const { apiKey: doomed, keyId: doomedId } = await stack.seedAccount(other, ['z1']);
    expect(doomedId).not.toBe(keyId);
    await stack.call(ingest().addError.bind(ingest()), request, doomed);
    await stack.call(stack.directory.revokeApiKey.bind(stack.directory), { accountId: other, keyId: doomedId });
    // Ingest reuses the directory's answers until the account changes: the revocation reaches it over NATS.
    await eventually(async () => {
      const err = await rejection(stack.call(ingest().addError.bind(ingest()), request, doomed));
      expect(err.code).toBe(status.UNAUTHENTICATED);
    }, 2_000);
  });

  it('lists unread first until the user switches to newest first in their settings', async () => {
    const user = uniqueName('u');
    await stack.call(stack.directory.upsertUser.bind(stack.directory), {
      user: {
        accountId: account,
        id: user,
        email: `${user}@example.com`,
        displayName: user,
        timezone: 'UTC',
        locale: 'en',
        telegramChatId: '',
      },
    });
    const older = await stack.call(
      ingest().addError.bind(ingest()),
      { text: 'older', date: 1_800_000_000, recipients: [user] },
      apiKey,
    );
    const newer = await stack.call(
      ingest().addError.bind(ingest()),
      { text: 'newer', date: 1_800_000_060, recipients: [user] },
      apiKey,
    );
    await eventually(async () => expect((await list(user)).items).toHaveLength(2));
    await stack.call(stack.inbox.markRead.bind(stack.inbox), {
      accountId: account,
      userId: user,
      notificationIds: [newer.id],
    });
    const ids = async (order: InboxOrder) => (await list(user, order)).items.map((i) => i.notification?.id);
    expect(await ids(InboxOrder.INBOX_ORDER_UNSPECIFIED)).toEqual([older.id, newer.id]);

    await stack.call(stack.preferences.updateSettings.bind(stack.preferences), {
      accountId: account,
      userId: user,
      inboxOrder: InboxOrder.INBOX_ORDER_NEWEST,
      providers: [],
    });
    await eventually(async () => expect(await ids(InboxOrder.INBOX_ORDER_UNSPECIFIED)).toEqual([newer.id, older.id]));
    // An order the caller names still wins.
    expect(await ids(InboxOrder.INBOX_ORDER_UNREAD_FIRST)).toEqual([older.id, newer.id]);
  });

  it('traces one notification through ingest, preferences and interface', async () => {
    const reply = await stack.call(ingest().addError.bind(ingest()), { text: 'Traced', recipients: ['u1'] }, apiKey);
    await eventually(async () => {
      expect((await list('u1')).items.map((i) => i.notification?.id)).toContain(reply.id);
    });
    const finished = spans.getFinishedSpans();
    const server = finished.find(
      (s) => s.name === 'herald.v1.NotificationIngest/AddError' && s.attributes['herald.notification_id'] === reply.id,
    );
    expect(server).toBeDefined();
    const traceId = server!.spanContext().traceId;
    const names = finished.filter((s) => s.spanContext().traceId === traceId).map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'herald.v1.NotificationIngest/AddError',
        'publish notifications.ingested',
        'preferences-router process',
        'publish deliveries',
        'interface-inbox process',
      ]),
    );
  });
});
