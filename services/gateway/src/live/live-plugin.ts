import type { ServerResponse } from 'node:http';
import createError from '@fastify/error';
import websocket from '@fastify/websocket';
import type { FastifyBaseLogger as Logger, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Bus } from '@herald/bus';
import type { LiveInbox } from './grpc-live-inbox.js';
import { LiveHub, type OpenGauge } from './live-hub.js';
import { LiveConnection, resumeFrom, type CatchUp, type LiveTransport } from './live-connection.js';
import { SseTransport } from './sse.js';
import { closeCodes, WebSocketTransport } from './websocket.js';

/** The user a token names. */
export interface LiveIdentity {
  account: string;
  user: string;
}

export interface LiveLimits {
  maxConnectionsPerUser: number;
  /** Between two heartbeats; a WebSocket that has not answered the previous ping by then is closed. */
  heartbeatMs: number;
  /** Bytes queued for one client beyond which it is dropped as too slow. */
  maxBufferedBytes: number;
}

export interface LivePluginOptions {
  nats: Bus;
  /**
   * The signed-in user of a request, from `Authorization: Bearer` or, since
   * browsers cannot set headers on a WebSocket or an EventSource,
   * `?access_token=` (RFC 6750 §2.3). Throws an error with statusCode 401.
   */
  authenticate(request: FastifyRequest): Promise<LiveIdentity>;
  inbox: LiveInbox;
  limits: LiveLimits;
  metrics?: { open: OpenGauge };
}

export const livePath = '/api/v1/me/live';

const TooManyConnections = createError<[number]>(
  'TOO_MANY_CONNECTIONS',
  'at most %s live connections per user are open at once',
  429,
);
const NotAcceptable = createError(
  'NOT_ACCEPTABLE',
  'the live feed speaks WebSocket, or Server-Sent Events to `Accept: text/event-stream`',
  406,
);
const Unavailable = createError('UNAVAILABLE', 'the inbox is unavailable, try again later', 503);

/** An item id, or `<item id>/<n>` (see resumeFrom). */
const lastEventIdPattern = '^[A-Za-z0-9_.:-]{0,128}(/[0-9]{1,15})?$';

const schema = {
  summary: 'The live feed of the signed-in user',
  description:
    'A WebSocket of `{type, id, data}` JSON frames, or Server-Sent Events (`Accept: text/event-stream`) where `event:` ' +
    'names the type: `item`, `popup`, `read` and `unread_count`. A client that reconnects with the last id it saw ' +
    '(`Last-Event-ID` or `?last_event_id=`) first gets the items it missed.',
  querystring: {
    type: 'object',
    properties: {
      access_token: { type: 'string', maxLength: 4096 },
      last_event_id: { type: 'string', pattern: lastEventIdPattern },
    },
  },
  headers: {
    type: 'object',
    properties: { 'last-event-id': { type: 'string', pattern: lastEventIdPattern } },
  },
} as const;

interface LiveQuery {
  access_token?: string;
  last_event_id?: string;
}

/**
 * `GET /api/v1/me/live`: every event of the signed-in user, on WebSocket or
 * Server-Sent Events, from whichever replica the client reached. Registers
 * @fastify/websocket unless the server already has it.
 */
export const livePlugin: FastifyPluginAsync<LivePluginOptions> = async (fastify, options) => {
  if (!fastify.hasDecorator('websocketServer')) {
    await fastify.register(websocket, { options: { maxPayload: 4_096 } });
  }
  const { limits, inbox } = options;
  const hub = new LiveHub(options.nats, limits.maxConnectionsPerUser, limits.heartbeatMs, options.metrics?.open);
  /** Each admitted request's user, and the response Fastify made for it (the one an upgrade leaves unused). */
  const admitted = new WeakMap<FastifyRequest, { identity: LiveIdentity; response: ServerResponse }>();
  fastify.addHook('preClose', async () => hub.close());

  const admissionOf = (request: FastifyRequest) => {
    const admission = admitted.get(request);
    if (!admission) throw new Error('the live route ran without its authentication hook');
    return admission;
  };

  /** Joins the user's feed; resolves with what the client missed once live events are flowing to it. */
  const join = async (connection: LiveConnection, lastEventId: string | undefined): Promise<CatchUp | undefined> => {
    const subscribed = hub.attach(connection);
    if (subscribed === false) return undefined;
    await subscribed;
    return inbox.listSince(connection.account, connection.user, resumeFrom(lastEventId));
  };

  const detach = (connection: LiveConnection) => hub.detach(connection);
  const connect = (request: FastifyRequest, transport: LiveTransport): LiveConnection => {
    const { account, user } = admissionOf(request).identity;
    return new LiveConnection(account, user, transport, limits.maxBufferedBytes, detach);
  };

  /** An error on an open socket (a peer gone uncleanly): logged, and the socket dropped. */
  function onSocketError(this: WebSocket, err: Error): void {
    fastify.log.warn({ err }, 'live socket error');
    this.terminate();
  }

  /** Catches a WebSocket up and keeps it live; nothing of its upgrade request outlives the catch-up. */
  const goLive = (socket: WebSocket, connection: LiveConnection, lastEventId: string | undefined, log: Logger) => {
    join(connection, lastEventId).then(
      (catchUp) => {
        if (catchUp) connection.resume(catchUp);
        else socket.close(closeCodes.tooManyConnections, 'too many live connections');
      },
      (err: unknown) => {
        log.warn({ err }, 'live feed catch-up failed');
        connection.end('unavailable');
      },
    );
  };

  const lastEventIdOf = (request: FastifyRequest<{ Querystring: LiveQuery }>): string | undefined => {
    const header = request.headers['last-event-id'];
    return request.query.last_event_id ?? (typeof header === 'string' ? header : undefined);
  };

  fastify.route<{ Querystring: LiveQuery }>({
    method: 'GET',
    url: livePath,
    schema,
    // Runs before the upgrade: a refused WebSocket gets a plain HTTP status.
    preValidation: async (request, reply) => {
      const identity = await options.authenticate(request);
      if (hub.room(identity.account, identity.user) <= 0) throw new TooManyConnections(limits.maxConnectionsPerUser);
      admitted.set(request, { identity, response: reply.raw });
    },
    handler: async (request, reply: FastifyReply) => {
      if (!request.headers.accept?.includes('text/event-stream')) throw new NotAcceptable();
      const connection = connect(request, new SseTransport(reply.raw));
      reply.raw.on('close', () => connection.end());
      let catchUp: CatchUp | undefined;
      try {
        catchUp = await join(connection, lastEventIdOf(request));
      } catch (err) {
        connection.end();
        throw new Unavailable({ cause: err });
      }
      if (!catchUp) throw new TooManyConnections(limits.maxConnectionsPerUser);
      reply.hijack();
      connection.resume(catchUp);
    },
    wsHandler: (socket: WebSocket, request) => {
      const connection = connect(request, new WebSocketTransport(socket));
      // The response @fastify/websocket bound to the upgraded socket is never written once ws has
      // it, yet while bound it holds the request, its reply and their listeners for as long as the
      // socket is open: about 3 KiB a connection.
      admissionOf(request).response.detachSocket(request.socket);
      // @fastify/websocket's own 'error' listener holds the request and its reply likewise.
      // This one, shared by every socket, holds neither.
      socket.removeAllListeners('error');
      socket.on('error', onSocketError);
      socket.on('close', () => connection.end());
      goLive(socket, connection, lastEventIdOf(request), request.log);
    },
  });
};
