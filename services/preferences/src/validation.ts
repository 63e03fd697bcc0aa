import { z } from 'zod';
import { Channel, EmailMode, InboxOrder, idPattern } from '@herald/contracts';
import { boundedString, preview } from '@herald/errors';
import {
  isOptionalChannel,
  taskLeadMinutes,
  type KnownEmailMode,
  type KnownInboxOrder,
  type OptionalChannel,
  type TaskLeadMinutes,
} from './model.js';

// The requests of the Directory and Preferences services as zod schemas: each
// string is bounded before it is looked at, and each problem names its field
// the way the caller spells it on the wire (parseInput from @herald/errors).

const maxNameLength = 200;
const maxUrlLength = 2048;
/** Longer than any IANA zone or BCP 47 tag in use; refused before Intl parses it. */
const maxZoneOrTagLength = 100;

const idMessage = 'must be 1 to 64 letters, digits, _ or -, starting with a letter or a digit';

/** An account or user id: it becomes a NATS subject token. */
const id = boundedString(64, idMessage)
  .refine((value) => value !== '', { message: 'is required', abort: true })
  .refine((value) => idPattern.test(value), idMessage);

/** A reference to a record (a provider or key id), which must be given. */
const reference = boundedString(maxNameLength).refine((value) => value !== '', 'is required');

/** A name of at most 200 characters once trimmed (counted as characters, not UTF-16 units). */
const name = (options: { required: boolean }) =>
  boundedString(maxNameLength * 2, `must be at most ${maxNameLength} characters`)
    .transform((value) => value.trim())
    .refine((value) => !options.required || value !== '', 'is required')
    .refine((value) => [...value].length <= maxNameLength, `must be at most ${maxNameLength} characters`);

const email = boundedString(320)
  .transform((value) => value.trim())
  .refine((value) => value !== '', { message: 'is required', abort: true })
  .refine((value) => z.email().safeParse(value).success, 'is not an email address');

/** An HS256 key: at least 256 bits of it, as RFC 7518 §3.2 asks. */
const signingSecret = boundedString(512).refine((value) => value.length >= 32, 'must be at least 32 characters');

/**
 * An IANA time zone name, kept as the user wrote it (Asia/Kolkata stays
 * Asia/Kolkata, not Intl's older alias Asia/Calcutta); only its letter case
 * is corrected. Empty means UTC.
 */
const timezone = boundedString(maxZoneOrTagLength).transform((value, ctx) => {
  if (value === '') return 'UTC';
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    ctx.addIssue({ code: 'custom', message: `${preview(value)} is not an IANA time zone` });
    return z.NEVER;
  }
  return resolved.toLowerCase() === value.toLowerCase() ? resolved : value;
});

/** A BCP 47 language tag, canonicalized (pt-br → pt-BR); empty means en. */
const locale = boundedString(maxZoneOrTagLength).transform((value, ctx) => {
  if (value === '') return 'en';
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    if (canonical) return canonical;
  } catch {
    // Reported below, as for an empty answer.
  }
  ctx.addIssue({ code: 'custom', message: `${preview(value)} is not a BCP 47 language tag` });
  return z.NEVER;
});

/** A Telegram chat id: a number, negative for groups and channels; empty when not linked. */
const telegramChatId = boundedString(32, 'must be a number')
  .transform((value) => value.trim())
  .refine((value) => value === '' || /^-?[0-9]{1,20}$/.test(value), 'must be a number');

/** An optional http(s) URL. */
const iconUrl = boundedString(maxUrlLength)
  .transform((value) => value.trim())
  .superRefine((value, ctx) => {
    if (value === '') return;
    if (!URL.canParse(value)) ctx.addIssue({ code: 'custom', message: 'is not a URL' });
    else if (!/^https?:$/.test(new URL(value).protocol)) {
      ctx.addIssue({ code: 'custom', message: 'must be an http or https URL' });
    }
  });

