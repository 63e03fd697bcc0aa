import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import type { Gateway, GatewayOptions } from '../server.js';

/** The built web app of @herald/web: the pages and embed.js. */
export const webRoot = join(
  dirname(createRequire(import.meta.url).resolve('@herald/web/package.json')),
  'dist',
  'public',
);

/** Paths a CRM page on another origin calls from the embedded center (bearer tokens, never cookies). */
const crossOrigin = (url: string): boolean => url.startsWith('/api/v1/me/') || url === '/dev/sign-in';

const page = (summary: string) => ({ schema: { tags: ['web'], summary, produces: ['text/html'] } });

/**
 * The notification center in the browser: the full page at `/` (center and
 * settings), `/embed.js` for any page (`<herald-notification-center gateway token>`
 * and window.APP.notifications), the demo at `/demo` in dev mode; and CORS for
 * the person routes, so that a CRM on another origin can embed the center.
 */
export function webRoutes(options: GatewayOptions): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = async (fastify) => {
    const app = fastify as Gateway;
    // Built once: the delegator runs on every request.
    const common = {
      methods: ['GET', 'POST', 'PATCH'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key'],
      maxAge: 600,
    };
    const open = { ...common, origin: options.corsOrigins.includes('*') ? '*' : [...options.corsOrigins] };
    const closed = { ...common, origin: false };
    await app.register(cors, {
      delegator: (request, callback) => {
        callback(null, crossOrigin(request.url.split('?')[0] ?? '') ? open : closed);
      },
    });
    await app.register(fastifyStatic, { root: webRoot, serve: false });
    if (!existsSync(join(webRoot, 'embed.js'))) {
      app.log.warn({ webRoot }, 'the web app is not built (pnpm build): / and /embed.js answer 404');
    }

    for (const path of ['/', '/notifications', '/notifications/settings']) {
      app.get(path, page('The notification center and the settings page'), (_request, reply) =>
        reply.header('cache-control', 'no-cache').sendFile('index.html'),
      );
    }
    app.get(
      '/embed.js',
      {
        schema: {
          tags: ['web'],
          summary: 'The embeddable center: <herald-notification-center gateway token> and window.APP.notifications',
          produces: ['text/javascript'],
        },
      },
      (_request, reply) =>
        reply
          .header('cache-control', 'no-cache')
          .header('cross-origin-resource-policy', 'cross-origin')
          .sendFile('embed.js'),
    );
    app.get(
      '/sw.js',
      {
        schema: {
          tags: ['web'],
          summary: 'The service worker of browser push, for the pages of this origin',
          produces: ['text/javascript'],
        },
      },
      (_request, reply) =>
        reply.header('cache-control', 'no-cache').header('service-worker-allowed', '/').sendFile('sw.js'),
    );
    if (options.devMode) {
      app.get(
        '/demo',
        page('Every APP.notifications call with the seeds/003 examples (dev mode only)'),
        (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('demo.html'),
      );
    }
  };
  // Not encapsulated: CORS answers the preflight of routes registered elsewhere.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true });
  return plugin;
}
