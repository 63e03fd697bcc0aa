/**
 * WebSocket clients of the gateway's live feed, as browsers hold them: each
 * counts the items it is sent, so a benchmark can tell when every item
 * reached every tab, and whether one came twice.
 */
import { Worker } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { inParallel } from './slice.js';

export interface LiveClients {
  readonly sockets: WebSocket[];
  /** Item frames received, over every connection. */
  received: number;
  /** Item frames received a second time by the same connection. */
  duplicates: number;
  /** Connections the gateway closed. */
  closed: number;
  /** Called with each item's text, the time it arrived, and its date (when ingest took it, unless the call gave one). */
  onItem: ((text: string, at: number, date: string) => void) | undefined;
  close(): void;
}

interface ItemFrame {
  type: string;
  data: { id?: string; text?: string; date?: string };
}

/** `tabs` connections per user; resolves once all are open. */
export async function openLiveClients(
  gatewayUrl: string,
  tokens: ReadonlyMap<string, string>,
  users: readonly string[],
  tabs: number,
): Promise<LiveClients> {
  const base = gatewayUrl.replace(/^http/, 'ws');
  let ending = false;
  const clients: LiveClients = {
    sockets: [],
    received: 0,
    duplicates: 0,
    closed: 0,
    onItem: undefined,
    close() {
      ending = true;
      for (const socket of clients.sockets) socket.terminate();
    },
  };
  const owners = users.flatMap((user) => Array.from({ length: tabs }, () => user));
  await inParallel(owners, 100, async (user) => {
    const socket = new WebSocket(`${base}/api/v1/me/live?access_token=${tokens.get(user) ?? ''}`);
    const seen = new Set<string>();
    socket.on('message', (data) => {
      const at = performance.now();
      const frame = JSON.parse(String(data)) as ItemFrame;
      if (frame.type !== 'item' || !frame.data.id) return;
      if (seen.has(frame.data.id)) {
        clients.duplicates++;
        return;
      }
      seen.add(frame.data.id);
      clients.received++;
      clients.onItem?.(frame.data.text ?? '', at, frame.data.date ?? '');
    });
    socket.once('close', () => {
      if (!ending) clients.closed++;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    clients.sockets.push(socket);
  });
  return clients;
}

/** What the clients of a worker thread have counted so far. */
export interface WorkerCounts {
  received: number;
  duplicates: number;
  closed: number;
  /** Items whose text starts with the prefix watched. */
  watched: number;
}

/** An item whose text starts with the prefix watched: its text, when it arrived (wall clock, ms) and its date. */
export type WatchedItem = [text: string, arrivedAt: number, date: string];

/** Live clients on a worker thread of their own. */
export interface WorkerLiveClients {
  counts(): Promise<WorkerCounts>;
  /** Every watched item received so far. */
  watched(): Promise<WatchedItem[]>;
  close(): Promise<void>;
}

/**
 * `tabs` connections per user, held by a worker thread: the frames are read
 * and timed there, on a thread that sends nothing, so the load generator's
 * own work does not delay them (browsers are not the process that sends).
 * Resolves once all are open.
 */
export async function openLiveClientsInWorker(
  gatewayUrl: string,
  tokens: ReadonlyMap<string, string>,
  users: readonly string[],
  tabs: number,
  watch: string,
): Promise<WorkerLiveClients> {
  const worker = new Worker(new URL('./live-worker.js', import.meta.url), {
    workerData: { gatewayUrl, tokens: [...tokens], users, tabs, watch },
  });
  const pending = new Map<number, (value: unknown) => void>();
  let next = 0;
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the live clients' worker exited with code ${code}`)));
  });
  failed.catch(() => undefined);
  const opened = new Promise<void>((resolve) => {
    worker.on('message', (message: { id?: number; opened?: true; value?: unknown }) => {
      if (message.opened) resolve();
      if (message.id !== undefined) {
        pending.get(message.id)?.(message.value);
        pending.delete(message.id);
      }
    });
  });
  const ask = <T>(question: 'counts' | 'watched'): Promise<T> => {
    const id = next++;
    const answer = new Promise<T>((resolve) => pending.set(id, resolve as (value: unknown) => void));
    worker.postMessage({ id, question });
    return Promise.race([answer, failed]);
  };
  await Promise.race([opened, failed]);
  return {
    counts: () => ask<WorkerCounts>('counts'),
    watched: () => ask<WatchedItem[]>('watched'),
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
