import { unsubscribeKeyOf } from '@herald/auth';
import { Bus } from '@herald/bus';
import { topics } from '@herald/contracts';
import type { Logger } from '@herald/telemetry';
import type { FastifyPluginAsync } from 'fastify';
import { PersonTokens } from '@herald/auth';
import type { GatewayConfig } from './config.js';
import { isServiceError } from './http-error.js';
import { GatewayMetrics } from './metrics.js';
import { Peers } from './peers.js';
import { buildGateway, type Gateway, type GatewayDeps } from './server.js';
import { GrpcLiveInbox } from './live/grpc-live-inbox.js';
import { livePlugin } from './live/live-plugin.js';
import { status } from '@grpc/grpc-js';
import { callUnary } from '@herald/rpc';

export interface RunningGateway {
  /** The HTTP port bound (useful when HTTP_PORT is 0). */
  readonly port: number;
  readonly app: Gateway;
  readonly deps: GatewayDeps;
  readonly bus: Bus;
  stop(): Promise<void>;
}

/**
 * The HTTP face: connects NATS and the gRPC peers, then serves. `plugins`
 * (the live feed) are registered beside the built-in routes and share their
 * deps: `app.authenticatePerson`, `deps.metrics.liveConnections`, `bus`.
 */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  plugins: readonly ((running: { deps: GatewayDeps; bus: Bus }) => FastifyPluginAsync)[] = [],
): Promise<RunningGateway> {
  if (config.HERALD_DEV_MODE) {
    logger.warn('HERALD_DEV_MODE=true: admin routes open without a token, POST /dev/sign-in signs tokens for anyone');
  }
  const bus = await Bus.connect({
    url: config.NATS_URL,
    credentials: { user: config.NATS_USER, password: config.NATS_PASSWORD, credsFile: config.NATS_CREDS },
    namespace: config.HERALD_NAMESPACE,
    name: 'gateway',
    logger,
  });
  const peers = new Peers(
    { ingest: config.INGEST_ADDR, preferences: config.PREFERENCES_ADDR, interface: config.INTERFACE_ADDR },
    { mobilePush: config.MOBILE_PUSH_ADDR, telegram: config.TELEGRAM_ADDR, browserPush: config.BROWSER_PUSH_ADDR },
    config.RPC_DEADLINE_MS,
  );
  const directory = peers.directory;
  const tokens = new PersonTokens(
    async (account) => {
      try {
        const reply = await callUnary(
          directory.getSigningSecret.bind(directory),
          { accountId: account },
          config.ADMIN_TOKEN
            ? { deadlineMs: config.RPC_DEADLINE_MS, bearer: config.ADMIN_TOKEN }
            : { deadlineMs: config.RPC_DEADLINE_MS },
        );
        return { secret: reply.secret || undefined, publicJwk: reply.publicJwk || undefined };
      } catch (err) {
        // An unknown account, or one without keys, signs no valid token.
        if (isServiceError(err) && (err.code === status.NOT_FOUND || err.code === status.FAILED_PRECONDITION)) {
          return undefined;
        }
        throw err;
      }
    },
    { ttlMs: config.SIGNING_KEY_CACHE_TTL_MS, maxEntries: config.SIGNING_KEY_CACHE_MAX },
  );
  const changes = bus.subscribe(topics.directoryChanged, [], (change) => tokens.forgetAccount(change.accountId));
  const deps: GatewayDeps = {
    peers,
    tokens,
    metrics: new GatewayMetrics(),
    logger,
    async natsReady() {
      try {
        await bus.nc.flush();
        return !bus.nc.isClosed();
      } catch {
        return false;
      }
    },
  };
  let app: Gateway | undefined;
  try {
    app = await buildGateway(deps, {
      adminToken: config.ADMIN_TOKEN,
      devMode: config.HERALD_DEV_MODE,
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      rateLimit: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_WINDOW_MS },
      devTokenTtlSeconds: config.DEV_TOKEN_TTL_S,
      batchDeadlineMs: config.BATCH_DEADLINE_MS,
      unsubscribeKey: unsubscribeKeyOf(config),
      corsOrigins: config.CORS_ORIGINS,
      plugins: [liveFeed(config, deps, bus), ...plugins.map((plugin) => plugin({ deps, bus }))],
    });
    await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  } catch (err) {
    await app?.close();
    changes.unsubscribe();
    peers.close();
    await bus.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  logger.info({ port }, 'http serving');
  const server = app;
  return {
    port,
    app: server,
    deps,
    bus,
    async stop() {
      // Stops taking requests and lets those in flight finish.
      await server.close();
      changes.unsubscribe();
      peers.close();
      await bus.close();
      logger.info('gateway stopped');
    },
  };
}

/** GET /api/v1/me/live: the signed-in user's events over WebSocket or SSE, caught up from the inbox. */
function liveFeed(config: GatewayConfig, deps: GatewayDeps, bus: Bus): FastifyPluginAsync {
  return async (app) => {
    await app.register(livePlugin, {
      nats: bus,
      authenticate: (request) => (app as unknown as Gateway).authenticatePerson(request, { allowQuery: true }),
      inbox: new GrpcLiveInbox(deps.peers.inbox, {
        deadlineMs: config.RPC_DEADLINE_MS,
        maxItems: config.LIVE_CATCH_UP_MAX_ITEMS,
      }),
      limits: {
        maxConnectionsPerUser: config.LIVE_MAX_CONNECTIONS_PER_USER,
        heartbeatMs: config.LIVE_HEARTBEAT_MS,
        maxBufferedBytes: config.LIVE_MAX_BUFFERED_BYTES,
      },
      metrics: { open: deps.metrics.liveConnections },
    });
  };
}
