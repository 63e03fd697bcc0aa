import { ProviderKind, type Delivery } from '@herald/contracts';

export interface DeliveryFixture {
  accountId: string;
  userId: string;
  notificationId: string;
  occurredAt?: Date;
  text?: string;
}

/** An interface delivery of an add_error, as the router publishes it. */
export function interfaceDelivery(fixture: DeliveryFixture): Delivery {
  const { accountId, userId, notificationId } = fixture;
  const occurredAt = fixture.occurredAt ?? new Date();
  const text = fixture.text ?? `text of ${notificationId}`;
  return {
    id: `${notificationId}.${userId}.interface`,
    channel: 'CHANNEL_INTERFACE',
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
    },
    rendered: { title: 'Error', body: text, link: '/contacts' },
  };
}
