/**
 * WebSocket clients of the gateway's live feed, as browsers hold them: each
 * counts the items it is sent, so a benchmark can tell when every item
 * reached every tab, and whether one came twice.
 */
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
