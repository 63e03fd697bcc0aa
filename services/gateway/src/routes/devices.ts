import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from 'typebox';
import { DevicePlatform, type Device } from '@herald/contracts';
import { notFound } from '../http-error.js';
import { errors } from '../schemas.js';
import type { Gateway, GatewayDeps } from '../server.js';
import { personOf } from './people.js';

const Platform = Type.Union([Type.Literal('android'), Type.Literal('ios')]);

const DeviceBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 4096, description: 'The FCM registration token the app got.' }),
    platform: Platform,
    app_version: Type.Optional(Type.String({ maxLength: 64 })),
    device_name: Type.Optional(Type.String({ maxLength: 200, description: 'e.g. “Alice’s iPhone”.' })),
  },
  { additionalProperties: false },
);

const DeviceReply = Type.Object({
  id: Type.String({ description: 'Stable for a token: registering it again gives the same id.' }),
  token: Type.String(),
  platform: Platform,
  app_version: Type.String(),
  device_name: Type.String(),
  registered_at: Type.String({ format: 'date-time', description: 'The last time the token was registered.' }),
});
const DeviceList = Type.Object({ devices: Type.Array(DeviceReply, { description: 'Newest first.' }) });
const DevicePath = Type.Object({
  device: Type.String({ minLength: 1, maxLength: 4096, description: 'The device’s id, or its FCM token.' }),
});

const platformOf = { android: DevicePlatform.DEVICE_PLATFORM_ANDROID, ios: DevicePlatform.DEVICE_PLATFORM_IOS };

function toDevice(device: Device): Static<typeof DeviceReply> {
  return {
    id: device.id,
    token: device.token,
    platform: device.platform === DevicePlatform.DEVICE_PLATFORM_IOS ? 'ios' : 'android',
    app_version: device.appVersion,
    device_name: device.deviceName,
    registered_at: (device.registeredAt ?? new Date(0)).toISOString(),
  };
}

const deviceIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** /api/v1/me/push/devices: the signed-in user's phones for mobile push (herald.v1.Devices on mobile-push). */
export function deviceRoutes(deps: GatewayDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    const { peers } = deps;
    const devices = peers.devices;
    app.addHook('onRequest', async (request) => {
      request.person = await app.authenticatePerson(request);
    });
    const security = [{ personToken: [] }];

    app.post(
      '/api/v1/me/push/devices',
      {
        schema: {
          tags: ['people'],
          summary: 'Register this phone for push notifications',
          description:
            'Registering a token again updates its details and keeps its id; a token another user had moves to me.',
          security,
          body: DeviceBody,
          response: { 200: DeviceReply, ...errors(400, 401, 413, 429, 503) },
        },
      },
      async (request) => {
        const { account, user } = personOf(request);
        const { token, platform, app_version, device_name } = request.body;
        const device = await peers.call(devices.register.bind(devices), {
          accountId: account,
          userId: user,
          token,
          platform: platformOf[platform],
          appVersion: app_version ?? '',
          deviceName: device_name ?? '',
        });
        return toDevice(device);
      },
    );

    app.get(
      '/api/v1/me/push/devices',
      {
        schema: {
          tags: ['people'],
          summary: 'My phones that receive push notifications',
          security,
          response: { 200: DeviceList, ...errors(401, 429, 503) },
        },
      },
      async (request) => {
        const { account, user } = personOf(request);
        const reply = await peers.call(devices.list.bind(devices), { accountId: account, userId: user });
        return { devices: reply.devices.map(toDevice) };
      },
    );

    app.delete(
      '/api/v1/me/push/devices/:device',
      {
        schema: {
          tags: ['people'],
          summary: 'Stop pushing to one of my phones (by its id, or by its token when signing out of the app)',
          security,
          params: DevicePath,
          response: { 204: Type.Null(), ...errors(400, 401, 404, 429, 503) },
        },
      },
      async (request, reply) => {
        const { account, user } = personOf(request);
        let deviceId = request.params.device;
        if (!deviceIdPattern.test(deviceId)) {
          // A token: the app knows its own token, not always the id it was given.
          const { devices: mine } = await peers.call(devices.list.bind(devices), { accountId: account, userId: user });
          const found = mine.find((d) => d.token === deviceId);
          if (!found) throw notFound('no such device of mine');
          deviceId = found.id;
        }
        await peers.call(
          devices.remove.bind(devices),
          { accountId: account, userId: user, deviceId },
          { rename: (field) => (field === 'device_id' ? 'device' : field) },
        );
        return reply.status(204).send(null);
      },
    );
  };
}
