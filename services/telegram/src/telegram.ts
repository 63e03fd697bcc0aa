import type { Api } from 'grammy';
import { retryDelay, type MessageOutcome, type Received, type RetryPolicy } from '@herald/bus';
import { deliveryRef, reportOutcome, type DeliveryRef, type OutcomePublisher, type SentLedger } from '@herald/channel';
import type { Delivery, InboxRead } from '@herald/contracts';
import type { Logger } from '@herald/telemetry';
import type { ChatLink, LinkRepository } from './link-repository.js';
import type { MessageRepository, SentMessage } from './message-repository.js';
import { deliveryMessage, keyboard, readHtml } from './messages.js';
import { isSettledEdit, refusalOf } from './telegram-errors.js';

/** Why a delivery is skipped while no bot token is configured. */
export const telegramOffReason = 'telegram is off: no bot token is configured';
export const noChat = 'no Telegram chat linked';

export interface TelegramChannelDeps {
  /** Undefined while Telegram is off. */
  api: Api | undefined;
  links: LinkRepository;
  messages: MessageRepository;
  ledger: SentLedger;
  outcomes: OutcomePublisher;
  crmBaseUrl: string;
  /** The consumer's retry policy: on the last delivery a message still refused for now is reported failed. */
  retry: RetryPolicy;
  logger: Logger;
}

function userKey(user: { accountId: string; userId: string }): string {
  return `${user.accountId}/${user.userId}`;
}

const ack: MessageOutcome = { type: 'ack' };

/** Edits a message to show its item read: the read mark, and no "Mark as read" button. */
export async function showRead(api: Api, message: SentMessage): Promise<void> {
  try {
    await api.editMessageText(message.chatId, message.messageId, readHtml(message), {
      parse_mode: 'HTML',
      reply_markup: keyboard(message, true),
      link_preview_options: { is_disabled: true },
    });
  } catch (err) {
    if (!isSettledEdit(err)) throw err;
  }
}

/**
 * The Telegram channel: each delivery becomes one message in the chat its
 * recipient linked, at most once however often it is redelivered, with its
 * outcome in the delivery log; items read anywhere are shown read.
 */
export class TelegramChannel {
  constructor(private readonly deps: TelegramChannelDeps) {}

  async deliver(batch: readonly Received<Delivery>[]): Promise<MessageOutcome[]> {
    const { api, ledger, outcomes } = this.deps;
    const refs: (DeliveryRef | undefined)[] = batch.map(({ data }) => {
      try {
        return deliveryRef(data);
      } catch {
        return undefined;
      }
    });
    const valid = refs.filter((r) => r !== undefined);
    const sent = api ? await ledger.sentOf(valid.map((r) => r.deliveryId)) : new Map();
    const chats = new Map<string, ChatLink>();
    if (api) for (const link of await this.deps.links.ofUsers(valid)) chats.set(userKey(link), link);

    return Promise.all(
      batch.map(async (received, i): Promise<MessageOutcome> => {
        const ref = refs[i];
        if (!ref) return { type: 'deadLetter', reason: 'a delivery without its notification or recipient' };
        if (!api) {
          await reportOutcome(outcomes, ref, { status: 'skipped', reason: telegramOffReason });
          return ack;
        }
        const before = sent.get(ref.deliveryId);
        if (before) {
          // Sent before this redelivery: say so again (a repeated report is dropped by its msgID).
          await reportOutcome(outcomes, ref, {
            status: 'delivered',
            tries: received.deliveryCount,
            providerMessageId: before.providerMessageId,
          });
          return ack;
        }
        const chat = chats.get(userKey(ref));
        if (!chat) {
          await reportOutcome(outcomes, ref, { status: 'skipped', reason: noChat });
          return ack;
        }
        return this.send(api, received, ref, chat);
      }),
    );
  }

  private async send(
    api: Api,
    received: Received<Delivery>,
    ref: DeliveryRef,
    chat: ChatLink,
  ): Promise<MessageOutcome> {
    const { ledger, outcomes, logger } = this.deps;
    const message = deliveryMessage(received.data, this.deps.crmBaseUrl);
    const tries = received.deliveryCount;
    try {
      const result = await api.sendMessage(chat.chatId, message.html, {
        parse_mode: 'HTML',
        reply_markup: keyboard(message, false),
        link_preview_options: { is_disabled: true },
      });
      const at = new Date();
      const providerMessageId = `${chat.chatId}:${result.message_id}`;
      await this.deps.messages.add(
        {
          ...message,
          chatId: chat.chatId,
          messageId: result.message_id,
          accountId: ref.accountId,
          userId: ref.userId,
          notificationId: ref.notificationId,
        },
        at,
      );
      await ledger.record([{ deliveryId: ref.deliveryId, sentAt: at, providerMessageId }]);
      await reportOutcome(outcomes, ref, { status: 'delivered', tries, providerMessageId });
      return ack;
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      logger.warn(
        { deliveryId: ref.deliveryId, chatId: chat.chatId, reason: refusal.reason, tries },
        'Telegram refused a message',
      );
      switch (refusal.kind) {
        case 'gone': {
          await this.deps.links.unlinkChat(chat.chatId);
          await reportOutcome(outcomes, ref, { status: 'failed', reason: `${refusal.reason} (chat unlinked)`, tries });
          return ack;
        }
        case 'fail':
          await reportOutcome(outcomes, ref, { status: 'failed', reason: refusal.reason, tries });
          return ack;
        case 'later': {
          if (tries >= this.deps.retry.maxTries) {
            await reportOutcome(outcomes, ref, { status: 'failed', reason: refusal.reason, tries });
            return ack;
          }
          // Telegram's retry_after is a floor: sooner only earns another refusal.
          const delayMs = Math.max(retryDelay(this.deps.retry, tries), refusal.retryAfterMs);
          return { type: 'retry', delayMs, reason: refusal.reason };
        }
      }
    }
  }

  /** Items read anywhere (the web UI, a push, this chat's button): their messages are edited to show it. */
  async read(batch: readonly Received<InboxRead>[]): Promise<void> {
    const { api } = this.deps;
    if (!api) return;
    const at = new Date();
    for (const { data } of batch) {
      const claimed = await this.deps.messages.claimRead(data, data.notificationIds, data.all, at);
      for (const message of claimed) {
        try {
          await showRead(api, message);
        } catch (err) {
          // Claimed already: a read mark is not worth a redelivery that edits the others again.
          this.deps.logger.warn(
            { err, chatId: message.chatId, messageId: message.messageId },
            'message not shown read',
          );
        }
      }
    }
  }
}
