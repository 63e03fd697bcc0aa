import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Bus } from '@herald/bus';
import { LiveConnection, type LiveTransport } from './live-connection.js';
import { LiveHub } from './live-hub.js';

/** Enough of a bus for the hub: subscriptions that are never fed, a flush that is at once done. */
const bus = {
  subscribe: () => ({ unsubscribe: () => undefined }),
  nc: { flush: () => Promise.resolve() },
} as unknown as Bus;

function recordingTransport(pings: { count: number; at: number[] }): LiveTransport {
  return {
    open: () => undefined,
    send: () => undefined,
    bufferedBytes: () => 0,
    heartbeat() {
      pings.count++;
      pings.at.push(Date.now());
      return true;
    },
    close: () => undefined,
  };
}

describe('LiveHub heartbeats', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('pings every connection once an interval, a slice of them at a time', async () => {
    const heartbeatMs = 10_000;
    const hub = new LiveHub(bus, 5, heartbeatMs);
    const open = Array.from({ length: 500 }, (_, i) => {
      const pings = { count: 0, at: [] as number[] };
      const connection = new LiveConnection('acme', `u${i % 200}`, recordingTransport(pings), 1 << 20, (c) =>
        hub.detach(c),
      );
      return { connection, pings };
    });
    for (const { connection } of open) {
      await hub.attach(connection);
      connection.resume({ items: [], newestId: '', unreadCount: 0 });
    }

    jest.advanceTimersByTime(heartbeatMs);
    expect(open.map(({ pings }) => pings.count)).toEqual(open.map(() => 1));
    // Never all at once: the pings of one interval spread over it, a fiftieth of them at a time.
    const byMoment = new Map<number, number>();
    for (const { pings } of open) for (const at of pings.at) byMoment.set(at, (byMoment.get(at) ?? 0) + 1);
    expect(byMoment.size).toBe(50);
    expect(Math.max(...byMoment.values())).toBe(10);

    // A connection that went is pinged no more; the others keep their pace.
    open[0]!.connection.end();
    jest.advanceTimersByTime(heartbeatMs);
    expect(open[0]!.pings.count).toBe(1);
    expect(open.slice(1).every(({ pings }) => pings.count === 2)).toBe(true);
    hub.close();
  });
});
