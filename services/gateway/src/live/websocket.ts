import type { WebSocket } from 'ws';
import type { CloseReason, LiveTransport } from './live-connection.js';
import type { LiveEventType } from './frames.js';

/** WebSocket close codes the feed uses (RFC 6455 §7.4.1). */
export const closeCodes = {
  goingAway: 1001,
  tryAgainLater: 1013,
  /** In the private-use range: the user has as many live connections as allowed. */
  tooManyConnections: 4429,
} as const;

/** A WebSocket carrying `{type, id, data}` text frames; a ping is the heartbeat, its pong the sign of life. */
export class WebSocketTransport implements LiveTransport {
  private answered = true;

  constructor(private readonly socket: WebSocket) {
    socket.on('pong', () => {
      this.answered = true;
    });
  }

  open(): void {}

  send(type: LiveEventType, id: string, data: string): void {
    this.socket.send(`{"type":"${type}","id":${JSON.stringify(id)},"data":${data}}`);
  }

  bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  heartbeat(): boolean {
    if (!this.answered) return false;
    this.answered = false;
    this.socket.ping();
    return true;
  }

  close(reason: CloseReason): void {
    switch (reason) {
      case 'shutdown':
        this.socket.close(closeCodes.goingAway, 'the server is going away');
        return;
      case 'unavailable':
        this.socket.close(closeCodes.tryAgainLater, 'the inbox is unavailable, try again later');
        return;
      case 'slow':
      case 'unresponsive':
        // A close frame would wait behind the bytes the peer is not reading.
        this.socket.terminate();
        return;
    }
  }
}
