import { z } from 'zod';
import { Channel, EmailMode, InboxOrder, idPattern } from '@herald/contracts';
import { InvalidArgumentError } from '@herald/errors';
import {
  isOptionalChannel,
  taskLeadMinutes,
  type KnownEmailMode,
  type KnownInboxOrder,
  type OptionalChannel,
  type TaskLeadMinutes,
} from './model.js';

// Each check returns the value as it is kept, or throws InvalidArgumentError naming the field.

const maxNameLength = 200;
const maxUrlLength = 2048;
const email = z.email();
const digestTimePattern = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
/** A Telegram chat id: a number, negative for groups and channels. */
const telegramChatIdPattern = /^-?[0-9]{1,20}$/;

export function checkId(field: string, value: string): string {
  if (value === '') throw new InvalidArgumentError(field, 'is required');
  if (!idPattern.test(value)) {
    throw new InvalidArgumentError(field, 'must be 1 to 64 letters, digits, _ or -, starting with a letter or a digit');
  }
  return value;
}

/** A reference to a record (a provider or key id), which must be given. */
export function checkReference(field: string, value: string): string {
  if (value === '') throw new InvalidArgumentError(field, 'is required');
  if (value.length > maxNameLength)
    throw new InvalidArgumentError(field, `must be at most ${maxNameLength} characters`);
  return value;
}

/** A name of at most 200 characters, trimmed; `required` refuses an empty one. */
export function checkName(field: string, value: string, options: { required: boolean }): string {
  const name = value.trim();
  if (options.required && name === '') throw new InvalidArgumentError(field, 'is required');
  if ([...name].length > maxNameLength) {
    throw new InvalidArgumentError(field, `must be at most ${maxNameLength} characters`);
  }
  return name;
}

/** An HS256 key: at least 256 bits of it, as RFC 7518 §3.2 asks. */
export function checkSigningSecret(field: string, value: string): string {
  if (value.length < 32) throw new InvalidArgumentError(field, 'must be at least 32 characters');
  if (value.length > 512) throw new InvalidArgumentError(field, 'must be at most 512 characters');
  return value;
}

export function checkEmail(field: string, value: string): string {
  const address = value.trim();
  if (address === '') throw new InvalidArgumentError(field, 'is required');
  if (!email.safeParse(address).success) throw new InvalidArgumentError(field, 'is not an email address');
  return address;
}

/** An IANA time zone name, returned the way Intl spells it; empty means UTC. */
export function checkTimezone(field: string, value: string): string {
  if (value === '') return 'UTC';
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch (cause) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not an IANA time zone`, { cause });
  }
}

/** A BCP 47 language tag, canonicalized (pt-br → pt-BR); empty means en. */
export function checkLocale(field: string, value: string): string {
  if (value === '') return 'en';
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    if (canonical) return canonical;
  } catch (cause) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not a BCP 47 language tag`, { cause });
  }
  throw new InvalidArgumentError(field, `${JSON.stringify(value)} is not a BCP 47 language tag`);
}

export function checkTelegramChatId(field: string, value: string): string {
  const id = value.trim();
  if (id !== '' && !telegramChatIdPattern.test(id)) throw new InvalidArgumentError(field, 'must be a number');
  return id;
}

/** An optional http(s) URL. */
export function checkIconUrl(field: string, value: string): string {
  const raw = value.trim();
  if (raw === '') return '';
  if (raw.length > maxUrlLength) throw new InvalidArgumentError(field, `must be at most ${maxUrlLength} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new InvalidArgumentError(field, 'is not a URL', { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(field, 'must be an http or https URL');
  }
  return raw;
}

/**
 * The default channels of an integration: email, mobile, browser or telegram.
 * The interface is always on, so naming it is allowed and changes nothing.
 */
export function checkDefaultChannels(field: string, channels: readonly Channel[]): OptionalChannel[] {
  const chosen = new Set<OptionalChannel>();
  channels.forEach((channel, i) => {
    if (channel === Channel.CHANNEL_INTERFACE) return;
    if (!isOptionalChannel(channel)) throw new InvalidArgumentError(`${field}[${i}]`, 'is not a delivery channel');
    chosen.add(channel);
  });
  return [...chosen];
}

export function checkEmailMode(field: string, value: EmailMode): KnownEmailMode {
  if (value === EmailMode.EMAIL_MODE_IMMEDIATE || value === EmailMode.EMAIL_MODE_DAILY) return value;
  throw new InvalidArgumentError(field, 'must be EMAIL_MODE_IMMEDIATE or EMAIL_MODE_DAILY');
}

export function checkInboxOrder(field: string, value: InboxOrder): KnownInboxOrder {
  if (value === InboxOrder.INBOX_ORDER_UNREAD_FIRST || value === InboxOrder.INBOX_ORDER_NEWEST) return value;
  throw new InvalidArgumentError(field, 'must be INBOX_ORDER_UNREAD_FIRST or INBOX_ORDER_NEWEST');
}

/** HH:MM, 00:00 to 23:59. */
export function checkDigestTime(field: string, value: string): string {
  if (!digestTimePattern.test(value)) throw new InvalidArgumentError(field, 'must be HH:MM, from 00:00 to 23:59');
  return value;
}

export function checkTaskLeadMinutes(field: string, value: number): TaskLeadMinutes {
  const minutes = taskLeadMinutes.find((m) => m === value);
  if (minutes === undefined) throw new InvalidArgumentError(field, `must be one of ${taskLeadMinutes.join(', ')}`);
  return minutes;
}
