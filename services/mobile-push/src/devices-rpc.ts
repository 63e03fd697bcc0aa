import { DevicesService, type DevicesServer } from '@herald/contracts';
import { unary, type RpcService } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { Devices } from './devices.js';

const name = 'herald.v1.Devices';

export function devicesRpc(devices: Devices, logger: Logger): RpcService {
  const implementation: DevicesServer = {
    register: unary(`${name}/Register`, logger, (request) => devices.register(request)),
    list: unary(`${name}/List`, logger, (request) => devices.list(request.accountId, request.userId)),
    remove: unary(`${name}/Remove`, logger, async (request) => {
      await devices.remove(request.accountId, request.userId, request.deviceId);
      return {};
    }),
  };
  return { name, definition: DevicesService, implementation };
}
