import type { ServerResponse } from 'node:http';
import type { CloseReason, LiveTransport } from './live-connection.js';
import type { LiveEventType } from './frames.js';

/** How long a browser's EventSource waits before it reconnects, in milliseconds. */
const retryMs = 2_000;

/** Server-Sent Events on a hijacked response: `id:` and `event:` name each event, a comment is the heartbeat. */
export class SseTransport implements LiveTransport {
  constructor(private readonly response: ServerResponse) {}

  open(): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold events back in their buffers.
      'x-accel-buffering': 'no',
    });
    this.response.write(`retry: ${retryMs}\n\n`);
  }

  // JSON.stringify never yields a raw line break, so the data is one `data:` line.
  send(type: LiveEventType, id: string, data: string): void {
    this.response.write(`id: ${id}\nevent: ${type}\ndata: ${data}\n\n`);
  }

  bufferedBytes(): number {
    return this.response.writableLength;
  }

  // A dead peer shows as bytes that never leave: the byte limit ends it.
  heartbeat(): boolean {
    this.response.write(':\n\n');
    return !this.response.destroyed;
  }

  close(reason: CloseReason): void {
    if (reason === 'shutdown') this.response.end();
    else this.response.destroy();
  }
}
