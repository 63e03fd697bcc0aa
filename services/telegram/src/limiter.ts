import type { Transformer } from 'grammy';
import PQueue from 'p-queue';

export interface RateLimits {
  /** Calls per second to all chats together. */
  readonly perSecond: number;
  /** Least time between two calls to one chat, in milliseconds. */
  readonly chatIntervalMs: number;
}

/**
 * A grammY API transformer that keeps the bot under Telegram's limits: calls
 * that name a chat (sendMessage, editMessageText, …) start at most
 * `perSecond` in any second overall and one per `chatIntervalMs` per chat,
 * each in a sliding window; other calls (getUpdates, answerCallbackQuery)
 * pass straight through. Installed inside auto-retry, so a retried call
 * queues again.
 */
export function rateLimiter(limits: RateLimits): Transformer {
  const overall = new PQueue({ interval: 1_000, intervalCap: limits.perSecond, strict: true });
  const chats = new Map<string, PQueue>();

  const queueOf = (chat: string): PQueue => {
    let queue = chats.get(chat);
    if (!queue) {
      queue = new PQueue({ concurrency: 1, interval: limits.chatIntervalMs, intervalCap: 1, strict: true });
      chats.set(chat, queue);
    }
    return queue;
  };
  // A chat's queue is forgotten once idle for a whole interval: a new one then cannot start too soon.
  const forgetLater = (chat: string, queue: PQueue): void => {
    setTimeout(() => {
      if (queue.size === 0 && queue.pending === 0 && chats.get(chat) === queue) chats.delete(chat);
    }, limits.chatIntervalMs).unref();
  };

  return async (prev, method, payload, signal) => {
    const chat = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (typeof chat !== 'number' && typeof chat !== 'string') return prev(method, payload, signal);
    const key = String(chat);
    const queue = queueOf(key);
    try {
      return await queue.add(() => overall.add(() => prev(method, payload, signal)));
    } finally {
      forgetLater(key, queue);
    }
  };
}
