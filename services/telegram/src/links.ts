import { createHash, randomBytes } from 'node:crypto';
import { idPattern, type TelegramLink, type TelegramLinkOffer } from '@herald/contracts';
import { FailedPreconditionError, InvalidArgumentError } from '@herald/errors';
import type { LinkRepository, Redeemed, UserRef } from './link-repository.js';

/** Why links cannot be made while no bot token is configured. */
export const telegramOff = 'Telegram is off: no bot token is configured';

/** What Telegram passes on from `?start=`: 1–64 of A-Z, a-z, 0-9, _ and -. */
const tokenPattern = /^[A-Za-z0-9_-]{1,64}$/;

function hashOf(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function checkUser(user: UserRef): UserRef {
  if (!idPattern.test(user.accountId)) throw new InvalidArgumentError('account_id', 'must be an account id');
  if (!idPattern.test(user.userId)) throw new InvalidArgumentError('user_id', 'must be a user id');
  return { accountId: user.accountId, userId: user.userId };
}

/** Linking a user's Telegram chat: what the TelegramLinks gRPC service and the bot's /start do. */
export class Links {
  constructor(
    private readonly deps: {
      repository: LinkRepository;
      /** Undefined while Telegram is off. */
      botUsername: string | undefined;
      ttlMs: number;
    },
  ) {}

  /** A random single-use token for the user, kept only as its hash, in a t.me link to the bot. */
  async create(request: UserRef, now = new Date()): Promise<TelegramLinkOffer> {
    const user = checkUser(request);
    const { botUsername, ttlMs, repository } = this.deps;
    if (!botUsername) throw new FailedPreconditionError(telegramOff);
    // 192 bits, base64url: 32 characters, within the 64 that a start parameter takes.
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + ttlMs);
    await repository.addToken(user, hashOf(token), now, expiresAt);
    return { url: `https://t.me/${botUsername}?start=${token}`, expiresAt };
  }

  async get(request: UserRef): Promise<TelegramLink> {
    const link = await this.deps.repository.of(checkUser(request));
    return link
      ? { connected: true, username: link.username, linkedAt: link.linkedAt }
      : { connected: false, username: '', linkedAt: undefined };
  }

  async unlink(request: UserRef): Promise<boolean> {
    return this.deps.repository.unlink(checkUser(request));
  }

  /** A `/start <token>` from a chat. */
  async redeem(token: string, chat: { chatId: number; username: string }, now = new Date()): Promise<Redeemed> {
    if (!tokenPattern.test(token)) return { status: 'unknown' };
    return this.deps.repository.redeem(hashOf(token), chat, now);
  }

  /** A `/stop` from a chat: every user it was linked to. */
  stop(chatId: number): Promise<UserRef[]> {
    return this.deps.repository.unlinkChat(chatId);
  }
}
