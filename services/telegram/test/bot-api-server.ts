import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A call the bot made, as the server received it. */
export interface BotCall {
  readonly method: string;
  readonly payload: Record<string, unknown>;
  /** The answer's error_code, or 200. */
  readonly status: number;
  /** When it came, in epoch milliseconds. */
  readonly at: number;
}

/** A scripted refusal of one call of a method (to one chat, when given). */
export interface Refusal {
  readonly method: string;
  readonly chatId?: number;
  readonly errorCode: number;
  readonly description: string;
  readonly retryAfter?: number;
}

export interface TelegramUser {
  readonly id: number;
  readonly username?: string;
  readonly languageCode?: string;
}

/** A message in a chat, as the bot sent and maybe edited it. */
export interface ChatMessage {
  readonly chatId: number;
  readonly messageId: number;
  text: string;
  parseMode: string | undefined;
  replyMarkup: { inline_keyboard: { text: string; url?: string; callback_data?: string }[][] } | undefined;
  edits: number;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A local Telegram Bot API server: what the bot calls (getMe, getUpdates
 * with long polling, deleteWebhook, setWebhook, sendMessage,
 * editMessageText, answerCallbackQuery), answered as Telegram does, with
 * updates the test makes as a user would (a text, a button press) and
 * refusals it scripts (429 with retry_after, 403 blocked).
 */
export class FakeBotApi {
  readonly token = '123456789:AAHerald-test-token-of-the-local-bot';
  readonly username = 'herald_test_bot';
  readonly calls: BotCall[] = [];
  readonly messages: ChatMessage[] = [];
  readonly callbackAnswers: { callback_query_id: string; text?: string }[] = [];
  webhook: { url: string; secret_token?: string } | undefined;
  private readonly refusals: Refusal[] = [];
  private readonly updates: Record<string, unknown>[] = [];
  private readonly waiting = new Set<() => void>();
  private nextUpdateId = 1;
  private nextMessageId = 100;
  private nextCallbackId = 1;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeBotApi> {
    const server = createServer();
    const api = new FakeBotApi(server);
    server.on('request', (req, res) => void api.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  /** TELEGRAM_API_URL */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Refuses the next call of a method (to a chat), once per entry. */
  refuse(refusal: Refusal): void {
    this.refusals.push(refusal);
  }

  callsOf(method: string, chatId?: number): BotCall[] {
    return this.calls.filter(
      (c) => c.method === method && (chatId === undefined || Number(c.payload['chat_id']) === chatId),
    );
  }

  /** The messages the bot sent to a chat, oldest first. */
  inChat(chatId: number): ChatMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }

  /** A user writes to the bot in their private chat (the chat id is the user id). */
  say(user: TelegramUser, text: string): void {
    const command = /^\/[a-z]+/.exec(text);
    this.push({
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user.id, type: 'private', ...(user.username ? { username: user.username } : {}) },
        from: this.from(user),
        text,
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
      },
    });
  }

