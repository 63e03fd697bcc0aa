import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { PushSubscription } from '@herald/contracts';
import { HttpError } from '../http-error.js';
import { errors } from '../schemas.js';
import type { Gateway, GatewayDeps } from '../server.js';
import { personOf } from './people.js';

const base64url = '^[A-Za-z0-9_-]+={0,2}$';

/** The browser's PushSubscription JSON (`subscription.toJSON()`), as the page posts it. */
const SubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, maxLength: 2048, description: 'The push service URL (https).' }),
    expirationTime: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
        description: 'When the push service ends the subscription, epoch milliseconds; null when it does not say.',
      }),
    ),
    keys: Type.Object(
      {
        p256dh: Type.String({ minLength: 1, maxLength: 200, pattern: base64url, description: 'P-256 key, base64url.' }),
        auth: Type.String({ minLength: 1, maxLength: 200, pattern: base64url, description: '16 bytes, base64url.' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const Subscription = Type.Object({
  id: Type.String(),
  endpoint: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  expiration_time: Type.Optional(Type.String({ format: 'date-time' })),
});

const SubscriptionList = Type.Object({ subscriptions: Type.Array(Subscription) });
const VapidKey = Type.Object({
  public_key: Type.String({ description: 'The applicationServerKey of PushManager.subscribe, base64url.' }),
});
const SubscriptionPath = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** The browser-push service's field names as the API's: the body is the browser's own JSON. */
const apiField: Readonly<Record<string, string>> = { expiration_time: 'expirationTime', subscription_id: 'id' };
const rename = (field: string) => apiField[field] ?? field;

function toSubscription(subscription: PushSubscription) {
  return {
    id: subscription.id,
    endpoint: subscription.endpoint,
    created_at: (subscription.createdAt ?? new Date(0)).toISOString(),
    ...(subscription.expirationTime ? { expiration_time: subscription.expirationTime.toISOString() } : {}),
  };
}

/** /api/v1/me/push/…: the browsers a person subscribed to Web Push (served by browser-push). */
export function pushSubscriptionRoutes(deps: GatewayDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    const { peers } = deps;
    app.addHook('onRequest', async (request) => {
      request.person = await app.authenticatePerson(request);
    });
    const security = [{ personToken: [] }];
    const client = peers.pushSubscriptions;

    app.get(
      '/api/v1/me/push/vapid-public-key',
      {
        schema: {
          tags: ['people'],
          summary: 'The VAPID public key this browser subscribes to push with',
          description: '503 while browser push is off (the deployment has no VAPID keys).',
          security,
          response: { 200: VapidKey, ...errors(401, 429, 503) },
        },
      },
      async () => {
        const reply = await peers.call(client.getVapidPublicKey.bind(client), {});
        if (reply.publicKey === '') {
          throw new HttpError(503, 'UNAVAILABLE', 'browser push is off: the deployment has no VAPID keys configured');
        }
        return { public_key: reply.publicKey };
      },
    );

    app.post(
      '/api/v1/me/push/subscriptions',
      {
        schema: {
          tags: ['people'],
          summary: 'Subscribe this browser to push notifications',
          description:
            'The body is the browser’s `PushSubscription.toJSON()`. Posting the same endpoint again updates its keys ' +
            'and keeps its id.',
          security,
          body: SubscriptionBody,
          response: { 201: Subscription, ...errors(400, 401, 429, 503) },
        },
      },
      async (request, reply) => {
        const { account, user } = personOf(request);
        const { endpoint, expirationTime, keys } = request.body;
        const subscription = await peers.call(
          client.register.bind(client),
          {
            accountId: account,
            userId: user,
            endpoint,
            ...(typeof expirationTime === 'number' ? { expirationTime } : {}),
            p256dh: keys.p256dh,
            auth: keys.auth,
          },
          { rename },
        );
        return reply.status(201).send(toSubscription(subscription));
      },
    );

    app.get(
      '/api/v1/me/push/subscriptions',
      {
        schema: {
          tags: ['people'],
          summary: 'The browsers I subscribed to push notifications',
          security,
          response: { 200: SubscriptionList, ...errors(401, 429, 503) },
        },
      },
      async (request) => {
        const { account, user } = personOf(request);
        const reply = await peers.call(client.list.bind(client), { accountId: account, userId: user });
        return { subscriptions: reply.subscriptions.map(toSubscription) };
      },
    );

    app.delete(
      '/api/v1/me/push/subscriptions/:id',
      {
        schema: {
          tags: ['people'],
          summary: 'Unsubscribe one of my browsers',
          security,
          params: SubscriptionPath,
          response: { 204: Type.Null(), ...errors(400, 401, 404, 429, 503) },
        },
      },
      async (request, reply) => {
        const { account, user } = personOf(request);
        await peers.call(
          client.remove.bind(client),
          { accountId: account, userId: user, subscriptionId: request.params.id },
          { rename },
        );
        return reply.status(204).send(null);
      },
    );
  };
}
