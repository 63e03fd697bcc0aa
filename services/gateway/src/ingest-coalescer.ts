import type { BatchItem, BatchReply, BatchResult } from '@herald/contracts';
import { HttpError } from './http-error.js';

/** Sends one Batch call to ingest for an API key; its refusal is already an HttpError. */
export type SendBatch = (bearer: string, items: BatchItem[]) => Promise<BatchReply>;

export interface CoalescerOptions {
  /** A batch is sent once it holds this many calls... */
  maxItems?: number;
  /** ...or this many bytes of the callers' bodies (ingest takes 4 MiB a message)... */
  maxBytes?: number;
  /** ...or once its first call has waited this long. */
  lingerMs?: number;
}

interface Waiting {
  resolve(result: NonNullable<BatchResult['result']>): void;
  reject(err: unknown): void;
}

interface Gathering {
  bearer: string;
  items: BatchItem[];
  waiting: Waiting[];
  bytes: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Single calls of one API key that arrive together go to ingest as one
 * `Batch`: one gRPC call, one authorization and one round of JetStream
 * publishes for them all, where each would have cost its own. Each caller
 * is answered with its own item's result (stored, or refused with the error
 * its single call would have had); a refusal of the whole batch (the key,
 * ingest unavailable) is every caller's, as it would have been alone.
 */
export class IngestCoalescer {
  private readonly gathering = new Map<string, Gathering>();
  private readonly maxItems: number;
  private readonly maxBytes: number;
  private readonly lingerMs: number;

  constructor(
    private readonly sendBatch: SendBatch,
    options: CoalescerOptions = {},
  ) {
    this.maxItems = options.maxItems ?? 100;
    this.maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
    this.lingerMs = options.lingerMs ?? 1;
  }

  /** The result of `call` for the holder of `bearer`; `bytes` bounds its encoded size (its request body's). */
  send(
    bearer: string,
    call: NonNullable<BatchItem['call']>,
    bytes: number,
  ): Promise<NonNullable<BatchResult['result']>> {
    let batch = this.gathering.get(bearer);
    if (batch && batch.bytes + bytes > this.maxBytes) {
      this.flush(batch);
      batch = undefined;
    }
    if (!batch) {
      const fresh: Gathering = { bearer, items: [], waiting: [], bytes: 0, timer: undefined };
      fresh.timer = setTimeout(() => this.flush(fresh), this.lingerMs);
      this.gathering.set(bearer, fresh);
      batch = fresh;
    }
    const gathered = batch;
    return new Promise((resolve, reject) => {
      gathered.items.push({ call });
      gathered.waiting.push({ resolve, reject });
      gathered.bytes += bytes;
      if (gathered.items.length >= this.maxItems) this.flush(gathered);
    });
  }

  private flush(batch: Gathering): void {
    clearTimeout(batch.timer);
    if (this.gathering.get(batch.bearer) === batch) this.gathering.delete(batch.bearer);
    const { items, waiting } = batch;
    this.sendBatch(batch.bearer, items).then(
      (reply) => {
        waiting.forEach((w, i) => {
          const result = reply.results[i]?.result;
          if (result) w.resolve(result);
          else w.reject(new HttpError(500, 'INTERNAL', 'internal error', { cause: new Error('no result for a call') }));
        });
      },
      (err: unknown) => {
        for (const w of waiting) w.reject(err);
      },
    );
  }
}
