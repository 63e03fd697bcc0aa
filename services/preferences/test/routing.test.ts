import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Channel, EmailMode, ProviderKind, type Notification, type ProviderRef } from '@herald/contracts';
import { callUnary } from '@herald/rpc';
import {
  createAccount,
  createUser,
  deliveriesOf,
  ingest,
  routed,
  routes,
  startHarness,
  updateSettings,
  type Harness,
} from './harness.js';

let h: Harness;

beforeAll(async () => {
  // In dev mode, without an admin token, the admin calls are open: the calls below carry no credentials.
  h = await startHarness({ ADMIN_TOKEN: undefined, HERALD_DEV_MODE: true });
});
afterAll(() => h.stop());

const { CHANNEL_INTERFACE, CHANNEL_EMAIL, CHANNEL_MOBILE, CHANNEL_TELEGRAM } = Channel;

function system(id: string, name: string): ProviderRef {
  return { id, kind: ProviderKind.PROVIDER_KIND_SYSTEM, name, iconUrl: '' };
}

const calls = system('system.calls', 'Calls');
const billing = system('system.billing', 'Billing');
const reminders = system('system.tasks.before', 'Tasks: Before the task');
const assigned = system('system.tasks.assigned', 'Tasks: You have been assigned a new task');

function errorNotice(accountId: string, provider: ProviderRef, recipients: string[]): Partial<Notification> {
  return {
    accountId,
    provider,
    recipients,
    body: { $case: 'error', value: { header: '', text: 'Something broke', link: '' } },
  };
}

/** Routes a notification and answers "user:channel" for each delivery it made. */
async function route(notification: Partial<Notification>): Promise<string[]> {
  const sent = await ingest(h, notification);
  await routed(h);
  return routes(await deliveriesOf(h, sent.id));
}

describe('the channels of a recipient', () => {
  it('are the provider defaults for a user who never chose, plus the interface', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    expect(await route(errorNotice(accountId, calls, ['ann']))).toEqual([
      'ann:browser',
      'ann:email',
      'ann:interface',
      'ann:mobile',
    ]);
    const report = system('system.scheduled_report', 'Scheduled report');
    expect(await route(errorNotice(accountId, report, ['ann']))).toEqual(['ann:email', 'ann:interface']);
  });

  it('follow the defaults of an integration', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    const integration = await callUnary(
      h.directory.registerProvider.bind(h.directory),
      { accountId, name: 'Telephony', iconUrl: '', defaultChannels: [CHANNEL_TELEGRAM] },
      h.admin,
    );
    const ref = { id: integration.id, kind: integration.kind, name: integration.name, iconUrl: '' };
    expect(await route(errorNotice(accountId, ref, ['ann']))).toEqual(['ann:interface', 'ann:telegram']);
  });

  it('follow each user’s choice for the provider, and only for that provider', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    await createUser(h, accountId, 'bob');
    await updateSettings(h, {
      accountId,
      userId: 'ann',
      providers: [
        {
          providerId: 'system.calls',
          reset: false,
          switches: [
            { channel: CHANNEL_EMAIL, enabled: false },
            { channel: CHANNEL_MOBILE, enabled: false },
            { channel: CHANNEL_TELEGRAM, enabled: true },
          ],
        },
      ],
    });
    expect(await route(errorNotice(accountId, calls, ['ann', 'bob']))).toEqual([
      'ann:browser',
      'ann:interface',
      'ann:telegram',
      'bob:browser',
      'bob:email',
      'bob:interface',
      'bob:mobile',
    ]);
    expect(await route(errorNotice(accountId, billing, ['ann']))).toEqual([
      'ann:browser',
      'ann:email',
      'ann:interface',
      'ann:mobile',
    ]);
  });

  it('are the interface only while notifications are off; back on, the old choices return', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    const choice = {
      providerId: 'system.calls',
      reset: false,
      switches: [
        { channel: CHANNEL_MOBILE, enabled: false },
        { channel: CHANNEL_TELEGRAM, enabled: true },
      ],
    };
    await updateSettings(h, { accountId, userId: 'ann', providers: [choice] });
    const chosen = ['ann:browser', 'ann:email', 'ann:interface', 'ann:telegram'];
    expect(await route(errorNotice(accountId, calls, ['ann']))).toEqual(chosen);

    await updateSettings(h, { accountId, userId: 'ann', receiveNotifications: false });
    expect(await route(errorNotice(accountId, calls, ['ann']))).toEqual(['ann:interface']);

    await updateSettings(h, { accountId, userId: 'ann', receiveNotifications: true });
    expect(await route(errorNotice(accountId, calls, ['ann']))).toEqual(chosen);
  });

  it('are the interface only for a provider the account does not know', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    const gone = {
      id: 'f00dfeed-0000-4000-8000-000000000000',
      kind: ProviderKind.PROVIDER_KIND_INTEGRATION,
      name: 'Gone',
      iconUrl: '',
    };
    expect(await route(errorNotice(accountId, gone, ['ann']))).toEqual(['ann:interface']);
  });
});

