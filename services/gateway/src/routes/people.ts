import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { InboxOrder, ListProvidersRequest } from '@herald/contracts';
import type { Person } from '@herald/auth';
import { HttpError, notFound } from '../http-error.js';
import {
  ItemPage,
  ListQuery,
  ProviderList,
  ReadReply,
  SettingsDocument,
  SettingsPatch,
  SignIn,
  Token,
  UnreadCount,
  errors,
} from '../schemas.js';
import type { Gateway, GatewayDeps, GatewayOptions } from '../server.js';
import { inboxOrderOf, toItem, toProvider, toSettingsDocument, toSettingsUpdate } from '../translate.js';

declare module 'fastify' {
  interface FastifyRequest {
    person?: Person;
  }
}

const NotificationPath = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** The signed-in person of a route below (set by the onRequest hook). */
export function personOf(request: { person?: Person }): Person {
  if (!request.person) throw new HttpError(500, 'INTERNAL', 'route without a person');
  return request.person;
}

/** /api/v1/me/…: a person's own notification center and settings, and the dev sign-in. */
export function peopleRoutes(deps: GatewayDeps, options: GatewayOptions): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    const { peers } = deps;
    const listInbox = peers.inbox.list.bind(peers.inbox);

    if (options.devMode) {
      app.post(
        '/dev/sign-in',
        {
          schema: {
            tags: ['people'],
            summary: 'A token for any user (dev mode only)',
            description: 'Only while the gateway runs with HERALD_DEV_MODE=true; the account needs a signing secret.',
            body: SignIn,
            response: { 200: Token, ...errors(400, 409, 429) },
          },
        },
        async (request) => {
          request.rateKey = `user:${request.body.account}/${request.body.user}`;
          const { token, expiresAt } = await deps.tokens.sign(request.body, options.devTokenTtlSeconds);
          return { token, expires_at: expiresAt.toISOString() };
        },
      );
    }

    await app.register(async (me) => {
      const routes = me as Gateway;
      routes.addHook('onRequest', async (request) => {
        request.person = await app.authenticatePerson(request);
      });
      const security = [{ personToken: [] }];

      routes.get(
        '/api/v1/me/notifications',
        {
          schema: {
            tags: ['people'],
            summary: 'My notification center, a page at a time',
            description:
              'Unread first by default (or as the user chose in their settings); `newest` is plain newest first.',
            security,
            querystring: ListQuery,
            response: { 200: ItemPage, ...errors(400, 401, 429, 503) },
          },
        },
        async (request) => {
          const { account, user } = personOf(request);
          const { order, cursor, limit } = request.query;
          const page = await peers.call(listInbox, {
            accountId: account,
            userId: user,
            order: order ? inboxOrderOf[order] : InboxOrder.INBOX_ORDER_UNSPECIFIED,
            pageSize: limit ?? 50,
            cursor: cursor ?? '',
          });
          return {
            items: page.items.map(toItem),
            ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
            unread_count: page.unreadCount,
          };
        },
      );

      routes.post(
        '/api/v1/me/notifications/:id/read',
        {
          schema: {
            tags: ['people'],
            summary: 'Mark one of my notifications read, everywhere',
            security,
            params: NotificationPath,
            response: { 200: ReadReply, ...errors(400, 401, 404, 429, 503) },
          },
        },
        async (request) => {
          const { account, user } = personOf(request);
          const reply = await peers.call(peers.inbox.markRead.bind(peers.inbox), {
            accountId: account,
            userId: user,
            notificationIds: [request.params.id],
          });
          // Another user's item is as unknown as one that does not exist.
          if (!reply.foundIds.includes(request.params.id)) throw notFound(`no notification ${request.params.id}`);
          return { updated: reply.updated, unread_count: reply.unreadCount };
        },
      );

      routes.post(
        '/api/v1/me/notifications/read_all',
        {
          schema: {
            tags: ['people'],
            summary: 'Mark all my notifications read',
            security,
            response: { 200: ReadReply, ...errors(401, 429, 503) },
          },
        },
        async (request) => {
          const { account, user } = personOf(request);
          const reply = await peers.call(peers.inbox.markAllRead.bind(peers.inbox), {
            accountId: account,
            userId: user,
          });
          return { updated: reply.updated, unread_count: reply.unreadCount };
        },
      );

      routes.get(
        '/api/v1/me/notifications/unread_count',
        {
          schema: {
            tags: ['people'],
            summary: 'The badge: how many of my notifications are unread',
            security,
            response: { 200: UnreadCount, ...errors(401, 429, 503) },
          },
        },
        async (request) => {
          const { account, user } = personOf(request);
          const reply = await peers.call(peers.inbox.unreadCount.bind(peers.inbox), {
            accountId: account,
            userId: user,
          });
          return { unread_count: reply.unreadCount };
        },
      );

      routes.get(
        '/api/v1/me/settings',
        {
          schema: {
            tags: ['people'],
            summary: 'My notification settings',
            security,
            response: { 200: SettingsDocument, ...errors(401, 404, 429, 503) },
          },
        },
        async (request) => {
          const { account, user } = personOf(request);
          const settings = await peers.call(peers.preferences.getSettings.bind(peers.preferences), {
            accountId: account,
            userId: user,
          });
          return toSettingsDocument(settings);
        },
      );

      routes.patch(
        '/api/v1/me/settings',
        {
          schema: {
            tags: ['people'],
            summary: 'Change my settings: a JSON merge patch (RFC 7396), applied whole or not at all',
            description:
              'Members given replace the current ones. Under `providers`, `{"<id>": {"channels": {"email": false}}}` ' +
              'switches channels of one provider and `{"<id>": null}` restores its defaults.',
            security,
            body: SettingsPatch,
            response: { 200: SettingsDocument, ...errors(400, 401, 404, 415, 429, 503) },
          },
        },
        async (request) => {
          const { request: update, rename } = toSettingsUpdate(personOf(request), request.body);
          const settings = await peers.call(peers.preferences.updateSettings.bind(peers.preferences), update, {
            rename,
          });
          return toSettingsDocument(settings);
        },
      );

      routes.get(
        '/api/v1/me/providers',
        {
          schema: {
            tags: ['people'],
            summary: 'Every provider available to me: the system categories and my account’s integrations',
            security,
            response: { 200: ProviderList, ...errors(401, 429, 503) },
          },
        },
        async (request) => {
          const { account } = personOf(request);
          const reply = await peers.call(
            peers.preferences.listProviders.bind(peers.preferences),
            ListProvidersRequest.fromPartial({ accountId: account }),
          );
          return {
            providers: reply.providers.map((p) => {
              const { id, kind, name, icon_url } = toProvider(p);
              return { id, kind, name, icon_url };
            }),
          };
        },
      );
    });
  };
}
