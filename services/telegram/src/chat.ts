import type { Bot, Context } from 'grammy';
import { translator } from '@herald/render';
import type { Logger } from '@herald/telemetry';
import type { LinkRepository } from './link-repository.js';
import type { Links } from './links.js';
import type { MessageRepository } from './message-repository.js';
import { readCallback } from './messages.js';
import type { ReadMarker } from './inbox.js';
import { showRead } from './telegram.js';

export interface ChatDeps {
  links: Links;
  linkRepository: LinkRepository;
  messages: MessageRepository;
  inbox: ReadMarker;
  logger: Logger;
}

/** The language of whoever wrote to the bot, as their Telegram app says it. */
function languageOf(ctx: Context): string {
  return ctx.from?.language_code ?? 'en';
}

/**
 * What the bot answers in a chat: `/start <token>` links the chat to the
 * user who asked for the token, `/stop` unlinks it, and the "Mark as read"
 * button marks its item read through the Inbox and shows it read.
 */
export function handleChats(bot: Bot, deps: ChatDeps): void {
  const { links, logger } = deps;

  bot.command('start', async (ctx) => {
    const { t } = translator(languageOf(ctx), 'UTC');
    const token = ctx.match.trim();
    if (token === '') {
      await ctx.reply(t('telegram.welcome'));
      return;
    }
    const redeemed = await links.redeem(token, { chatId: ctx.chat.id, username: ctx.from?.username ?? '' });
    switch (redeemed.status) {
      case 'linked':
        logger.info(
          { accountId: redeemed.link.accountId, userId: redeemed.link.userId, chatId: ctx.chat.id },
          'Telegram chat linked',
        );
        await ctx.reply(t('telegram.linked'));
        return;
      case 'unknown':
        await ctx.reply(t('telegram.linkUnknown'));
        return;
      case 'used':
        await ctx.reply(t('telegram.linkUsed'));
        return;
      case 'expired':
        await ctx.reply(t('telegram.linkExpired'));
        return;
    }
  });

  bot.command('stop', async (ctx) => {
    const { t } = translator(languageOf(ctx), 'UTC');
    const users = await links.stop(ctx.chat.id);
    if (users.length > 0) logger.info({ chatId: ctx.chat.id, users: users.length }, 'Telegram chat unlinked by /stop');
    await ctx.reply(t(users.length > 0 ? 'telegram.stopped' : 'telegram.notLinked'));
  });

  bot.callbackQuery(readCallback, async (ctx) => {
    const message = ctx.callbackQuery.message;
    const sent = message && (await deps.messages.find(message.chat.id, message.message_id));
    const { t } = translator(sent ? sent.locale : languageOf(ctx), 'UTC');
    if (!message || !sent) {
      await ctx.answerCallbackQuery({ text: t('telegram.alreadyGone') });
      return;
    }
    // The button acts for the user the chat is linked to now, never for one it was unlinked from.
    const link = await deps.linkRepository.of(sent);
    if (!link || link.chatId !== sent.chatId) {
      await ctx.answerCallbackQuery({ text: t('telegram.notLinked') });
      return;
    }
    const found = await deps.inbox.markRead(sent, [sent.notificationId]);
    if (!found.includes(sent.notificationId)) {
      await ctx.answerCallbackQuery({ text: t('telegram.alreadyGone') });
      return;
    }
    await ctx.answerCallbackQuery({ text: t('telegram.markedRead') });
    // The read reaches this service's follower too: whichever claims the message first edits it.
    if (await deps.messages.claimOne(sent.chatId, sent.messageId, new Date())) await showRead(ctx.api, sent);
  });

  bot.on('message:text', async (ctx) => {
    await ctx.reply(translator(languageOf(ctx), 'UTC').t('telegram.welcome'));
  });

  bot.catch((err) => {
    logger.error({ err: err.error, updateId: err.ctx.update.update_id }, 'Telegram update failed');
  });
}
