import type { Popup } from '@herald/sdk';
import type { GatewayClient } from './gateway.js';
import { fromLive, type LiveItem } from './items.js';
import type { LiveEvent } from './types.js';

/** WebSocket close codes after which trying again cannot help. */
const final = new Set([1008, 4401, 4403]);

/**
 * The live feed of one person: reconnects with a growing delay (1 s … 30 s),
 * resuming from the last event id so that no item is missed in between.
 */
export class LiveFeed {
  private socket: WebSocket | undefined;
  private lastEventId: string | undefined;
  private retryMs = 1_000;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly gateway: GatewayClient,
    private readonly onEvent: (event: LiveEvent) => void,
    private readonly onState: (connected: boolean) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000);
    this.socket = undefined;
  }

  private connect(): void {
    const socket = new WebSocket(this.gateway.liveUrl(this.lastEventId));
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.retryMs = 1_000;
      this.onState(true);
    });
    socket.addEventListener('message', (message: MessageEvent<string>) => {
      const frame = JSON.parse(message.data) as { type: string; id: string; data: Record<string, unknown> };
      if (frame.id) this.lastEventId = frame.id;
      const event = eventOf(frame);
      if (event) this.onEvent(event);
    });
    socket.addEventListener('close', (close) => {
      if (this.socket !== socket) return;
      this.onState(false);
      if (this.stopped || final.has(close.code)) return;
      this.timer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    });
  }
}

function eventOf(frame: { type: string; id: string; data: Record<string, unknown> }): LiveEvent | undefined {
  switch (frame.type) {
    case 'item':
      return { type: 'item', id: frame.id, item: fromLive(frame.data as unknown as LiveItem) };
    case 'popup':
      return { type: 'popup', id: frame.id, popup: frame.data as unknown as Popup };
    case 'read':
      return {
        type: 'read',
        id: frame.id,
        ids: (frame.data['ids'] as string[] | undefined) ?? [],
        all: frame.data['all'] === true,
      };
    case 'unread_count':
      return { type: 'unread_count', id: frame.id, unreadCount: Number(frame.data['unread_count'] ?? 0) };
    default:
      return undefined;
  }
}
