import type { BatchHandler, Received } from '@herald/bus';
import {
  channelToken,
  type Delivery,
  type Recipient,
  type DeliveryChannel,
  type Notification,
  type User,
} from '@herald/contracts';
import { InvalidArgumentError } from '@herald/errors';
import { renderNotification, toRendered } from '@herald/render';
import type { Logger } from '@herald/telemetry';
import { forEachConcurrently } from './bounded.js';
import type { AccountSnapshot } from './directory-cache.js';
import { routedChannels, type ProviderRecord, type UserPreferences } from './model.js';
import { userKey, type UserKey } from './settings-repository.js';

/** A message's trace context, to pass on to what it publishes. */
type TraceContext = Received<Notification>['context'];

/** One delivery to publish, with its channel as a delivery channel. */
export interface PlannedDelivery {
  readonly channel: DeliveryChannel;
  readonly delivery: Delivery;
}

/** The provider of the "before the task" reminders, which go to the users whose lead time they match. */
export const taskReminderProvider = 'system.tasks.before';

/** The recipients of a notification: the users listed (each once), or every user of the account when none are. */
export function recipientsOf(
  notification: Notification,
  snapshot: AccountSnapshot,
): { users: User[]; unknown: string[] } {
  if (notification.recipients.length === 0) return { users: [...snapshot.users.values()], unknown: [] };
  const users: User[] = [];
  const unknown: string[] = [];
  for (const id of new Set(notification.recipients)) {
    const user = snapshot.users.get(id);
    if (user) users.push(user);
    else unknown.push(id);
  }
  return { users, unknown };
}

/** Why a recipient gets nothing at all of a notification, or undefined when they get it. */
export function exclusion(
  notification: Notification,
  userId: string,
  preferences: UserPreferences,
): 'own task' | 'other lead time' | undefined {
  const task = notification.body?.$case === 'event' ? notification.body.value.task : undefined;
  if (!task) return undefined;
  // "A notification will not be sent when you set a new todo task for yourself."
  if (task.createdBy === userId && task.responsible === userId) return 'own task';
  if (
    notification.provider?.id === taskReminderProvider &&
    task.minutesBefore > 0 &&
    task.minutesBefore !== preferences.taskLeadMinutes
  ) {
    return 'other lead time';
  }
  return undefined;
}

export interface PlanInput {
  /** The provider the notification names, as the account knows it; undefined when unknown. */
  readonly provider: ProviderRecord | undefined;
  readonly recipients: readonly User[];
  /** Keyed by userKey(). */
  readonly preferences: ReadonlyMap<string, UserPreferences>;
}

/** One Delivery per (recipient, channel on for them), each with its stable id. */
export function planDeliveries(notification: Notification, input: PlanInput): PlannedDelivery[] {
  const providerName = notification.provider?.name || input.provider?.name || '';
  const carried: Notification = { ...notification, recipients: [] };
  const named: Notification = notification.provider
    ? { ...carried, provider: { ...notification.provider, name: providerName } }
    : carried;
  // Rendered per recipient in their language and zone: a plain-text copy for those who show text as is;
  // each channel renders again at send time from the structured notification.
  const renderings = new Map<string, Delivery['rendered']>();
  const renderedFor = (locale: string, timeZone: string): Delivery['rendered'] => {
    const key = `${locale}\u0000${timeZone}`;
    let rendered = renderings.get(key);
    if (!rendered) {
      rendered = toRendered(renderNotification(named, { locale, timeZone }));
      renderings.set(key, rendered);
    }
    return rendered;
  };
  const deliveries: PlannedDelivery[] = [];
  for (const user of input.recipients) {
    const preferences = input.preferences.get(userKey(user.accountId, user.id));
    if (!preferences || exclusion(notification, user.id, preferences)) continue;
    // Built as they are, not through fromPartial: its deep copy of each would be thrown away once encoded.
    const recipient: Recipient = {
      userId: user.id,
      email: user.email,
      displayName: user.displayName,
      timezone: user.timezone,
      locale: user.locale,
      emailMode: preferences.emailMode,
      digestTime: preferences.digestTime,
      telegramChatId: user.telegramChatId,
    };
    for (const channel of routedChannels(preferences, input.provider)) {
      const delivery: Delivery = {
        id: deliveryId(notification.id, user.id, channel),
        channel,
        notification: carried,
        recipient,
        rendered: renderedFor(user.locale, user.timezone),
      };
      deliveries.push({ channel, delivery });
    }
  }
  return deliveries;
}

/** Unique per (notification, recipient, channel): the msgID that makes a redelivery harmless. */
export function deliveryId(notificationId: string, userId: string, channel: DeliveryChannel): string {
  return `${notificationId}.${userId}.${channelToken(channel)}`;
}

/** What the router needs of the directory. */
export interface RouterDirectory {
  accounts(accountIds: Iterable<string>): Promise<Map<string, AccountSnapshot>>;
  provider(snapshot: AccountSnapshot, providerId: string): Promise<ProviderRecord | undefined>;
}

/** What the router needs of the settings. */
export interface RouterSettings {
  many(users: Iterable<UserKey>): Promise<Map<string, UserPreferences>>;
}

export interface DeliveryPublisher {
  /** Resolves once JetStream stored the delivery (or dropped it as a duplicate of its id). */
  publish(planned: PlannedDelivery, context: TraceContext): Promise<void>;
}

export interface RouterDeps {
  directory: RouterDirectory;
  settings: RouterSettings;
  publisher: DeliveryPublisher;
  logger: Logger;
  /** Most publishes in flight at once. */
  publishConcurrency?: number;
}

/**
 * Routes a batch of ingested notifications: the accounts and the settings of
 * every recipient of the batch are read at once (from memory, or in one query
 * for those not cached), then the deliveries are published concurrently.
 */
export function createRouter(deps: RouterDeps): BatchHandler<Notification> {
  const { directory, settings, publisher, logger } = deps;
  const publishConcurrency = deps.publishConcurrency ?? 256;

  return async (batch) => {
    for (const { data } of batch) {
      // No retry mends these: thrown as INVALID_ARGUMENT, the message goes to the dead-letter subject.
      if (data.id === '') throw new InvalidArgumentError('id', 'a notification needs an id');
      if (data.accountId === '') throw new InvalidArgumentError('account_id', 'a notification needs an account');
    }
    const snapshots = await directory.accounts(batch.map(({ data }) => data.accountId));
    const routed = await Promise.all(
      batch.map(async ({ data, context }) => {
        const snapshot = snapshots.get(data.accountId)!;
        const { users, unknown } = recipientsOf(data, snapshot);
        if (unknown.length > 0) {
          // Ingest reported them to the caller already, through Authorize.
          logger.warn(
            { notificationId: data.id, accountId: data.accountId, recipients: unknown },
            'recipients not in the account skipped',
          );
        }
        const provider = data.provider?.id ? await directory.provider(snapshot, data.provider.id) : undefined;
        return { notification: data, context, users, provider };
      }),
    );
    const preferences = await settings.many(
      routed.flatMap(({ users }) => users.map((u) => ({ accountId: u.accountId, userId: u.id }))),
    );
    const jobs = routed.flatMap(({ notification, context, users, provider }) =>
      planDeliveries(notification, { provider, recipients: users, preferences }).map((planned) => ({
        planned,
        context,
      })),
    );
    await forEachConcurrently(jobs, publishConcurrency, ({ planned, context }) => publisher.publish(planned, context));
    logger.debug({ notifications: batch.length, deliveries: jobs.length }, 'batch routed');
  };
}
