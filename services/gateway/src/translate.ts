import type { ElementType } from '@herald/contracts';
import {
  Channel,
  EmailMode,
  InboxOrder,
  ProviderKind,
  channelOfToken,
  channelToken,
  deliveryChannels,
  type ApiKey,
  type BatchItem,
  type InboxItem,
  type Provider,
  type ProviderUpdate,
  type Settings,
  type UpdateSettingsRequest,
  type User,
} from '@herald/contracts';
import type { Static } from 'typebox';
import { invalid } from './http-error.js';
import type {
  ApiKeyInfo,
  Item,
  Method,
  Params,
  ProviderReply,
  SettingsDocument,
  SettingsPatch,
  UserReply,
} from './schemas.js';

/** Between the HTTP documents (snake_case, as seeds/003 names them) and the gRPC messages. */

export type IngestCall = NonNullable<BatchItem['call']>;

/** ingest names the recipients `recipients`; this API calls them `users`. */
export const ingestField = (field: string): string => field.replace(/^recipients/, 'users');

/** A call of `method` with its parameters, as ingest takes it. */
export function toIngestCall(
  method: Method,
  params: Params<Method>,
  users: string[] = [],
  idempotencyKey?: string,
): IngestCall {
  switch (method) {
    case 'show_message': {
      const p = params as Params<'show_message'>;
      return {
        $case: 'showMessage',
        value: { header: p.header, text: p.text, date: p.date, icon: p.icon, recipients: users },
      };
    }
    case 'show_message_error': {
      const p = params as Params<'show_message_error'>;
      return {
        $case: 'showMessageError',
        value: { header: p.header, text: p.text, date: p.date, link: p.link, recipients: users },
      };
    }
    case 'show_notification': {
      const p = params as Params<'show_notification'>;
      return { $case: 'showNotification', value: { text: p.text, date: p.date, type: p.type, recipients: users } };
    }
    case 'add_error': {
      const p = params as Params<'add_error'>;
      return {
        $case: 'addError',
        value: { header: p.header, text: p.text, date: p.date, link: p.link, recipients: users, idempotencyKey },
      };
    }
    case 'add_call': {
      const p = params as Params<'add_call'>;
      return {
        $case: 'addCall',
        value: {
          text: p.text,
          date: p.date,
          from: p.from,
          to: p.to,
          element: p.element,
          duration: p.duration,
          link: p.link,
          recipients: users,
          idempotencyKey,
        },
      };
    }
    case 'add_event': {
      const p = params as Params<'add_event'>;
      const task = p.task && {
        id: p.task.id,
        createdBy: p.task.created_by,
        responsible: p.task.responsible,
        minutesBefore: p.task.minutes_before,
      };
      return {
        $case: 'addEvent',
        value: { header: p.header, text: p.text, date: p.date, link: p.link, task, recipients: users, idempotencyKey },
      };
    }
  }
}

const kindName = (kind: ProviderKind): 'system' | 'integration' =>
  kind === ProviderKind.PROVIDER_KIND_SYSTEM ? 'system' : 'integration';

const elementName: Readonly<Record<ElementType, 'contact' | 'lead' | 'company' | undefined>> = {
  ELEMENT_TYPE_UNSPECIFIED: undefined,
  ELEMENT_TYPE_CONTACT: 'contact',
  ELEMENT_TYPE_LEAD: 'lead',
  ELEMENT_TYPE_COMPANY: 'company',
  UNRECOGNIZED: undefined,
};

/**
 * Only what was given: empty strings and zeros of proto3 are left out, and
 * the field `nested` (translated by the caller). One object a call: a page
 * translates hundreds of these.
 */
function present(fields: object, nested?: string): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  for (const key in fields) {
    const value = (fields as Record<string, unknown>)[key];
    if (key !== nested && value !== '' && value !== 0 && value !== undefined) given[key] = value;
  }
  return given;
}

export function toItem(item: InboxItem): Static<typeof Item> {
  const n = item.notification;
  const body = n?.body;
  let kind: 'error' | 'call' | 'event' = 'error';
  let content: Record<string, unknown> = {};
  if (body?.$case === 'error') content = present(body.value);
  if (body?.$case === 'call') {
    kind = 'call';
    const { element } = body.value;
    const type = element && elementName[element.type];
    content = present(body.value, 'element');
    if (element && type) content['element'] = { id: element.id, type };
  }
  if (body?.$case === 'event') {
    kind = 'event';
    const { task } = body.value;
    content = present(body.value, 'task');
    if (task) {
      content['task'] = {
        id: task.id,
        created_by: task.createdBy,
        responsible: task.responsible,
        ...(task.minutesBefore ? { minutes_before: task.minutesBefore } : {}),
      };
    }
  }
  const provider = n?.provider;
  return {
    id: n?.id ?? '',
    kind,
    provider: {
      id: provider?.id ?? '',
      kind: kindName(provider?.kind ?? ProviderKind.PROVIDER_KIND_INTEGRATION),
      name: provider?.name ?? '',
      icon_url: provider?.iconUrl ?? '',
    },
    occurred_at: (n?.occurredAt ?? new Date(0)).toISOString(),
    read: item.readAt !== undefined,
    ...(item.readAt ? { read_at: item.readAt.toISOString() } : {}),
    content,
  };
}

