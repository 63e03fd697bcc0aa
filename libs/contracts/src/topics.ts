import {
  Channel,
  Delivery,
  DeliveryOutcome,
  DeadLetter,
  InboxRead,
  LiveEvent,
  Notification,
} from './gen/herald/v1/notification.js';
import { DirectoryChanged } from './gen/herald/v1/directory.js';
import { PreferencesChanged } from './gen/herald/v1/preferences.js';

/** The part of ts-proto's MessageFns a transport needs. */
export interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

export type StreamName =
  'NOTIFICATIONS' | 'DELIVERIES' | 'OUTCOMES' | 'INBOX' | 'PREFERENCES' | 'DIRECTORY' | 'DEADLETTER';

export interface StreamSpec {
  subjects: readonly string[];
  /** How long a message is kept, in milliseconds. */
  maxAgeMs: number;
  /** How long JetStream remembers a Nats-Msg-Id to drop a repeated publish, in milliseconds. */
  duplicateWindowMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The JetStream streams. A stream's name and subjects are part of the
 * contract: renaming one needs a migration of the data it holds.
 */
export const streams: Readonly<Record<StreamName, StreamSpec>> = {
  NOTIFICATIONS: { subjects: ['notifications.>'], maxAgeMs: 3 * DAY, duplicateWindowMs: 1 * HOUR },
  DELIVERIES: { subjects: ['deliveries.>'], maxAgeMs: 3 * DAY, duplicateWindowMs: 1 * HOUR },
  // A family of its own, not deliveries.outcome.*: inside `deliveries.>` it would pose as a channel named
  // "outcome" to every `deliveries.<channel>.>` filter, and the log outlives the deliveries it tells of.
  OUTCOMES: { subjects: ['outcomes.>'], maxAgeMs: 7 * DAY, duplicateWindowMs: 1 * HOUR },
  INBOX: { subjects: ['inbox.>'], maxAgeMs: 2 * DAY, duplicateWindowMs: 10 * 60_000 },
  PREFERENCES: { subjects: ['preferences.>'], maxAgeMs: 7 * DAY, duplicateWindowMs: 10 * 60_000 },
  /** Invalidations, replayed by a replica that was cut off; older ones are covered by the caches' TTL. */
  DIRECTORY: { subjects: ['directory.>'], maxAgeMs: 1 * HOUR, duplicateWindowMs: 2 * 60_000 },
  DEADLETTER: { subjects: ['deadletter.>'], maxAgeMs: 30 * DAY, duplicateWindowMs: 10 * 60_000 },
};

/**
 * A subject family and the payload it carries. `stream` is null for core-NATS
 * subjects, which are fire-and-forget and never stored.
 */
export interface Topic<T, P extends readonly string[]> {
  readonly stream: StreamName | null;
  readonly base: string;
  /** Names of the tokens after `base`, in order. */
  readonly params: P;
  readonly codec: Codec<T>;
  /** The last token may hold dots: it is a whole subject of its own. */
  readonly tailIsSubject: boolean;
}

function topic<T, const P extends readonly string[]>(
  stream: StreamName | null,
  base: string,
  params: P,
  codec: Codec<T>,
  tailIsSubject = false,
): Topic<T, P> {
  return { stream, base, params, codec, tailIsSubject };
}

export const topics = {
  /** A notification accepted by ingest, to be routed. */
  notificationIngested: topic('NOTIFICATIONS', 'notifications.ingested', ['account'], Notification),
  /** One notification for one recipient on one channel. */
  delivery: topic('DELIVERIES', 'deliveries', ['channel', 'account'], Delivery),
  /** What became of one delivery on its channel: the delivery log. */
  deliveryOutcome: topic('OUTCOMES', 'outcomes', ['channel', 'account'], DeliveryOutcome),
  /** Items a user read in the interface. */
  inboxRead: topic('INBOX', 'inbox.read', ['account', 'user'], InboxRead),
  /** A user's settings or profile after a change. */
  preferencesChanged: topic('PREFERENCES', 'preferences.changed', ['account', 'user'], PreferencesChanged),
  /** A message that failed every try; `subject` is the original subject. */
  deadLetter: topic('DEADLETTER', 'deadletter', ['subject'], DeadLetter, true),
  /** The live feed of one user's interface: popups, new items, reads. */
  live: topic(null, 'live', ['account', 'user'], LiveEvent),
  /**
   * An account's directory changed (a key revoked, a user added): every
   * replica drops what it cached of the account, including one that was cut
   * off when it was published (it replays the stream on reconnect).
   */
  directoryChanged: topic('DIRECTORY', 'directory.changed', ['account'], DirectoryChanged),
} as const;

type Values<P extends readonly string[]> = { [K in keyof P]: string };

const forbidden = /[\s.*>]/;

function checkToken(base: string, name: string, value: string): void {
  if (value === '' || forbidden.test(value)) {
    throw new TypeError(`${base}: ${name} ${JSON.stringify(value)} is not a subject token`);
  }
}

/** The concrete subject of a topic, each value checked to be one token. */
export function subjectOf<T, P extends readonly string[]>(t: Topic<T, P>, ...values: Values<P>): string {
  if (values.length !== t.params.length) {
    throw new TypeError(`${t.base}: expected ${t.params.length} tokens, got ${values.length}`);
  }
  values.forEach((value, i) => {
    if (!(t.tailIsSubject && i === values.length - 1)) checkToken(t.base, t.params[i] ?? '?', value);
  });
  return [t.base, ...values].join('.');
}

/** A wildcard over a topic: the leading tokens given, `>` for the rest. */
export function filterOf<T, P extends readonly string[]>(t: Topic<T, P>, ...leading: string[]): string {
  leading.forEach((value, i) => checkToken(t.base, t.params[i] ?? '?', value));
  return [t.base, ...leading, '>'].join('.');
}

export type DeliveryChannel = Exclude<Channel, 'CHANNEL_UNSPECIFIED' | 'UNRECOGNIZED'>;
export type ChannelToken = 'interface' | 'email' | 'mobile' | 'browser' | 'telegram';

/** Every delivery channel, interface first. */
export const deliveryChannels: readonly DeliveryChannel[] = [
  Channel.CHANNEL_INTERFACE,
  Channel.CHANNEL_EMAIL,
  Channel.CHANNEL_MOBILE,
  Channel.CHANNEL_BROWSER,
  Channel.CHANNEL_TELEGRAM,
];

const tokens: Readonly<Record<DeliveryChannel, ChannelToken>> = {
  CHANNEL_INTERFACE: 'interface',
  CHANNEL_EMAIL: 'email',
  CHANNEL_MOBILE: 'mobile',
  CHANNEL_BROWSER: 'browser',
  CHANNEL_TELEGRAM: 'telegram',
};

/** The subject token of a channel: deliveries.<token>.<account>. */
export function channelToken(channel: DeliveryChannel): ChannelToken {
  return tokens[channel];
}

export function channelOfToken(token: string): DeliveryChannel | undefined {
  return deliveryChannels.find((c) => tokens[c] === token);
}

/**
 * Account and user ids: they become subject tokens, so letters, digits, `_`
 * and `-` only, starting with a letter or digit.
 */
export const idPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The user token of live events meant for every user of an account. Ids start
 * with a letter or digit, so it is no user's id.
 */
export const EVERY_USER = '_all';