describe('the recipients', () => {
  it('are every user of the account when none are listed', async () => {
    const accountId = await createAccount(h);
    const other = await createAccount(h);
    for (const id of ['ann', 'bob', 'cat']) await createUser(h, accountId, id);
    await createUser(h, other, 'dan');
    const report = system('system.scheduled_report', 'Scheduled report');
    expect(await route(errorNotice(accountId, report, []))).toEqual([
      'ann:email',
      'ann:interface',
      'bob:email',
      'bob:interface',
      'cat:email',
      'cat:interface',
    ]);
  });

  it('skip a listed user who is not in the account, and reach the others', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    const report = system('system.scheduled_report', 'Scheduled report');
    expect(await route(errorNotice(accountId, report, ['zoe', 'ann']))).toEqual(['ann:email', 'ann:interface']);
  });

  it('include a user added since the account was first routed', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    const report = system('system.scheduled_report', 'Scheduled report');
    expect(await route(errorNotice(accountId, report, []))).toEqual(['ann:email', 'ann:interface']);
    await createUser(h, accountId, 'bob');
    expect(await route(errorNotice(accountId, report, []))).toEqual([
      'ann:email',
      'ann:interface',
      'bob:email',
      'bob:interface',
    ]);
  });
});

describe('task notifications', () => {
  function task(
    accountId: string,
    provider: ProviderRef,
    fields: { createdBy: string; responsible: string; minutesBefore?: number },
    recipients: string[],
  ): Partial<Notification> {
    return {
      accountId,
      provider,
      recipients,
      body: {
        $case: 'event',
        value: {
          header: 'Call the client',
          text: 'Due at 15:00',
          link: 'https://crm.example.com/tasks/1',
          task: { id: 'task-1', minutesBefore: 0, ...fields },
        },
      },
    };
  }

  it('are not sent to a user for a task they set for themselves, on any channel', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    await createUser(h, accountId, 'bob');
    expect(await route(task(accountId, assigned, { createdBy: 'ann', responsible: 'ann' }, ['ann', 'bob']))).toEqual([
      'bob:browser',
      'bob:email',
      'bob:interface',
      'bob:mobile',
    ]);
    // A task set by someone else is sent.
    expect(await route(task(accountId, assigned, { createdBy: 'bob', responsible: 'ann' }, ['ann']))).toEqual([
      'ann:browser',
      'ann:email',
      'ann:interface',
      'ann:mobile',
    ]);
  });

  it('"before the task" goes only to the users whose lead time it matches', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    await createUser(h, accountId, 'bob');
    await updateSettings(h, { accountId, userId: 'bob', taskLeadMinutes: 60 });
    const report = { createdBy: 'cat', responsible: 'ann' };
    const at = (minutesBefore: number) =>
      route(task(accountId, reminders, { ...report, minutesBefore }, ['ann', 'bob']));
    // ann has the default, 15.
    expect(await at(15)).toEqual(['ann:browser', 'ann:email', 'ann:interface', 'ann:mobile']);
    expect(await at(60)).toEqual(['bob:browser', 'bob:email', 'bob:interface', 'bob:mobile']);
    expect(await at(30)).toEqual([]);
    // Without a lead time the reminder is for everyone listed.
    expect(await at(0)).toHaveLength(8);
  });
});

