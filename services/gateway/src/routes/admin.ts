import type { FastifyPluginAsync } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { channelOfToken, type DeliveryChannel } from '@herald/contracts';
import { HttpError, notFound, unauthenticated } from '../http-error.js';
import {
  AccountBody,
  AccountPath,
  AccountReply,
  ApiKeyBody,
  ApiKeyList,
  IssuedKey,
  KeyPath,
  ProviderBody,
  ProviderPath,
  ProviderReply,
  UserBody,
  UserList,
  UserPath,
  UserReply,
  errors,
} from '../schemas.js';
import type { Gateway, GatewayDeps, GatewayOptions } from '../server.js';
import { bearerOf } from '../auth/bearer.js';
import { toApiKeyInfo, toProvider, toUserReply } from '../translate.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Whether two secrets are equal, without leaking where they differ. */
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** /api/v1/admin/…: the Directory as resources, for whoever holds the admin token. */
export function adminRoutes(deps: GatewayDeps, options: GatewayOptions): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    const { peers } = deps;
    const directory = peers.directory;
    const bearer = options.adminToken;

    app.addHook('onRequest', async (request) => {
      request.rateKey = 'admin';
      if (bearer === undefined) {
        if (options.devMode) return;
        throw new HttpError(403, 'PERMISSION_DENIED', 'admin calls are off: the gateway has no ADMIN_TOKEN');
      }
      const presented = bearerOf(request);
      if (!presented || !sameSecret(presented, bearer)) throw unauthenticated('invalid admin token');
    });
    const security = [{ adminToken: [] }];
    const tags = ['admins'];

    app.put(
      '/api/v1/admin/accounts/:account',
      {
        schema: {
          tags,
          summary: 'Create or rename an account, and set what verifies its users’ tokens: a secret, a public key',
          security,
          params: AccountPath,
          body: AccountBody,
          response: { 200: AccountReply, ...errors(400, 401, 403, 429, 503) },
        },
      },
      async (request) => {
        const jwk = request.body.public_jwk;
        const account = await peers.call(
          directory.upsertAccount.bind(directory),
          {
            id: request.params.account,
            name: request.body.name,
            signingSecret: request.body.signing_secret,
            publicJwk: jwk === undefined ? undefined : jwk === null ? '' : JSON.stringify(jwk),
          },
          { bearer },
        );
        return {
          id: account.id,
          name: account.name,
          has_signing_secret: account.hasSigningSecret,
          has_public_jwk: account.hasPublicJwk,
        };
      },
    );

    app.put(
      '/api/v1/admin/accounts/:account/users/:user',
      {
        schema: {
          tags,
          summary: 'Create or replace a user; their settings stay as they were',
          security,
          params: UserPath,
          body: UserBody,
          response: { 200: UserReply, ...errors(400, 401, 403, 404, 429, 503) },
        },
      },
      async (request) => {
        const { account, user } = request.params;
        const b = request.body;
        const saved = await peers.call(
          directory.upsertUser.bind(directory),
          {
            user: {
              accountId: account,
              id: user,
              email: b.email,
              displayName: b.display_name ?? '',
              timezone: b.timezone,
              locale: b.locale ?? 'en',
              telegramChatId: b.telegram_chat_id ?? '',
            },
          },
          { bearer, rename: (field) => field.replace(/^user\./, '') },
        );
        return toUserReply(saved);
      },
    );

    const usersOf = async (account: string) =>
      (await peers.call(directory.listUsers.bind(directory), { accountId: account }, { bearer })).users;

    app.get(
      '/api/v1/admin/accounts/:account/users/:user',
      {
        schema: {
          tags,
          summary: 'One user',
          security,
          params: UserPath,
          response: { 200: UserReply, ...errors(401, 403, 404, 429, 503) },
        },
      },
      async (request) => {
        const { account, user } = request.params;
        const found = (await usersOf(account)).find((u) => u.id === user);
        if (!found) throw notFound(`account ${account} has no user ${user}`);
        return toUserReply(found);
      },
    );

    app.get(
      '/api/v1/admin/accounts/:account/users',
      {
        schema: {
          tags,
          summary: 'The users of an account',
          security,
          params: AccountPath,
          response: { 200: UserList, ...errors(401, 403, 404, 429, 503) },
        },
      },
      async (request) => ({ users: (await usersOf(request.params.account)).map(toUserReply) }),
    );

    app.put(
      '/api/v1/admin/accounts/:account/providers/:provider',
      {
        schema: {
          tags,
          summary: 'Register an integration of the account (a provider its users see in their settings)',
          description:
            'Registering the same path again updates the integration. Its id (in the reply, and what API keys are ' +
            'issued for) is `<account>.<provider>`.',
          security,
          params: ProviderPath,
          body: ProviderBody,
          response: { 200: ProviderReply, ...errors(400, 401, 403, 404, 429, 503) },
        },
      },
      async (request) => {
        const channels = (request.body.default_channels ?? []).flatMap((token) => {
          const channel = channelOfToken(token);
          return channel === undefined ? [] : [channel as DeliveryChannel];
        });
        const provider = await peers.call(
          directory.registerProvider.bind(directory),
          {
            accountId: request.params.account,
            id: `${request.params.account}.${request.params.provider}`,
            name: request.body.name,
            iconUrl: request.body.icon_url ?? '',
            defaultChannels: channels,
          },
          { bearer },
        );
        const { id, name, icon_url, default_channels } = toProvider(provider);
        return { id, name, icon_url, default_channels };
      },
    );

    app.post(
      '/api/v1/admin/accounts/:account/api_keys',
      {
        schema: {
          tags,
          summary: 'Issue an API key for one integration of the account',
          security,
          params: AccountPath,
          body: ApiKeyBody,
          response: { 201: IssuedKey, ...errors(400, 401, 403, 404, 429, 503) },
        },
      },
      async (request, reply) => {
        const issued = await peers.call(
          directory.issueApiKey.bind(directory),
          { accountId: request.params.account, providerId: request.body.provider_id, name: request.body.name ?? '' },
          { bearer },
        );
        return reply.status(201).send({ key_id: issued.keyId, api_key: issued.apiKey });
      },
    );

    app.get(
      '/api/v1/admin/accounts/:account/api_keys',
      {
        schema: {
          tags,
          summary: 'The account’s API keys (never their secrets)',
          security,
          params: AccountPath,
          response: { 200: ApiKeyList, ...errors(401, 403, 404, 429, 503) },
        },
      },
      async (request) => {
        const reply = await peers.call(
          directory.listApiKeys.bind(directory),
          { accountId: request.params.account },
          { bearer },
        );
        return { keys: reply.keys.map(toApiKeyInfo) };
      },
    );

    app.delete(
      '/api/v1/admin/accounts/:account/api_keys/:key_id',
      {
        schema: {
          tags,
          summary: 'Revoke an API key, at once on every replica',
          security,
          params: KeyPath,
          response: { 204: { type: 'null' }, ...errors(401, 403, 404, 429, 503) },
        },
      },
      async (request, reply) => {
        await peers.call(
          directory.revokeApiKey.bind(directory),
          { accountId: request.params.account, keyId: request.params.key_id },
          { bearer },
        );
        return reply.status(204).send(null);
      },
    );
  };
}
