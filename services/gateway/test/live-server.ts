import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import { Bus } from '@herald/bus';
import { testEnv, testLogger, uniqueName, within } from '@herald/testing';
import { livePath, livePlugin, type LiveIdentity, type LiveInbox, type LiveLimits } from '../src/index.js';

export interface Frame {
  type: string;
  id: string;
  data: Record<string, unknown>;
}

/** Signed-in users of the specs: token → user; anything else is a 401. */
export class Tokens {
  private readonly users = new Map<string, LiveIdentity>();

  issue(account: string, user: string): string {
    const token = uniqueName('tok');
    this.users.set(token, { account, user });
    return token;
  }

  authenticate = async (request: FastifyRequest): Promise<LiveIdentity> => {
    const header = request.headers.authorization;
    const query = request.query as { access_token?: string };
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : query.access_token;
    const identity = token === undefined ? undefined : this.users.get(token);
    if (!identity) throw Object.assign(new Error('a valid token is needed'), { statusCode: 401 });
    return identity;
  };
}

/** The open-connections gauge, read back. */
export class Gauge {
  value = 0;
  inc(): void {
    this.value++;
  }
  dec(): void {
    this.value--;
  }
}

export interface Gateway {
  app: FastifyInstance;
  bus: Bus;
  url: string;
  open: Gauge;
  close(): Promise<void>;
}

export const defaultLimits: LiveLimits = { maxConnectionsPerUser: 5, heartbeatMs: 10_000, maxBufferedBytes: 1 << 20 };

/** One gateway replica: a Fastify server with the live plugin and a NATS connection of its own. */
export async function startGateway(
  namespace: string,
  tokens: Tokens,
  inbox: LiveInbox,
  limits: Partial<LiveLimits> = {},
): Promise<Gateway> {
  const bus = await Bus.connect({ url: testEnv.natsUrl, namespace, name: 'gateway-test', logger: testLogger() });
  const app = Fastify();
  const open = new Gauge();
  await app.register(livePlugin, {
    nats: bus,
    authenticate: tokens.authenticate,
    inbox,
    limits: { ...defaultLimits, ...limits },
    metrics: { open },
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    bus,
    url: `${address}${livePath}`,
    open,
    async close() {
      await app.close();
      await bus.close();
    },
  };
}

/** Frames as a client sees them, awaited in order of arrival. */
export class FrameQueue {
  private readonly frames: Frame[] = [];
  private readonly waiters: Array<(frame: Frame) => void> = [];

  push(frame: Frame): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(frame);
    else this.frames.push(frame);
  }

  next(what = 'the next live event'): Promise<Frame> {
    const frame = this.frames.shift();
    if (frame) return Promise.resolve(frame);
    return within(new Promise<Frame>((resolve) => this.waiters.push(resolve)), 10_000, what);
  }

  /** The next frame of that type, skipping others. */
  async nextOf(type: string): Promise<Frame> {
    for (;;) {
      const frame = await this.next(`a ${type} event`);
      if (frame.type === type) return frame;
    }
  }
}

export interface LiveClient {
  frames: FrameQueue;
  /** The close code the server sent (WebSocket only). */
  closed?: Promise<number>;
  close(): void;
}

function withQuery(url: string, query: Record<string, string>): string {
  const u = new URL(url);
  for (const [name, value] of Object.entries(query)) u.searchParams.set(name, value);
  return u.toString();
}

/** A WebSocket client of the feed; resolves once open, rejects with the HTTP status of a refused upgrade. */
export function webSocketClient(url: string, token: string, query: Record<string, string> = {}): Promise<LiveClient> {
  const socket = new WebSocket(withQuery(url, query), { headers: { authorization: `Bearer ${token}` } });
  const frames = new FrameQueue();
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  const opened = new Promise<LiveClient>((resolve, reject) => {
    socket.once('open', () => resolve({ frames, closed, close: () => socket.close() }));
    socket.once('unexpected-response', (request, response) => {
      // With this listener the request is ours to end.
      request.destroy();
      reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode }));
    });
    socket.once('error', reject);
  });
  return within(opened, 10_000, 'the WebSocket to open');
}

/** An EventSource client of the feed, with the token in the query as browsers send it. */
export function sseClient(url: string, token: string, query: Record<string, string> = {}): Promise<LiveClient> {
  const source = new EventSource(withQuery(url, { ...query, access_token: token }));
  const frames = new FrameQueue();
  for (const type of ['item', 'popup', 'read', 'unread_count']) {
    source.addEventListener(type, (event) => {
      frames.push({ type, id: event.lastEventId, data: JSON.parse(event.data) as Record<string, unknown> });
    });
  }
  const opened = new Promise<LiveClient>((resolve, reject) => {
    source.onopen = () => resolve({ frames, close: () => source.close() });
    source.onerror = (event) => {
      source.close();
      reject(Object.assign(new Error(`event stream refused: ${event.code ?? '?'}`), { status: event.code }));
    };
  });
  return within(opened, 10_000, 'the event stream to open');
}
