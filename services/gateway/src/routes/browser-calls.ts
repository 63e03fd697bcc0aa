import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { bearerOf } from '../auth/bearer.js';
import { unauthenticated } from '../http-error.js';
import { Accepted, callBody, errors, stored, type Method, type Params } from '../schemas.js';
import type { Gateway, GatewayDeps } from '../server.js';
import { toIngestCall } from '../translate.js';
import { idempotencyKeyOf, sendCall } from './integrations.js';
import { personOf } from './people.js';

/** The calls widget code makes in the browser: seeds/003 without `add_event`, which is for the CRM itself. */
export const browserMethods = [
  'show_message',
  'show_message_error',
  'show_notification',
  'add_error',
  'add_call',
] as const satisfies readonly Method[];

const myUsers = Type.Optional(
  Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'A user id of my account.' }), {
    minItems: 1,
    maxItems: 1000,
    description: 'Recipients, users of my account; absent means me alone.',
  }),
);

/** A call's body as a person sends it: the integration's body, with `users` defaulting to the sender. */
function browserBody(method: Method) {
  const body = callBody(method);
  return Type.Object({ ...body.properties, users: myUsers }, { additionalProperties: false });
}

/**
 * A person's idempotency key, kept apart from every other user's: all of an
 * account's people send as its one widgets provider, which scopes ingest's keys.
 */
const personalKey = (user: string, key: string) =>
  `person:${createHash('sha256').update(`${user}\n${key}`).digest('base64url')}`;

/**
 * POST /api/v1/me/notifications/{method}: APP.notifications of seeds/003 for
 * the signed-in person, so widget code in the browser needs no API key. The
 * person's token is the credential ingest checks (with the Directory, which
 * takes it as the account's `system.widgets` provider); account and sender
 * come from the token, never from the body.
 */
export function browserCallRoutes(deps: GatewayDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    app.addHook('onRequest', async (request) => {
      request.person = await app.authenticatePerson(request);
    });

    for (const method of browserMethods) {
      app.post(
        `/api/v1/me/notifications/${method}`,
        {
          schema: {
            tags: ['people'],
            summary: `APP.notifications.${method}() in the browser, as the signed-in person`,
            description:
              (stored(method)
                ? 'Stored in each recipient’s notification center and sent on every channel they switched on. '
                : 'A popup, shown live only: the answer’s `id` is the `id` of the `popup` event on the live feed, ' +
                  'so a tab that showed it at once can skip it when it comes back. ') +
              'Recipients are users of my account, me alone when `users` is absent; the provider is the ' +
              'account’s “Widgets”.',
            security: [{ personToken: [] }],
            body: browserBody(method),
            response: { 202: Accepted, ...errors(400, 401, 413, 429, 503) },
          },
        },
        async (request, reply) => {
          const { user } = personOf(request);
          const token = bearerOf(request);
          if (!token) throw unauthenticated('missing "Authorization: Bearer <token>"');
          const {
            users,
            idempotency_key: inBody,
            ...params
          } = request.body as Params<Method> & { users?: string[]; idempotency_key?: string };
          const key = stored(method) ? idempotencyKeyOf(request, inBody) : undefined;
          const call = toIngestCall(
            method,
            params,
            users ?? [user],
            key === undefined ? undefined : personalKey(user, key),
          );
          return reply.status(202).send(await sendCall(deps, token, call));
        },
      );
    }
  };
}
