import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { Person } from '@herald/auth';
import { HttpError } from '../http-error.js';
import { errors } from '../schemas.js';
import type { Gateway, GatewayDeps } from '../server.js';

const TelegramLinkOffer = Type.Object({
  url: Type.String({ format: 'uri', description: 'https://t.me/<bot>?start=<token>: open it in Telegram' }),
  expires_at: Type.String({ format: 'date-time', description: 'The link works once, until then' }),
});

const TelegramStatus = Type.Object({
  connected: Type.Boolean(),
  username: Type.Optional(Type.String({ description: 'The Telegram @username of the chat, without "@"' })),
  linked_at: Type.Optional(Type.String({ format: 'date-time' })),
});

/**
 * /api/v1/me/telegram: the signed-in person's Telegram chat. The settings
 * page's "+" asks for a one-time link, polls for "connected" while the person
 * opens it in Telegram, and disconnects.
 */
export function telegramRoutes(deps: GatewayDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    const { peers } = deps;
    const { telegram } = peers;
    const me = (request: { person?: Person }): { accountId: string; userId: string } => {
      if (!request.person) throw new HttpError(500, 'INTERNAL', 'route without a person');
      return { accountId: request.person.account, userId: request.person.user };
    };
    app.addHook('onRequest', async (request) => {
      request.person = await app.authenticatePerson(request);
    });
    const security = [{ personToken: [] }];

    app.post(
      '/api/v1/me/telegram/link',
      {
        schema: {
          tags: ['people'],
          summary: 'A one-time link that connects my Telegram account',
          description:
            'Open the URL in Telegram and press Start: the bot links that chat to me (replacing any chat linked ' +
            'before). The link works once and for 10 minutes. 409 while Telegram is off.',
          security,
          response: { 201: TelegramLinkOffer, ...errors(401, 409, 429, 503) },
        },
      },
      async (request, reply) => {
        const offer = await peers.call(telegram.createLink.bind(telegram), me(request));
        return reply.status(201).send({ url: offer.url, expires_at: (offer.expiresAt ?? new Date()).toISOString() });
      },
    );

    app.get(
      '/api/v1/me/telegram',
      {
        schema: {
          tags: ['people'],
          summary: 'Whether my Telegram account is connected, and as whom',
          security,
          response: { 200: TelegramStatus, ...errors(401, 429, 503) },
        },
      },
      async (request) => {
        const link = await peers.call(telegram.getLink.bind(telegram), me(request));
        if (!link.connected) return { connected: false };
        return {
          connected: true,
          ...(link.username ? { username: link.username } : {}),
          ...(link.linkedAt ? { linked_at: link.linkedAt.toISOString() } : {}),
        };
      },
    );

    app.delete(
      '/api/v1/me/telegram',
      {
        schema: {
          tags: ['people'],
          summary: 'Disconnect my Telegram account',
          description: 'Notifications stop going to the chat. Disconnecting with none connected is no error.',
          security,
          response: { 204: Type.Null({ description: 'Disconnected' }), ...errors(401, 429, 503) },
        },
      },
      async (request, reply) => {
        await peers.call(telegram.unlink.bind(telegram), me(request));
        return reply.status(204).send(null);
      },
    );
  };
}
