import type { InboxItem } from '@herald/contracts';
import { itemJson } from './json.js';
import { unreadCountFrame, type LiveEventType, type LiveFrame } from './frames.js';

/** Why the server ends a live connection. */
export type CloseReason = 'slow' | 'unresponsive' | 'unavailable' | 'shutdown';

/** The wire under one live connection: WebSocket or Server-Sent Events. */
export interface LiveTransport {
  /** Starts the stream (SSE writes its headers); nothing is sent before. */
  open(): void;
  send(type: LiveEventType, id: string, data: string): void;
  /** Bytes written but not yet taken by the peer's socket. */
  bufferedBytes(): number;
  /** Sends a heartbeat; false when the peer did not answer the previous one. */
  heartbeat(): boolean;
  close(reason: CloseReason): void;
}

/** What a connection missed, from the inbox. */
export interface CatchUp {
  /** Items after the client's last one, oldest first. */
  items: InboxItem[];
  /** The newest item of the user's inbox once `items` are sent; '' when the inbox is empty. */
  newestId: string;
  unreadCount: number;
}

/**
 * Where a client resumes from, out of the last event id it saw: an item's id,
 * or `<item id>/<n>` for the other events. Undefined: a new client, which
 * misses nothing. '' : a client that saw no item, the inbox being empty then.
 */
export function resumeFrom(lastEventId: string | undefined): string | undefined {
  if (lastEventId === undefined) return undefined;
  const slash = lastEventId.indexOf('/');
  return slash === -1 ? lastEventId : lastEventId.slice(0, slash);
}

/**
 * One open tab or device of a user. Every event id names the newest item
 * the client has been sent, so any last event id is a place to resume from.
 * Events that arrive while the connection catches up wait in a queue bounded
 * by the same byte limit as the socket's.
 */
export class LiveConnection {
  private position = '';
  private counter = 0;
  private waiting: LiveFrame[] | undefined = [];
  private waitingBytes = 0;
  private ended = false;

  constructor(
    readonly account: string,
    readonly user: string,
    private readonly transport: LiveTransport,
    private readonly maxBufferedBytes: number,
    private readonly onEnd: (connection: LiveConnection) => void,
  ) {}

  get closed(): boolean {
    return this.ended;
  }

  deliver(frame: LiveFrame): void {
    if (this.ended) return;
    if (this.waiting) {
      this.waiting.push(frame);
      this.waitingBytes += frame.data.length;
      if (this.waitingBytes > this.maxBufferedBytes) this.end('slow');
      return;
    }
    this.write(frame);
  }

  /** Sends what the client missed and the count it left, then what arrived meanwhile; from then on events go straight out. */
  resume(catchUp: CatchUp): void {
    if (this.ended || !this.waiting) return;
    this.transport.open();
    const sent = new Set<string>();
    for (const item of catchUp.items) {
      const json = itemJson(item);
      sent.add(json.id);
      this.write({ type: 'item', data: JSON.stringify(json), itemId: json.id });
    }
    this.position = catchUp.newestId;
    this.write(unreadCountFrame(catchUp.unreadCount));
    const waiting = this.waiting;
    this.waiting = undefined;
    for (const frame of waiting) {
      if (frame.itemId === undefined || !sent.has(frame.itemId)) this.write(frame);
    }
  }

  heartbeat(): void {
    if (this.ended || this.waiting) return;
    if (!this.transport.heartbeat()) this.end('unresponsive');
    else if (this.transport.bufferedBytes() > this.maxBufferedBytes) this.end('slow');
  }

  /** Ends the connection from this side, or records that the peer went. */
  end(reason?: CloseReason): void {
    if (this.ended) return;
    this.ended = true;
    this.waiting = undefined;
    if (reason) this.transport.close(reason);
    this.onEnd(this);
  }

  private write(frame: LiveFrame): void {
    if (this.ended) return;
    if (frame.itemId !== undefined) this.position = frame.itemId;
    const id = frame.itemId ?? `${this.position}/${++this.counter}`;
    this.transport.send(frame.type, id, frame.data);
    if (this.transport.bufferedBytes() > this.maxBufferedBytes) this.end('slow');
  }
}