/**
 * The default channels of an integration: email, mobile, browser or telegram.
 * The interface is always on, so naming it is allowed and changes nothing.
 */
const defaultChannels = z
  .array(
    z
      .string()
      .refine(
        (channel) => channel === Channel.CHANNEL_INTERFACE || isOptionalChannel(channel as Channel),
        'is not a delivery channel',
      ),
  )
  .transform((channels) => [...new Set(channels.filter((c): c is OptionalChannel => c !== Channel.CHANNEL_INTERFACE))]);

const emailMode = z
  .string()
  .refine(
    (value): value is KnownEmailMode =>
      value === EmailMode.EMAIL_MODE_IMMEDIATE || value === EmailMode.EMAIL_MODE_DAILY,
    'must be EMAIL_MODE_IMMEDIATE or EMAIL_MODE_DAILY',
  )
  .transform((value) => value as KnownEmailMode);

const inboxOrder = z
  .string()
  .refine(
    (value) => value === InboxOrder.INBOX_ORDER_UNREAD_FIRST || value === InboxOrder.INBOX_ORDER_NEWEST,
    'must be INBOX_ORDER_UNREAD_FIRST or INBOX_ORDER_NEWEST',
  )
  .transform((value) => value as KnownInboxOrder);

/** HH:MM, 00:00 to 23:59. */
const digestTime = boundedString(5, 'must be HH:MM, from 00:00 to 23:59').regex(
  /^([01][0-9]|2[0-3]):[0-5][0-9]$/,
  'must be HH:MM, from 00:00 to 23:59',
);

const leadMinutes = z
  .number()
  .refine((value) => taskLeadMinutes.some((m) => m === value), `must be one of ${taskLeadMinutes.join(', ')}`)
  .transform((value) => value as TaskLeadMinutes);

/** One switch of a provider's channel; the interface, always on, may only be switched on. */
const channelSwitch = z
  .object({
    channel: z
      .string()
      .refine(
        (channel) => isOptionalChannel(channel as Channel) || channel === Channel.CHANNEL_INTERFACE,
        'is not a delivery channel',
      ),
    enabled: z.boolean(),
  })
  .superRefine((value, ctx) => {
    if (value.channel === Channel.CHANNEL_INTERFACE && !value.enabled) {
      ctx.addIssue({ code: 'custom', path: ['enabled'], message: 'the interface channel cannot be switched off' });
    }
  });

export const requests = {
  upsertAccount: z.object({
    id,
    name: name({ required: true }),
    signingSecret: signingSecret.optional(),
    // Checked as a key by the service (it takes an import); empty removes it.
    publicJwk: boundedString(8192).optional(),
  }),
  upsertUser: z.object({
    user: z.object(
      {
        accountId: id,
        id,
        email,
        displayName: name({ required: false }),
        timezone,
        locale,
        telegramChatId,
      },
      'is required',
    ),
  }),
  account: z.object({ accountId: id }),
  user: z.object({ accountId: id, userId: id }),
  registerProvider: z.object({
    id: reference.optional(),
    accountId: id,
    name: name({ required: true }),
    iconUrl,
    defaultChannels,
  }),
  issueApiKey: z.object({ accountId: id, providerId: reference, name: name({ required: false }) }),
  revokeApiKey: z.object({ accountId: id, keyId: reference }),
  updateSettings: z.object({
    accountId: id,
    userId: id,
    receiveNotifications: z.boolean().optional(),
    emailMode: emailMode.optional(),
    digestTime: digestTime.optional(),
    inboxOrder: inboxOrder.optional(),
    taskLeadMinutes: leadMinutes.optional(),
    providers: z.array(
      z.object({
        providerId: reference,
        reset: z.boolean(),
        switches: z
          .array(channelSwitch)
          .transform((switches) =>
            switches.flatMap(({ channel, enabled }) =>
              isOptionalChannel(channel as Channel) ? [{ channel: channel as OptionalChannel, enabled }] : [],
            ),
          ),
      }),
    ),
  }),
} as const;
