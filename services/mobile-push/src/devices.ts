import {
  DevicePlatform,
  idPattern,
  type Device,
  type ListDevicesReply,
  type RegisterDeviceRequest,
} from '@herald/contracts';
import { InvalidArgumentError, NotFoundError } from '@herald/errors';
import type { DeviceRepository, Platform, StoredDevice } from './device-repository.js';

const limits = { token: 4096, appVersion: 64, deviceName: 200 } as const;
/** FCM registration tokens: letters, digits and `_ - : .`, no spaces. */
const tokenPattern = /^[A-Za-z0-9_:.-]+$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkUser(accountId: string, userId: string): void {
  if (!idPattern.test(accountId)) throw new InvalidArgumentError('account_id', 'must be an account id');
  if (!idPattern.test(userId)) throw new InvalidArgumentError('user_id', 'must be a user id');
}

function checkPlatform(platform: DevicePlatform): Platform {
  switch (platform) {
    case DevicePlatform.DEVICE_PLATFORM_ANDROID:
      return 'android';
    case DevicePlatform.DEVICE_PLATFORM_IOS:
      return 'ios';
    case DevicePlatform.DEVICE_PLATFORM_UNSPECIFIED:
    case DevicePlatform.UNRECOGNIZED:
      throw new InvalidArgumentError('platform', 'must be DEVICE_PLATFORM_ANDROID or DEVICE_PLATFORM_IOS');
  }
}

/** Free text of at most `max` characters, trimmed; control characters refused. */
function checkText(field: string, value: string, max: number): string {
  const text = value.trim();
  if ([...text].length > max) throw new InvalidArgumentError(field, `must be at most ${max} characters`);
  if (/\p{Cc}/u.test(text)) throw new InvalidArgumentError(field, 'must not hold control characters');
  return text;
}

function checkToken(value: string): string {
  if (value === '') throw new InvalidArgumentError('token', 'is required');
  if (value.length > limits.token)
    throw new InvalidArgumentError('token', `must be at most ${limits.token} characters`);
  if (!tokenPattern.test(value)) throw new InvalidArgumentError('token', 'is not an FCM registration token');
  return value;
}

const platformOf: Readonly<Record<Platform, DevicePlatform>> = {
  android: DevicePlatform.DEVICE_PLATFORM_ANDROID,
  ios: DevicePlatform.DEVICE_PLATFORM_IOS,
};

function toDevice(stored: StoredDevice): Device {
  return {
    id: stored.id,
    token: stored.token,
    platform: platformOf[stored.platform],
    appVersion: stored.appVersion,
    deviceName: stored.deviceName,
    registeredAt: stored.registeredAt,
  };
}

/** The device tokens of each user: what the Devices gRPC service (and the gateway's routes on it) does. */
export class Devices {
  constructor(private readonly repository: DeviceRepository) {}

  async register(request: RegisterDeviceRequest): Promise<Device> {
    checkUser(request.accountId, request.userId);
    const device = {
      accountId: request.accountId,
      userId: request.userId,
      token: checkToken(request.token),
      platform: checkPlatform(request.platform),
      appVersion: checkText('app_version', request.appVersion, limits.appVersion),
      deviceName: checkText('device_name', request.deviceName, limits.deviceName),
    };
    return toDevice(await this.repository.upsert(device, new Date()));
  }

  async list(accountId: string, userId: string): Promise<ListDevicesReply> {
    checkUser(accountId, userId);
    return { devices: (await this.repository.listOf(accountId, userId)).map(toDevice) };
  }

  async remove(accountId: string, userId: string, deviceId: string): Promise<void> {
    checkUser(accountId, userId);
    if (deviceId === '') throw new InvalidArgumentError('device_id', 'is required');
    if (!uuidPattern.test(deviceId)) throw new InvalidArgumentError('device_id', 'is not a device id');
    if (!(await this.repository.remove(accountId, userId, deviceId))) {
      throw new NotFoundError(`no device ${deviceId} of this user`);
    }
  }
}