describe('a delivery', () => {
  it('carries the notification, the recipient and the rendered text, under its channel and account', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann', {
      email: 'ann@example.com',
      displayName: 'Ann',
      timezone: 'Asia/Tokyo',
      locale: 'ja',
      telegramChatId: '4242',
    });
    await updateSettings(h, {
      accountId,
      userId: 'ann',
      emailMode: EmailMode.EMAIL_MODE_DAILY,
      digestTime: '08:15',
    });
    const sent = await ingest(h, {
      accountId,
      provider: calls,
      recipients: ['ann'],
      body: {
        $case: 'call',
        value: {
          text: 'Missed call',
          from: '+34 600 000 000',
          to: 'Sales line',
          duration: 125,
          link: 'https://rec.example.com/1',
        },
      },
    });
    await routed(h);
    const stored = await deliveriesOf(h, sent.id);
    const email = stored.find((d) => d.delivery.channel === CHANNEL_EMAIL);
    expect(email?.subject).toBe(`deliveries.email.${accountId}`);
    expect(email?.delivery).toMatchObject({
      id: `${sent.id}.ann.email`,
      channel: CHANNEL_EMAIL,
      notification: { id: sent.id, accountId, provider: calls, recipients: [] },
      recipient: {
        userId: 'ann',
        email: 'ann@example.com',
        displayName: 'Ann',
        timezone: 'Asia/Tokyo',
        locale: 'ja',
        emailMode: 'EMAIL_MODE_DAILY',
        digestTime: '08:15',
        telegramChatId: '4242',
      },
      rendered: {
        title: 'Incoming call from +34 600 000 000',
        body: 'Missed call\nFrom: +34 600 000 000\nTo: Sales line\nDuration: 2 min 5 s',
        link: 'https://rec.example.com/1',
      },
    });
    expect(stored.find((d) => d.delivery.channel === CHANNEL_INTERFACE)?.delivery.id).toBe(`${sent.id}.ann.interface`);
  });

  it('carries its text in the language of the recipient', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ivan', { locale: 'ru', timezone: 'Europe/Moscow' });
    await createUser(h, accountId, 'ann', { locale: 'en' });
    const sent = await ingest(h, {
      accountId,
      provider: calls,
      recipients: ['ivan', 'ann'],
      body: { $case: 'call', value: { text: 'Missed call', from: 'Jeremy', to: '', duration: 0, link: '' } },
    });
    await routed(h);
    const stored = await deliveriesOf(h, sent.id);
    const titleOf = (user: string) =>
      stored.find((d) => d.delivery.recipient?.userId === user && d.delivery.channel === CHANNEL_INTERFACE)?.delivery
        .rendered?.title;
    expect(titleOf('ivan')).toBe('Входящий звонок от Jeremy');
    expect(titleOf('ann')).toBe('Incoming call from Jeremy');
  });

  it('is titled by the provider when the notification has no header', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    const sent = await ingest(h, errorNotice(accountId, billing, ['ann']));
    await routed(h);
    const [first] = await deliveriesOf(h, sent.id);
    expect(first?.delivery.rendered).toEqual({ title: 'Billing', body: 'Something broke', link: '' });
  });

  it('is stored once however often its notification is delivered to the router', async () => {
    const accountId = await createAccount(h);
    await createUser(h, accountId, 'ann');
    await createUser(h, accountId, 'bob');
    const first = await ingest(h, errorNotice(accountId, calls, []));
    // The same notification again under another msgID, as after a redelivery past ingest's dedupe.
    await ingest(h, first, `${first.id}-again`);
    await routed(h);
    const stored = await deliveriesOf(h, first.id);
    const ids = stored.map((d) => d.delivery.id);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    expect(ids.sort()).toEqual(
      ['ann', 'bob'].flatMap((user) =>
        ['browser', 'email', 'interface', 'mobile'].map((channel) => `${first.id}.${user}.${channel}`),
      ),
    );
  });
});
