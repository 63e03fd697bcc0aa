import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { Gateway, GatewayDeps } from '../server.js';

const Health = Type.Object({ status: Type.String() });
const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]),
  checks: Type.Record(Type.String(), Type.Boolean()),
});

/** Liveness, readiness and metrics: for the orchestrator and Prometheus, not rate-limited. */
export function opsRoutes(deps: GatewayDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    app.get(
      '/healthz',
      { schema: { tags: ['operations'], summary: 'The process answers', response: { 200: Health } } },
      async () => ({ status: 'ok' }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          tags: ['operations'],
          summary: 'Ingest, preferences, interface and NATS answer',
          response: { 200: Ready, 503: Ready },
        },
      },
      async (_request, reply) => {
        const [peers, nats] = await Promise.all([deps.peers.serving(1_000), deps.natsReady()]);
        const checks = { ...peers, nats };
        const ready = Object.values(checks).every(Boolean);
        return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
      },
    );

    app.get(
      '/metrics',
      {
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics',
          produces: ['text/plain'],
          response: { 200: Type.String() },
        },
      },
      async (_request, reply) => {
        const body = await deps.metrics.registry.metrics();
        return reply.type(deps.metrics.registry.contentType).send(body);
      },
    );
  };
}
