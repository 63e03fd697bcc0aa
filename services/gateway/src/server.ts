import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from '@herald/telemetry';
import { bearerOf } from './auth/bearer.js';
import type { Person, PersonTokens } from '@herald/auth';
import { isHeraldError } from '@herald/errors';
import { HttpError, fromHerald, unauthenticated, validationProblem } from './http-error.js';
import type { GatewayMetrics } from './metrics.js';
import type { Peers } from './peers.js';
import { adminRoutes } from './routes/admin.js';
import { browserCallRoutes } from './routes/browser-calls.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { deviceRoutes } from './routes/devices.js';
import { integrationRoutes } from './routes/integrations.js';
import { opsRoutes } from './routes/ops.js';
import { peopleRoutes } from './routes/people.js';
import { telegramRoutes } from './routes/telegram.js';
import { pushSubscriptionRoutes } from './routes/push-subscriptions.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { profileRoutes } from './routes/profile.js';
import { sharedSerializers } from './serializers.js';
import { webRoutes } from './routes/web.js';

export type Gateway = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What the routes use; main.ts builds them. */
export interface GatewayDeps {
  peers: Peers;
  tokens: PersonTokens;
  metrics: GatewayMetrics;
  /** Whether NATS answers, for /readyz. */
  natsReady(): Promise<boolean>;
  logger: Logger;
}

export interface GatewayOptions {
  adminToken: string | undefined;
  devMode: boolean;
  bodyLimitBytes: number;
  rateLimit: { max: number; windowMs: number };
  devTokenTtlSeconds: number;
  batchDeadlineMs: number;
  /** Verifies the one-click unsubscribe links of mails; none, every link is refused. */
  unsubscribeKey?: string | undefined;
  /** Origins whose pages may call the person routes (the embedded center); `*` for any. */
  corsOrigins: readonly string[];
  /** Registered after the built-in routes, e.g. the live feed; they find `authenticatePerson` on the instance. */
  plugins?: readonly FastifyPluginAsync[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The person a request speaks for: `Authorization: Bearer <JWT>`, or, where
     * a browser cannot set headers (WebSocket, EventSource), `?access_token=`.
     * Rejects with a 401 HttpError.
     */
    authenticatePerson(request: FastifyRequest, options?: { allowQuery?: boolean }): Promise<Person>;
  }
  interface FastifyRequest {
    /** Whose budget of requests this one spends (the key, the person), once known. */
    rateKey?: string;
  }
}

/** Any failure as the API answers it: the one place statuses and error bodies are chosen. */
function toHttpError(err: FastifyError | HttpError | Error): HttpError {
  if (err instanceof HttpError) return err;
  if (isHeraldError(err)) return fromHerald(err);
  const fastifyError = err as FastifyError;
  if (fastifyError.validation && fastifyError.validation.length > 0) {
    const [first] = fastifyError.validation;
    const problem = first ? validationProblem(first) : { field: '', message: 'is invalid' };
    const field = problem.field || (fastifyError.validationContext ?? 'body');
    return new HttpError(400, 'INVALID_ARGUMENT', `${field}: ${problem.message}`, { field, cause: err });
  }
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new HttpError(413, 'PAYLOAD_TOO_LARGE', err.message, { cause: err });
  }
  const status = fastifyError.statusCode;
  if (status === 429) return new HttpError(429, 'RATE_LIMITED', err.message, { cause: err });
  if (status && status >= 400 && status < 500) {
    const field = fastifyError.code?.startsWith('FST_ERR_CTP') ? 'body' : undefined;
    return new HttpError(status, status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_ARGUMENT', err.message, {
      ...(field ? { field } : {}),
      cause: err,
    });
  }
  return new HttpError(500, 'INTERNAL', 'internal error', { cause: err });
}

/** A request URL as logged: an access token in its query is masked. */
export function withoutToken(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}

export async function buildGateway(deps: GatewayDeps, options: GatewayOptions): Promise<Gateway> {
  const app: Gateway = Fastify({
    loggerInstance: deps.logger.child(
      {},
      // The live feed takes `?access_token=` (RFC 6750 §2.3): it never reaches the logs.
      { serializers: { req: (req: FastifyRequest) => ({ method: req.method, url: withoutToken(req.url) }) } },
    ) as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    schemaController: { compilersFactory: { buildSerializer: sharedSerializers() } },
    // Unknown fields are refused with their name, not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // RFC 7396's media type for PATCH /api/v1/me/settings, parsed as the JSON it is.
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    const error = toHttpError(err);
    if (error.status >= 500 && error.code === 'INTERNAL') request.log.error({ err }, 'request failed');
    if (error.retryAfter !== undefined) void reply.header('retry-after', String(error.retryAfter));
    return reply.status(error.status).send(error.toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(new HttpError(404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`).toJSON()),
  );

  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    deps.metrics.requests.inc(labels);
    deps.metrics.latency.observe(labels, reply.elapsedTime / 1000);
  });

  app.decorate('authenticatePerson', async (request: FastifyRequest, opts?: { allowQuery?: boolean }) => {
    const query = opts?.allowQuery ? (request.query as { access_token?: unknown }).access_token : undefined;
    const token = bearerOf(request) ?? (typeof query === 'string' ? query : undefined);
    if (!token) throw unauthenticated('missing "Authorization: Bearer <token>"');
    const person = await deps.tokens.verifyPersonToken(token);
    request.rateKey = `user:${person.account}/${person.user}`;
    return person;
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald HTTP API',
        version: '1',
        description:
          'Notifications in, for integrations (API key); the notification center and settings, for people ' +
          '(a token the CRM signs); accounts, users, integrations and keys, for admins (the admin token). ' +
          'Every error is `{"error": {"code", "message", "field"?}}`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An integration API key (`hk_…`).' },
          personToken: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'HS256 with the account’s signing secret, or RS256/PS256/ES256/EdDSA with the private key of the ' +
              'account’s public JWK; claims `account`, `user`, `exp`.',
          },
          adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the deployment.' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(rateLimit, {
    global: true,
    max: options.rateLimit.max,
    timeWindow: options.rateLimit.windowMs,
    // After authentication, so that the budget is the key's or the person's.
    hook: 'preHandler',
    keyGenerator: (request) => request.rateKey ?? `ip:${request.ip}`,
    allowList: (request) => !request.url.startsWith('/api/') && !request.url.startsWith('/dev/'),
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'RATE_LIMITED', `rate limit exceeded: retry in ${context.after}`, {
        retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
  });

  await app.register(opsRoutes(deps));
  await app.register(integrationRoutes(deps, options));
  await app.register(peopleRoutes(deps, options));
  await app.register(pushSubscriptionRoutes(deps));
  await app.register(adminRoutes(deps, options));
  await app.register(telegramRoutes(deps));
  await app.register(browserCallRoutes(deps));
  await app.register(deliveryRoutes(deps));
  await app.register(deviceRoutes(deps));
  await app.register(unsubscribeRoutes(deps, options.unsubscribeKey));
  await app.register(profileRoutes(deps));
  await app.register(webRoutes(options));
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}
