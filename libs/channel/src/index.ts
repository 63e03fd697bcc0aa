// What every channel service (email, push, Telegram) shares: the delivery log, the sent ledger, safe links, badges.
export { deliveryRef, reportOutcome } from './outcome.js';
export type { DeliveryRef, OutcomePublisher, OutcomeReport } from './outcome.js';
export { SentLedger, channelMigrations } from './sent-ledger.js';
export type { SentRecord } from './sent-ledger.js';
export { safeLink } from './links.js';
export { InboxUnreadCounts, userKey } from './unread-counts.js';
export type { UnreadCounts, UserRef } from './unread-counts.js';
export { failureReason, latestReads } from './fan-out.js';
export type { SendResult } from './fan-out.js';