export const inboxOrderOf = {
  unread_first: InboxOrder.INBOX_ORDER_UNREAD_FIRST,
  newest: InboxOrder.INBOX_ORDER_NEWEST,
};

export function toSettingsDocument(settings: Settings): Static<typeof SettingsDocument> {
  const providers: Static<typeof SettingsDocument>['providers'] = {};
  for (const p of settings.providers) {
    if (!p.provider) continue;
    const on = new Set(p.channels);
    providers[p.provider.id] = {
      name: p.provider.name,
      kind: kindName(p.provider.kind),
      customized: p.customized,
      channels: Object.fromEntries(deliveryChannels.map((c) => [channelToken(c), on.has(c)])),
    };
  }
  return {
    receive_notifications: settings.receiveNotifications,
    email_mode: settings.emailMode === EmailMode.EMAIL_MODE_DAILY ? 'daily' : 'immediate',
    digest_time: settings.digestTime,
    inbox_order: settings.inboxOrder === InboxOrder.INBOX_ORDER_NEWEST ? 'newest' : 'unread_first',
    task_lead_minutes: settings.taskLeadMinutes,
    providers,
  };
}

/**
 * A merge patch (RFC 7396) of the settings document as the one update
 * Preferences applies whole or not at all. Returns how to name Preferences'
 * `providers[i]` fields as this document does.
 */
export function toSettingsUpdate(
  person: { account: string; user: string },
  patch: SettingsPatch,
): { request: UpdateSettingsRequest; rename: (field: string) => string } {
  const updates: ProviderUpdate[] = [];
  for (const [providerId, change] of Object.entries(patch.providers ?? {})) {
    if (change === null) {
      updates.push({ providerId, switches: [], reset: true });
      continue;
    }
    const switches = Object.entries(change.channels ?? {}).map(([token, enabled]) => {
      const channel = channelOfToken(token);
      if (channel === undefined) throw invalid(`providers.${providerId}.channels.${token}`, 'is not a channel');
      if (channel === Channel.CHANNEL_INTERFACE && enabled === false) {
        throw invalid(`providers.${providerId}.channels.interface`, 'the interface channel cannot be switched off');
      }
      return { channel, enabled: enabled === true };
    });
    updates.push({ providerId, switches, reset: false });
  }
  const request: UpdateSettingsRequest = {
    accountId: person.account,
    userId: person.user,
    receiveNotifications: patch.receive_notifications,
    emailMode:
      patch.email_mode === undefined
        ? undefined
        : patch.email_mode === 'daily'
          ? EmailMode.EMAIL_MODE_DAILY
          : EmailMode.EMAIL_MODE_IMMEDIATE,
    digestTime: patch.digest_time,
    inboxOrder: patch.inbox_order === undefined ? undefined : inboxOrderOf[patch.inbox_order],
    taskLeadMinutes: patch.task_lead_minutes,
    providers: updates,
  };
  const rename = (field: string) =>
    field.replace(/^providers\[(\d+)\](?:\.provider_id)?/, (whole, i: string) => {
      const id = updates[Number(i)]?.providerId;
      return id === undefined ? whole : `providers.${id}`;
    });
  return { request, rename };
}

export function toProvider(provider: Provider): Static<typeof ProviderReply> & { kind: 'system' | 'integration' } {
  return {
    id: provider.id,
    kind: kindName(provider.kind),
    name: provider.name,
    icon_url: provider.iconUrl,
    default_channels: provider.defaultChannels.flatMap((c) =>
      c === Channel.CHANNEL_UNSPECIFIED || c === Channel.UNRECOGNIZED ? [] : [channelToken(c)],
    ),
  };
}

export function toUserReply(user: User): Static<typeof UserReply> {
  return {
    account: user.accountId,
    id: user.id,
    email: user.email,
    display_name: user.displayName,
    timezone: user.timezone,
    locale: user.locale,
    telegram_chat_id: user.telegramChatId,
  };
}

export function toApiKeyInfo(key: ApiKey): Static<typeof ApiKeyInfo> {
  return {
    key_id: key.keyId,
    provider_id: key.providerId,
    name: key.name,
    created_at: (key.createdAt ?? new Date(0)).toISOString(),
    ...(key.revokedAt ? { revoked_at: key.revokedAt.toISOString() } : {}),
  };
}
