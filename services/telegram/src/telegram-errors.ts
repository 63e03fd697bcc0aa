import { GrammyError, HttpError } from 'grammy';

/**
 * What to do with a call Telegram refused (after auto-retry's own tries):
 * unlink the chat for good, send again later, or report the failure.
 */
export type Refusal =
  | { readonly kind: 'gone'; readonly reason: string }
  | { readonly kind: 'later'; readonly reason: string; readonly retryAfterMs: number }
  | { readonly kind: 'fail'; readonly reason: string };

/** 400 descriptions that mean the chat itself is gone. */
const chatGone = /chat not found|user is deactivated|bot was blocked|bot was kicked|group chat was deleted/i;

export function refusalOf(err: unknown): Refusal | undefined {
  if (err instanceof GrammyError) {
    const reason = `telegram ${err.error_code}: ${err.description}`;
    if (err.error_code === 403 || (err.error_code === 400 && chatGone.test(err.description))) {
      return { kind: 'gone', reason };
    }
    if (err.error_code === 429) {
      return { kind: 'later', reason, retryAfterMs: (err.parameters.retry_after ?? 0) * 1_000 };
    }
    if (err.error_code >= 500) return { kind: 'later', reason, retryAfterMs: 0 };
    return { kind: 'fail', reason };
  }
  // No answer at all: a network fault on the way to Telegram.
  if (err instanceof HttpError)
    return { kind: 'later', reason: `telegram unreachable: ${err.message}`, retryAfterMs: 0 };
  return undefined;
}

/** An edit that changed nothing, or of a message gone: nothing left to do. */
export function isSettledEdit(err: unknown): boolean {
  return (
    err instanceof GrammyError &&
    err.error_code === 400 &&
    /message is not modified|message to edit not found|message can't be edited/i.test(err.description)
  );
}
