import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@herald/config';
import { loadTelegramConfig } from '@herald/telegram';

function problemsOf(source: Record<string, string>): readonly string[] {
  try {
    loadTelegramConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const token = '123456789:AAHerald-test-token-of-the-local-bot';

describe('telegram configuration', () => {
  it('starts with Telegram off and long polling when nothing is given', () => {
    const config = loadTelegramConfig({});
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(config.TELEGRAM_MODE).toBe('polling');
    expect(config.TELEGRAM_API_URL).toBe('https://api.telegram.org');
    expect(config.GRPC_PORT).toBe(50058);
    expect(config.HTTP_PORT).toBe(8458);
    expect(config.TELEGRAM_LINK_TTL_S).toBe(600);
  });

  it('names every bad variable', () => {
    expect(
      problemsOf({
        TELEGRAM_BOT_TOKEN: 'not a token',
        TELEGRAM_BOT_USERNAME: '@bot',
        TELEGRAM_API_URL: 'ftp://api.example.com',
        TELEGRAM_MODE: 'push',
      }),
    ).toEqual([
      expect.stringMatching(/^TELEGRAM_BOT_TOKEN: /),
      expect.stringMatching(/^TELEGRAM_BOT_USERNAME: /),
      expect.stringMatching(/^TELEGRAM_API_URL: /),
      expect.stringMatching(/^TELEGRAM_MODE: /),
    ]);
  });

  it('requires a webhook secret in webhook mode, and the webhook URL only there', () => {
    expect(problemsOf({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_MODE: 'webhook' })).toEqual([
      'TELEGRAM_WEBHOOK_SECRET: required in webhook mode',
    ]);
    expect(problemsOf({ TELEGRAM_WEBHOOK_URL: 'https://hooks.example.com/telegram' })).toEqual([
      'TELEGRAM_WEBHOOK_URL: only used with TELEGRAM_MODE=webhook',
    ]);
    expect(
      problemsOf({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 'short' }),
    ).toEqual([expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET: /)]);
  });
});
