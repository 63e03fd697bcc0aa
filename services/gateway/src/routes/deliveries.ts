import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from 'typebox';
import { channelToken, type DeliveryOutcome } from '@herald/contracts';
import { ChannelName, errors } from '../schemas.js';
import type { Gateway, GatewayDeps } from '../server.js';
import { personOf } from './people.js';

const DeliveryStatus = Type.Union([Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('skipped')]);

const DeliveryEntry = Type.Object({
  delivery_id: Type.String(),
  channel: ChannelName,
  status: DeliveryStatus,
  reason: Type.Optional(Type.String({ description: 'Why it failed or was skipped (e.g. `digest`, `no address`).' })),
  tries: Type.Integer({ description: 'Sending attempts made; 0 when skipped.' }),
  provider_message_id: Type.Optional(
    Type.String({ description: 'The provider’s id of what it accepted, e.g. the SMTP Message-ID.' }),
  ),
  at: Type.String({ format: 'date-time' }),
});

export const DeliveryLog = Type.Object({
  deliveries: Type.Array(DeliveryEntry, { description: 'What became of the item on each channel, oldest first.' }),
});

const statusName = {
  DELIVERY_STATUS_DELIVERED: 'delivered',
  DELIVERY_STATUS_FAILED: 'failed',
  DELIVERY_STATUS_SKIPPED: 'skipped',
} as const;

/** One outcome as the API shows it; undefined for one no channel could have reported (never stored). */
function toEntry(outcome: DeliveryOutcome): Static<typeof DeliveryEntry> | undefined {
  const { channel, status } = outcome;
  if (channel === 'CHANNEL_UNSPECIFIED' || channel === 'UNRECOGNIZED') return undefined;
  if (status === 'DELIVERY_STATUS_UNSPECIFIED' || status === 'UNRECOGNIZED') return undefined;
  return {
    delivery_id: outcome.deliveryId,
    channel: channelToken(channel),
    status: statusName[status],
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    tries: outcome.tries,
    ...(outcome.providerMessageId ? { provider_message_id: outcome.providerMessageId } : {}),
    at: (outcome.at ?? new Date(0)).toISOString(),
  };
}

/** GET /api/v1/me/notifications/{id}/deliveries: where one of my notifications went (Inbox.ListDeliveries). */
export function deliveryRoutes(deps: GatewayDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    const { peers } = deps;
    app.addHook('onRequest', async (request) => {
      request.person = await app.authenticatePerson(request);
    });
    app.get(
      '/api/v1/me/notifications/:id/deliveries',
      {
        schema: {
          tags: ['people'],
          summary: 'The delivery log of one of my notifications',
          description:
            'Every channel’s outcome: delivered (with the provider’s message id), failed (why, after how many ' +
            'tries) or skipped (why: e.g. held for the daily digest, then delivered with it). Another user’s ' +
            'notification is a 404.',
          security: [{ personToken: [] }],
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 200: DeliveryLog, ...errors(400, 401, 404, 429, 503) },
        },
      },
      async (request) => {
        const { account, user } = personOf(request);
        const reply = await peers.call(
          peers.inbox.listDeliveries.bind(peers.inbox),
          { accountId: account, userId: user, notificationId: request.params.id },
          { rename: (field) => (field === 'notification_id' ? 'id' : field) },
        );
        return { deliveries: reply.outcomes.flatMap((o) => toEntry(o) ?? []) };
      },
    );
  };
}
