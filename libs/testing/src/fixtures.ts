import { ProviderKind, channelToken, type Delivery, type DeliveryChannel, type Recipient } from '@herald/contracts';

export interface DeliveryFixture {
  accountId: string;
  userId: string;
  notificationId: string;
  /** The interface unless named. */
  channel?: DeliveryChannel;
  occurredAt?: Date;
  text?: string;
  /** Over the defaults: `<user>@example.com`, UTC, en, immediate mail. */
  recipient?: Partial<Recipient>;
}

/** The one builder of Delivery fixtures: a delivery of an add_error to one user, as the router publishes it. */
export function buildDelivery(fixture: DeliveryFixture): Delivery {
  const { accountId, userId, notificationId } = fixture;
  const channel = fixture.channel ?? 'CHANNEL_INTERFACE';
  const occurredAt = fixture.occurredAt ?? new Date();
  const text = fixture.text ?? `text of ${notificationId}`;
  return {
    id: `${notificationId}.${userId}.${channelToken(channel)}`,
    channel,
    notification: {
      id: notificationId,
      accountId,
      provider: { id: 'p1', kind: ProviderKind.PROVIDER_KIND_INTEGRATION, name: 'Telephony', iconUrl: '' },
      recipients: [],
      occurredAt,
      ingestedAt: occurredAt,
      body: { $case: 'error', value: { header: 'Error', text, link: '/contacts' } },
    },
    recipient: {
      userId,
      email: `${userId}@example.com`,
      displayName: userId,
      timezone: 'UTC',
      locale: 'en',
      emailMode: 'EMAIL_MODE_IMMEDIATE',
      digestTime: '',
      telegramChatId: '',
      ...fixture.recipient,
    },
    rendered: { title: 'Error', body: text, link: '/contacts' },
  };
}
