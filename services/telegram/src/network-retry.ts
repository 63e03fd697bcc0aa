import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError, type Transformer } from 'grammy';

/**
 * Retries a call that got no answer at all (a reset connection, a timeout):
 * `tries` in all, the wait doubling from `baseDelayMs`. auto-retry would
 * retry these forever; a delivery still failing after the last try goes back
 * to the consumer, whose redelivery backs off further.
 */
export function networkRetry(options: { tries: number; baseDelayMs: number }): Transformer {
  return async (prev, method, payload, signal) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (err) {
        if (!(err instanceof HttpError) || attempt >= options.tries || signal?.aborted) throw err;
        await sleep(options.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  };
}
