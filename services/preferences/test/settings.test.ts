import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import type { Received } from '@herald/bus';
import { Channel, EmailMode, InboxOrder, topics, type PreferencesChanged, type Settings } from '@herald/contracts';
import { callUnary } from '@herald/rpc';
import { eventually, fieldOf, rejection, uniqueName } from '@herald/testing';
import { createAccount, createUser, getSettings, startHarness, updateSettings, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const { CHANNEL_INTERFACE, CHANNEL_EMAIL, CHANNEL_MOBILE, CHANNEL_BROWSER, CHANNEL_TELEGRAM } = Channel;

function providerOf(settings: Settings, id: string) {
  const found = settings.providers.find((p) => p.provider?.id === id);
  if (!found) throw new Error(`no provider ${id} in the settings`);
  return found;
}

async function newUser(): Promise<{ accountId: string; userId: string }> {
  const accountId = await createAccount(h);
  await createUser(h, accountId, 'ann');
  return { accountId, userId: 'ann' };
}

describe('GetSettings', () => {
  it('gives a user who never saved anything the defaults, every provider with its default channels', async () => {
    const { accountId, userId } = await newUser();
    const settings = await getSettings(h, accountId, userId);
    expect(settings).toMatchObject({
      accountId,
      userId,
      receiveNotifications: true,
      emailMode: EmailMode.EMAIL_MODE_IMMEDIATE,
      digestTime: '18:00',
      inboxOrder: InboxOrder.INBOX_ORDER_UNREAD_FIRST,
      taskLeadMinutes: 15,
    });
    // The 13 categories of the CRM's settings, and the widgets' calls from the browser.
    expect(settings.providers).toHaveLength(14);
    expect(providerOf(settings, 'system.calls')).toMatchObject({
      channels: [CHANNEL_INTERFACE, CHANNEL_EMAIL, CHANNEL_MOBILE, CHANNEL_BROWSER],
      customized: false,
    });
    expect(providerOf(settings, 'system.scheduled_report')).toMatchObject({
      channels: [CHANNEL_INTERFACE, CHANNEL_EMAIL],
      customized: false,
    });
  });

  it('lists the account integrations with their own defaults', async () => {
    const { accountId, userId } = await newUser();
    const integration = await callUnary(
      h.directory.registerProvider.bind(h.directory),
      { accountId, name: 'Telephony', iconUrl: '', defaultChannels: [CHANNEL_TELEGRAM] },
      h.admin,
    );
    const settings = await getSettings(h, accountId, userId);
    expect(settings.providers.at(-1)).toMatchObject({
      provider: { id: integration.id, name: 'Telephony' },
      channels: [CHANNEL_INTERFACE, CHANNEL_TELEGRAM],
      customized: false,
    });
  });

  it('answers NOT_FOUND for an unknown user', async () => {
    const accountId = await createAccount(h);
    const err = await rejection(getSettings(h, accountId, 'nobody'));
    expect(err.code).toBe(status.NOT_FOUND);
  });
});

describe('UpdateSettings', () => {
  it('saves every setting and returns the settings after the change', async () => {
    const { accountId, userId } = await newUser();
    const updated = await updateSettings(h, {
      accountId,
      userId,
      emailMode: EmailMode.EMAIL_MODE_DAILY,
      digestTime: '07:30',
      inboxOrder: InboxOrder.INBOX_ORDER_NEWEST,
      taskLeadMinutes: 60,
    });
    expect(updated).toMatchObject({
      receiveNotifications: true,
      emailMode: EmailMode.EMAIL_MODE_DAILY,
      digestTime: '07:30',
      inboxOrder: InboxOrder.INBOX_ORDER_NEWEST,
      taskLeadMinutes: 60,
    });
    expect(await getSettings(h, accountId, userId)).toEqual(updated);
    // Fields left out keep their value.
    const again = await updateSettings(h, { accountId, userId, receiveNotifications: false });
    expect(again).toMatchObject({ receiveNotifications: false, digestTime: '07:30', taskLeadMinutes: 60 });
  });

  it('keeps the per-provider choices while notifications are off, and until a reset', async () => {
    const { accountId, userId } = await newUser();
    const chosen = await updateSettings(h, {
      accountId,
      userId,
      providers: [
        {
          providerId: 'system.calls',
          reset: false,
          switches: [
            { channel: CHANNEL_EMAIL, enabled: false },
            { channel: CHANNEL_TELEGRAM, enabled: true },
          ],
        },
      ],
    });
    const calls = [CHANNEL_INTERFACE, CHANNEL_MOBILE, CHANNEL_BROWSER, CHANNEL_TELEGRAM];
    expect(providerOf(chosen, 'system.calls')).toMatchObject({ channels: calls, customized: true });
    expect(providerOf(chosen, 'system.billing').customized).toBe(false);

    const off = await updateSettings(h, { accountId, userId, receiveNotifications: false });
    expect(off.receiveNotifications).toBe(false);
    expect(providerOf(off, 'system.calls')).toMatchObject({ channels: calls, customized: true });

    const reset = await updateSettings(h, {
      accountId,
      userId,
      providers: [{ providerId: 'system.calls', reset: true, switches: [] }],
    });
    expect(providerOf(reset, 'system.calls')).toMatchObject({
      channels: [CHANNEL_INTERFACE, CHANNEL_EMAIL, CHANNEL_MOBILE, CHANNEL_BROWSER],
      customized: false,
    });
  });

  it('refuses to switch the interface off, naming the switch', async () => {
    const { accountId, userId } = await newUser();
    const err = await rejection(
      updateSettings(h, {
        accountId,
        userId,
        providers: [
          {
            providerId: 'system.calls',
            reset: false,
            switches: [
              { channel: CHANNEL_EMAIL, enabled: false },
              { channel: CHANNEL_INTERFACE, enabled: false },
            ],
          },
        ],
      }),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toBe('providers[0].switches[1].enabled: the interface channel cannot be switched off');
    expect(fieldOf(err)).toBe('providers[0].switches[1].enabled');
  });

  it.each([
    [
      'an unknown provider',
      { providers: [{ providerId: 'system.nope', reset: false, switches: [] }] },
      'providers[0].provider_id',
    ],
    [
      'an unknown channel',
      {
        providers: [
          {
            providerId: 'system.calls',
            reset: false,
            switches: [{ channel: Channel.CHANNEL_UNSPECIFIED, enabled: true }],
          },
        ],
      },
      'providers[0].switches[0].channel',
    ],
    ['a digest time past 23:59', { digestTime: '24:00' }, 'digest_time'],
    ['a digest time not HH:MM', { digestTime: '7:30' }, 'digest_time'],
    ['a task lead time not offered', { taskLeadMinutes: 10 }, 'task_lead_minutes'],
    ['an unspecified email mode', { emailMode: EmailMode.EMAIL_MODE_UNSPECIFIED }, 'email_mode'],
    ['an unspecified inbox order', { inboxOrder: InboxOrder.INBOX_ORDER_UNSPECIFIED }, 'inbox_order'],
  ])('refuses %s, naming the field', async (_, fields, field) => {
    const { accountId, userId } = await newUser();
    const err = await rejection(updateSettings(h, { accountId, userId, ...fields }));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldOf(err)).toBe(field);
  });

  it('answers NOT_FOUND for an unknown user', async () => {
    const accountId = await createAccount(h);
    const err = await rejection(updateSettings(h, { accountId, userId: 'nobody', receiveNotifications: false }));
    expect(err.code).toBe(status.NOT_FOUND);
  });

  it('changes nothing when any part of the update is invalid', async () => {
    const { accountId, userId } = await newUser();
    await updateSettings(h, {
      accountId,
      userId,
      providers: [
        { providerId: 'system.billing', reset: false, switches: [{ channel: CHANNEL_MOBILE, enabled: false }] },
      ],
    });
    const before = await getSettings(h, accountId, userId);
    // Every field valid on its own but the last provider, which only the database can tell is unknown.
    const err = await rejection(
      updateSettings(h, {
        accountId,
        userId,
        receiveNotifications: false,
        emailMode: EmailMode.EMAIL_MODE_DAILY,
        digestTime: '09:00',
        taskLeadMinutes: 30,
        providers: [
          { providerId: 'system.calls', reset: false, switches: [{ channel: CHANNEL_EMAIL, enabled: false }] },
          { providerId: 'system.billing', reset: true, switches: [] },
          { providerId: uniqueName('gone'), reset: false, switches: [] },
        ],
      }),
    );
    expect(fieldOf(err)).toBe('providers[2].provider_id');
    expect(await getSettings(h, accountId, userId)).toEqual(before);
  });
});

describe('preferences.changed', () => {
  it('publishes the new settings and the user after each change, each change once', async () => {
    const accountId = await createAccount(h);
    const events: Received<PreferencesChanged>[] = [];
    const consumer = await h.bus.consume(
      topics.preferencesChanged,
      { durable: uniqueName('observer'), filter: [accountId] },
      async (batch) => {
        events.push(...batch);
      },
    );
    try {
      await createUser(h, accountId, 'ann', { displayName: 'Ann' });
      await updateSettings(h, {
        accountId,
        userId: 'ann',
        taskLeadMinutes: 5,
        providers: [
          { providerId: 'system.stripe', reset: false, switches: [{ channel: CHANNEL_EMAIL, enabled: false }] },
        ],
      });
      await createUser(h, accountId, 'ann', { displayName: 'Ann Smith' });

      await eventually(() => expect(events).toHaveLength(3));
      expect(events.map((e) => e.subject)).toEqual(Array(3).fill(`preferences.changed.${accountId}.ann`));
      const [created, changed, renamed] = events.map((e) => e.data);
      expect(created?.user).toMatchObject({ accountId, id: 'ann', displayName: 'Ann' });
      expect(created?.settings?.taskLeadMinutes).toBe(15);
      expect(changed?.settings?.taskLeadMinutes).toBe(5);
      expect(providerOf(changed!.settings!, 'system.stripe')).toMatchObject({
        channels: [CHANNEL_INTERFACE, CHANNEL_MOBILE, CHANNEL_BROWSER],
        customized: true,
      });
      // A profile change carries the settings as they are, and the new profile.
      expect(renamed?.user?.displayName).toBe('Ann Smith');
      expect(renamed?.settings?.taskLeadMinutes).toBe(5);
    } finally {
      await consumer.stop();
    }
  });
});