  /** A user presses an inline button under a message. */
  press(user: TelegramUser, message: ChatMessage, data: string): string {
    const id = String(this.nextCallbackId++);
    this.push({
      callback_query: {
        id,
        from: this.from(user),
        chat_instance: `ci-${message.chatId}`,
        data,
        message: {
          message_id: message.messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: message.chatId, type: 'private' },
          from: { id: 123456789, is_bot: true, first_name: 'Herald', username: this.username },
          text: message.text,
        },
      },
    });
    return id;
  }

  /** An update as Telegram would hand it over: queued for getUpdates. */
  push(update: Record<string, unknown>): Record<string, unknown> {
    const full = { update_id: this.nextUpdateId++, ...update };
    this.updates.push(full);
    for (const wake of this.waiting) wake();
    return full;
  }

  /** A message update, not queued: for posting to a webhook. */
  messageUpdate(user: TelegramUser, text: string): Record<string, unknown> {
    const command = /^\/[a-z]+/.exec(text);
    return {
      update_id: this.nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user.id, type: 'private' },
        from: this.from(user),
        text,
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
      },
    };
  }

  async close(): Promise<void> {
    for (const wake of this.waiting) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private from(user: TelegramUser) {
    return {
      id: user.id,
      is_bot: false,
      first_name: 'Test',
      ...(user.username ? { username: user.username } : {}),
      ...(user.languageCode ? { language_code: user.languageCode } : {}),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    const text = await body(req);
    const payload = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    const answer = (status: number, value: Record<string, unknown>) => {
      if (match) this.calls.push({ method: match[2]!, payload, status, at: Date.now() });
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (!match) return answer(404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== this.token) return answer(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = match[2]!;
    const chatId = payload['chat_id'] === undefined ? undefined : Number(payload['chat_id']);
    const refused = this.refusals.findIndex(
      (r) => r.method === method && (r.chatId === undefined || r.chatId === chatId),
    );
    if (refused >= 0) {
      const [r] = this.refusals.splice(refused, 1);
      return answer(r!.errorCode, {
        ok: false,
        error_code: r!.errorCode,
        description: r!.description,
        ...(r!.retryAfter === undefined ? {} : { parameters: { retry_after: r!.retryAfter } }),
      });
    }
    const ok = (result: unknown) => answer(200, { ok: true, result });
    switch (method) {
      case 'getMe':
        return ok({ id: 123456789, is_bot: true, first_name: 'Herald', username: this.username });
      case 'deleteWebhook':
        this.webhook = undefined;
        return ok(true);
      case 'setWebhook':
        this.webhook = {
          url: String(payload['url']),
          ...(payload['secret_token'] ? { secret_token: String(payload['secret_token']) } : {}),
        };
        return ok(true);
      case 'getUpdates':
        return ok(await this.nextUpdates(payload, res));
      case 'sendMessage': {
        const message: ChatMessage = {
          chatId: chatId!,
          messageId: this.nextMessageId++,
          text: String(payload['text']),
          parseMode: payload['parse_mode'] as string | undefined,
          replyMarkup: payload['reply_markup'] as ChatMessage['replyMarkup'],
          edits: 0,
        };
        this.messages.push(message);
        return ok({
          message_id: message.messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: message.chatId, type: 'private' },
          text: message.text,
        });
      }
      case 'editMessageText': {
        const message = this.messages.find((m) => m.chatId === chatId && m.messageId === Number(payload['message_id']));
        if (!message) {
          return answer(400, { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
        }
        message.text = String(payload['text']);
        message.parseMode = payload['parse_mode'] as string | undefined;
        message.replyMarkup = payload['reply_markup'] as ChatMessage['replyMarkup'];
        message.edits++;
        return ok({ message_id: message.messageId, chat: { id: message.chatId, type: 'private' }, text: message.text });
      }
      case 'answerCallbackQuery':
        this.callbackAnswers.push(payload as { callback_query_id: string; text?: string });
        return ok(true);
      default:
        return answer(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }

  /** getUpdates: what is queued from `offset` on, or, when nothing is, a long poll of up to `timeout` seconds. */
  private async nextUpdates(payload: Record<string, unknown>, res: ServerResponse): Promise<unknown[]> {
    const offset = Number(payload['offset'] ?? 0);
    // A given offset confirms every update before it.
    while (this.updates.length > 0 && Number(this.updates[0]!['update_id']) < offset) this.updates.shift();
    if (this.updates.length === 0) {
      const timeoutMs = Number(payload['timeout'] ?? 0) * 1000;
      if (timeoutMs > 0) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.waiting.delete(wake);
            res.off('close', wake);
            resolve();
          };
          const timer = setTimeout(wake, timeoutMs);
          this.waiting.add(wake);
          res.on('close', wake);
        });
      }
    }
    return this.updates.slice(0, Number(payload['limit'] ?? 100));
  }
}
