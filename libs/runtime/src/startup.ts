import { isTransient } from '@herald/errors';
import type { Logger } from '@herald/telemetry';

/** A start-up interrupted by a stop signal: not a failure, the service simply never came up. */
export class StartAbortedError extends Error {
  constructor(step: string) {
    super(`stopped while waiting for ${step}`);
    this.name = 'StartAbortedError';
  }
}

/** What a service's start-up does, step by step; each step's cleanup is registered as it succeeds. */
export interface Steps {
  /**
   * Opens a resource (a pool, a connection, a server). While it fails for an
   * outage of a dependency (PostgreSQL or NATS down), it is tried again with
   * backoff, logged, until the stop signal. `close` runs when the service
   * stops, or at once when a later step fails.
   */
  open<T>(name: string, open: () => Promise<T>, close: (value: T) => Promise<void> | void): Promise<T>;
  /** A step with nothing to close (e.g. migrations), tried again the same way. */
  run<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Registers a cleanup of something already done. */
  defer(name: string, close: () => Promise<void> | void): void;
}

export interface StartOptions {
  /** Aborted by the stop signal: a step still waiting for a dependency gives up. */
  signal?: AbortSignal | undefined;
  /** Longest one cleanup may take before stopping goes on without it. */
  closeTimeoutMs?: number;
}

/** Backoff between tries of a step whose dependency is down; ms. */
const retryDelays = { firstMs: 250, maxMs: 5_000 } as const;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The one way a service starts: `build` opens what the service needs through
 * `steps`; if any step fails, what the earlier steps opened is closed, in
 * reverse order, before the error goes on. The result gains `stop()`, which
 * closes everything in reverse order (the gRPC server first, the pool last),
 * each cleanup bounded in time; calling it again returns the same promise.
 */
export async function startService<T extends object>(
  name: string,
  logger: Logger,
  build: (steps: Steps) => Promise<T>,
  options: StartOptions = {},
): Promise<T & { stop(): Promise<void> }> {
  const closeTimeoutMs = options.closeTimeoutMs ?? 15_000;
  const cleanups: { name: string; close: () => Promise<void> | void }[] = [];
  const log = logger.child({ startup: name });

  const retrying = async <R>(step: string, fn: () => Promise<R>): Promise<R> => {
    for (let attempt = 0; ; attempt++) {
      if (options.signal?.aborted) throw new StartAbortedError(step);
      try {
        return await fn();
      } catch (err) {
        if (!isTransient(err)) throw err;
        const delay = Math.min(retryDelays.maxMs, retryDelays.firstMs * 2 ** attempt);
        log.warn({ err, step, attempt: attempt + 1, retryInMs: delay }, 'dependency unavailable; waiting');
        await sleep(delay, options.signal);
      }
    }
  };

  const closeOne = async (cleanup: (typeof cleanups)[number]): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), closeTimeoutMs);
    });
    try {
      const result = await Promise.race([Promise.resolve().then(cleanup.close), timeout]);
      if (result === 'timeout') log.error({ step: cleanup.name, closeTimeoutMs }, 'cleanup timed out; going on');
    } catch (err) {
      log.error({ err, step: cleanup.name }, 'cleanup failed; going on');
    } finally {
      clearTimeout(timer);
    }
  };

  const closeAll = async (): Promise<void> => {
    while (cleanups.length > 0) await closeOne(cleanups.pop()!);
  };

  const steps: Steps = {
    async open(step, open, close) {
      const value = await retrying(step, open);
      cleanups.push({ name: step, close: () => close(value) });
      return value;
    },
    run: retrying,
    defer(step, close) {
      cleanups.push({ name: step, close });
    },
  };

  let built: T;
  try {
    built = await build(steps);
  } catch (err) {
    await closeAll();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    ...built,
    stop() {
      stopping ??= closeAll().then(() => log.info(`${name} stopped`));
      return stopping;
    },
  };
}
