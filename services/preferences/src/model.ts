import {
  Channel,
  EmailMode,
  InboxOrder,
  Provider,
  ProviderKind,
  ProviderSettings,
  Settings,
  channelOfToken,
  channelToken,
  deliveryChannels,
  type DeliveryChannel,
  type ProviderRef,
} from '@herald/contracts';

/** A channel the user may switch: every delivery channel but the interface, which is always on. */
export type OptionalChannel = Exclude<DeliveryChannel, 'CHANNEL_INTERFACE'>;

export const optionalChannels: readonly OptionalChannel[] = [
  Channel.CHANNEL_EMAIL,
  Channel.CHANNEL_MOBILE,
  Channel.CHANNEL_BROWSER,
  Channel.CHANNEL_TELEGRAM,
];

export function isOptionalChannel(channel: Channel): channel is OptionalChannel {
  return (optionalChannels as readonly Channel[]).includes(channel);
}

export type KnownEmailMode = Exclude<EmailMode, 'EMAIL_MODE_UNSPECIFIED' | 'UNRECOGNIZED'>;
export type KnownInboxOrder = Exclude<InboxOrder, 'INBOX_ORDER_UNSPECIFIED' | 'UNRECOGNIZED'>;

/** How long before a task's deadline its reminder goes out, in minutes. */
export const taskLeadMinutes = [5, 15, 30, 60] as const;
export type TaskLeadMinutes = (typeof taskLeadMinutes)[number];

export interface ProviderRecord {
  readonly id: string;
  readonly kind: 'system' | 'integration';
  /** Null for the system categories, which every account has. */
  readonly accountId: string | null;
  readonly name: string;
  readonly iconUrl: string;
  /** Besides the interface, which is always on. */
  readonly defaultChannels: readonly OptionalChannel[];
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly accountId: string;
  readonly providerId: string;
  /** sha256 of the key's secret part. */
  readonly secretHash: Buffer;
  readonly revokedAt: Date | null;
}

/** One user's settings as stored: what the user chose, nothing resolved. */
export interface UserPreferences {
  readonly receiveNotifications: boolean;
  readonly emailMode: KnownEmailMode;
  /** HH:MM in the user's time zone. */
  readonly digestTime: string;
  readonly inboxOrder: KnownInboxOrder;
  readonly taskLeadMinutes: TaskLeadMinutes;
  /** provider id → the channels the user chose besides the interface; absent while the defaults apply. */
  readonly choices: ReadonlyMap<string, readonly OptionalChannel[]>;
}

export const defaultPreferences: UserPreferences = {
  receiveNotifications: true,
  emailMode: EmailMode.EMAIL_MODE_IMMEDIATE,
  digestTime: '18:00',
  inboxOrder: InboxOrder.INBOX_ORDER_UNREAD_FIRST,
  taskLeadMinutes: 15,
  choices: new Map(),
};

/** Channels in their canonical order (interface first), each once. */
export function ordered<C extends DeliveryChannel>(channels: Iterable<C>): C[] {
  const set = new Set<DeliveryChannel>(channels);
  return deliveryChannels.filter((c): c is C => set.has(c));
}

/** The channels on for one provider on the settings page: the interface, then the choice or the defaults. */
export function providerChannels(preferences: UserPreferences, provider: ProviderRecord): DeliveryChannel[] {
  const chosen = preferences.choices.get(provider.id) ?? provider.defaultChannels;
  return ordered<DeliveryChannel>([Channel.CHANNEL_INTERFACE, ...chosen]);
}

/**
 * The channels a notification of `provider` goes to: the interface always, the
 * others only while the user receives notifications. A provider no longer
 * known (e.g. deleted) gets the interface only.
 */
export function routedChannels(preferences: UserPreferences, provider: ProviderRecord | undefined): DeliveryChannel[] {
  if (!provider || !preferences.receiveNotifications) return [Channel.CHANNEL_INTERFACE];
  return providerChannels(preferences, provider);
}

export function toProvider(record: ProviderRecord): Provider {
  return Provider.fromPartial({
    id: record.id,
    kind: record.kind === 'system' ? ProviderKind.PROVIDER_KIND_SYSTEM : ProviderKind.PROVIDER_KIND_INTEGRATION,
    name: record.name,
    iconUrl: record.iconUrl,
    defaultChannels: ordered<DeliveryChannel>([Channel.CHANNEL_INTERFACE, ...record.defaultChannels]),
    accountId: record.accountId ?? '',
  });
}

export function toProviderRef(record: ProviderRecord): ProviderRef {
  const { id, kind, name, iconUrl } = toProvider(record);
  return { id, kind, name, iconUrl };
}

/** The full, effective settings of a user: every available provider with its channels resolved. */
export function toSettings(
  accountId: string,
  userId: string,
  preferences: UserPreferences,
  providers: readonly ProviderRecord[],
): Settings {
  return Settings.fromPartial({
    accountId,
    userId,
    receiveNotifications: preferences.receiveNotifications,
    emailMode: preferences.emailMode,
    digestTime: preferences.digestTime,
    inboxOrder: preferences.inboxOrder,
    taskLeadMinutes: preferences.taskLeadMinutes,
    providers: providers.map((provider) =>
      ProviderSettings.fromPartial({
        provider: toProvider(provider),
        channels: providerChannels(preferences, provider),
        customized: preferences.choices.has(provider.id),
      }),
    ),
  });
}

// The database keeps channels, email modes and inbox orders as short words.

export function channelsToTokens(channels: readonly OptionalChannel[]): string[] {
  return ordered(channels).map(channelToken);
}

export function channelsFromTokens(tokens: readonly string[]): OptionalChannel[] {
  return ordered(
    tokens.map(channelOfToken).filter((c): c is OptionalChannel => c !== undefined && isOptionalChannel(c)),
  );
}

const emailModeWords = {
  EMAIL_MODE_IMMEDIATE: 'immediate',
  EMAIL_MODE_DAILY: 'daily',
} as const satisfies Record<KnownEmailMode, string>;

const inboxOrderWords = {
  INBOX_ORDER_UNREAD_FIRST: 'unread_first',
  INBOX_ORDER_NEWEST: 'newest',
} as const satisfies Record<KnownInboxOrder, string>;

export function emailModeToWord(mode: KnownEmailMode): string {
  return emailModeWords[mode];
}

export function emailModeFromWord(word: string): KnownEmailMode {
  return word === emailModeWords.EMAIL_MODE_DAILY ? EmailMode.EMAIL_MODE_DAILY : EmailMode.EMAIL_MODE_IMMEDIATE;
}

export function inboxOrderToWord(order: KnownInboxOrder): string {
  return inboxOrderWords[order];
}

export function inboxOrderFromWord(word: string): KnownInboxOrder {
  return word === inboxOrderWords.INBOX_ORDER_NEWEST
    ? InboxOrder.INBOX_ORDER_NEWEST
    : InboxOrder.INBOX_ORDER_UNREAD_FIRST;
}

export function toTaskLeadMinutes(value: number): TaskLeadMinutes {
  return taskLeadMinutes.find((m) => m === value) ?? defaultPreferences.taskLeadMinutes;
}
